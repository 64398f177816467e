"""Written answers (manually graded cells) are listed as needing manual grading, with the
autograded points unchanged and the manual points apart, in grades.csv and report.html."""

from __future__ import annotations

import csv
import shutil

import nbformat

from cnncourse.grader import batch, report
from cnncourse.grader.result import CellScore, Flag, Result, Status

from conftest import ROOT

LESSON = "98-tiny"


def meta(grade_id: str, **kinds) -> dict:
    base = dict(grade=False, solution=False, locked=False, grade_id=grade_id, schema_version=3)
    return {"nbgrader": {**base, **kinds}}


def tiny_master() -> nbformat.NotebookNode:
    """A lesson with one autograded exercise (2 points) and one written question (3 points)."""
    cells = [
        nbformat.v4.new_code_cell("import numpy as np", metadata=meta("setup", locked=True)),
        nbformat.v4.new_code_cell(
            "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
            metadata=meta("double", solution=True),
        ),
        nbformat.v4.new_code_cell(
            "assert double(2) == 4", metadata=meta("test_double", grade=True, locked=True, points=2)
        ),
        nbformat.v4.new_markdown_cell(
            "**Question.** Why double?", metadata=meta("q_why_text", locked=True)
        ),
        nbformat.v4.new_markdown_cell(
            "### BEGIN SOLUTION\n**Model answer.** Because.\n### END SOLUTION",
            metadata=meta("q_why", grade=True, solution=True, points=3),
        ),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_a_written_question_is_listed_for_manual_grading(tmp_path):
    course = tmp_path / "course"
    (course / "solutions" / LESSON).mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    master = tiny_master()
    nbformat.write(master, str(course / "solutions" / LESSON / f"{LESSON}.ipynb"))
    submission = tiny_master()
    submission.cells[1].source = "def double(x):\n    return x + x"
    submission.cells[4].source = "Because it is twice."
    inbox = tmp_path / "inbox"
    (inbox / "ann").mkdir(parents=True)
    nbformat.write(submission, str(inbox / "ann" / f"{LESSON}.ipynb"))

    output = tmp_path / "out"
    [result] = batch.grade_class(inbox, output, course, jobs=1, timeout=60, progress=False)
    assert (result.status, result.total, result.max) == (Status.OK, 2, 2), result.messages
    assert result.manual == {"q_why": 3} and result.needs_manual_grading and not result.flags
    with open(output / "grades.csv") as handle:
        [row] = list(csv.DictReader(handle))
    assert (row["test_double"], row["auto_points"], row["auto_max"]) == ("2.0", "2.0", "2.0")
    assert (row["manual_max"], row["needs_manual_grading"], row["manual_questions"]) == (
        "3.0",
        "yes",
        "q_why",
    )
    page = (output / "report.html").read_text()
    assert "Needs manual grading" in page and "<td>q_why</td>" in page


def test_report_escapes_names_and_lists_what_needs_attention(tmp_path):
    hostile = Result("<script>x</script>", "03-conv2d", "x", status=Status.OK)
    hostile.tests = {"test_a": CellScore(0.0, 3.0)}
    hostile.max = 3.0
    hostile.flag(Flag.TAMPERED, "guard: <b>numpy.allclose</b> was changed")
    clean = Result("bo", "03-conv2d", "y", status=Status.OK, total=3.0, max=3.0)
    clean.tests = {"test_a": CellScore(3.0, 3.0)}
    page = report.render([hostile, clean])
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "&lt;b&gt;numpy.allclose" in page and "tampered" in page
    assert "<td>50%</td>" in page  # one of two has full points
    assert "isolation <b>none</b>" in page
    assert "None: no graded lesson has written answers." in page
