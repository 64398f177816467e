"""Real nbgrader, end to end, for every lesson: solution, blank and a mistake.

In a temporary course with its own gradebook: the master notebook submitted as a student's
work scores full marks, the released blank scores zero without stopping the grader, and the
first catalogued mistake loses its points with HTML feedback that names it. The grader skips
the course's cells that only show something (``cnncourse.grader.prune``: figures and demo
training change no grade, and cost most of the run), and says so in their place; the masters
run whole under nbval.
"""

from __future__ import annotations

import html
import re

import nbformat
import pytest

from cnncourse import grading
from cnncourse.grader import execute, prune

from conftest import LESSONS, ROOT, inject, make_course, mistakes_for


def _submit(course, student, lesson, nb):
    """``nb`` as ``student``'s submission, in nbgrader's layout."""
    folder = course / "submitted" / student / lesson
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / f"{lesson}.ipynb"))


def _text(path):
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", path.read_text(), flags=re.S)
    raw = html.unescape(re.sub(r"<[^>]+>", "", page))
    return re.sub(r"\s+", " ", raw)


# nbgrader's autograde makes SQLAlchemy warn about its own gradebook objects ("not in
# session"); run as a command, it prints none of them.
@pytest.mark.filterwarnings("ignore:Object of type .* not in session:Warning")
@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_full_marks_blank_zero_mistake_named(lesson, tmp_path):
    course = make_course(tmp_path / "course", [lesson])
    master = ROOT / "solutions" / lesson / f"{lesson}.ipynb"
    _submit(course, "solution", lesson, grading.read(master))
    _submit(course, "blank", lesson, grading.read(course / "course" / lesson / f"{lesson}.ipynb"))
    mistakes = mistakes_for(lesson)
    assert mistakes, f"tests/mistakes/{lesson}.md is missing or empty"
    mistake = mistakes[0]
    wrong = inject(grading.read(master), mistake["cell"], mistake["code"])
    _submit(course, "mistake", lesson, wrong)

    # nbgrader's autograde, in this process (plain `nbgrader autograde` runs as a command in
    # test_attacks and test_warnings_cost_nothing)
    grading.nbgrader_in_process(course, "autograde", lesson)
    scores = grading.scores(course, lesson)
    maximum = {
        grade_id: float(cell.metadata.nbgrader["points"])
        for grade_id, cell in grading.nbgrader_cells(grading.read(master), "test").items()
    }
    # Written answers (manually graded cells) score 0 until an instructor grades them.
    autograded = {grade_id: scores["solution"].get(grade_id) for grade_id in maximum}
    assert autograded == maximum, "the solution does not score full marks"
    assert sum(scores["blank"].values()) == 0, f"the blank scores {scores['blank']}"
    release = grading.read(course / "course" / lesson / f"{lesson}.ipynb")
    graded = grading.read(course / "autograded" / "solution" / lesson / f"{lesson}.ipynb")
    skipped = prune.display_only(grading.read(master), release)
    marked = {
        i
        for i, cell in enumerate(graded.cells)
        if cell.cell_type == "code" and [o.get("text") for o in cell.outputs] == [execute.NOT_RUN]
    }
    assert marked == skipped, "the grader did not skip exactly the cells that only show something"
    for grade_id in mistake["loses"]:
        assert scores["mistake"][grade_id] < maximum[grade_id], (
            f"{mistake['name']!r} keeps its points in {grade_id}"
        )

    # nbgrader's generate_feedback for the one student whose feedback is read, in this process
    # (the same converter and configuration as the command; no Python start-up per lesson)
    grading.nbgrader_in_process(course, "generate_feedback", lesson, "mistake")
    feedback = _text(course / "feedback" / "mistake" / lesson / f"{lesson}.html")
    assert mistake["feedback"].lower() in feedback.lower(), (
        f"the HTML feedback does not name {mistake['name']!r}"
    )
