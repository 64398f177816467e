"""Real nbgrader, end to end, for every lesson: solution, blank and a mistake.

In a temporary course with its own gradebook: the master notebook submitted as a student's
work scores full marks, the released blank scores zero without stopping the grader, and the
first catalogued mistake loses its points with HTML feedback that names it. All three are
submitted without the cells that only show something (``harness.graded_only``: figures and demo
training change no grade, and cost most of the run); the masters run whole under nbval, in the
catalogs' harness (as autograde sets the kernel up) and, for lesson 03, through real nbgrader
in test_attacks.py.
"""

from __future__ import annotations

import html
import re

import nbformat
import pytest

from cnncourse import grading

from conftest import LESSONS, ROOT, inject, make_course, mistakes_for
from harness import graded_only


def _submit(course, student, lesson, nb):
    """``nb`` as ``student``'s submission, in nbgrader's layout, without its display-only cells
    (:func:`harness.graded_only`)."""
    folder = course / "submitted" / student / lesson
    folder.mkdir(parents=True)
    nbformat.write(graded_only(nb), str(folder / f"{lesson}.ipynb"))


def _text(path):
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", path.read_text(), flags=re.S)
    raw = html.unescape(re.sub(r"<[^>]+>", "", page))
    return re.sub(r"\s+", " ", raw)


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_full_marks_blank_zero_mistake_named(lesson, tmp_path):
    course = make_course(tmp_path / "course", [lesson])
    master = ROOT / "solutions" / lesson / f"{lesson}.ipynb"
    _submit(course, "solution", lesson, grading.read(master))
    _submit(course, "blank", lesson, grading.read(course / "course" / lesson / f"{lesson}.ipynb"))
    mistakes = mistakes_for(lesson)
    assert mistakes, f"tests/mistakes/{lesson}.py is missing or empty"
    mistake = mistakes[0]
    wrong = inject(grading.read(master), mistake["cell"], mistake["code"])
    _submit(course, "mistake", lesson, wrong)

    grading.autograde(course, lesson)
    scores = grading.scores(course, lesson)
    maximum = {
        grade_id: float(cell.metadata.nbgrader["points"])
        for grade_id, cell in grading.nbgrader_cells(grading.read(master), "test").items()
    }
    # Written answers (manually graded cells) score 0 until an instructor grades them.
    autograded = {grade_id: scores["solution"].get(grade_id) for grade_id in maximum}
    assert autograded == maximum, "the solution does not score full marks"
    assert sum(scores["blank"].values()) == 0, f"the blank scores {scores['blank']}"
    for grade_id in mistake["loses"]:
        assert scores["mistake"][grade_id] < maximum[grade_id], (
            f"{mistake['name']!r} keeps its points in {grade_id}"
        )

    grading.generate_feedback(course, lesson)
    feedback = _text(course / "feedback" / "mistake" / lesson / f"{lesson}.html")
    assert mistake["feedback"].lower() in feedback.lower(), (
        f"the HTML feedback does not name {mistake['name']!r}"
    )
