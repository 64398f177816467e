"""Warnings and other stderr output never cost a correct answer its points; errors still do.

nbgrader scores a test cell with any stderr output zero (``nbgrader.utils.determine_grade``).
The course's ``nbgrader_config.py`` starts every grading kernel with the IPython extension
``cnncourse.grader.stderr``, which shows stderr as stdout. Proven here with real
``nbgrader autograde`` and ``nbgrader validate`` in a temporary course, and with
``python -m cnncourse.classgrade validate``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from cnncourse import grading
from cnncourse.grader import stderr

from conftest import ROOT

MASTER = '''def ratio(a, b):
    """a / b elementwise, 0 where b is 0."""
    ### BEGIN SOLUTION
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    out = np.zeros_like(a)
    np.divide(a, b, out=out, where=b != 0)
    return out
    ### END SOLUTION'''

ANSWERS = {
    "runtime": """def ratio(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.where(b != 0, a / b, 0.0)  # divides 0 by 0 first: RuntimeWarning""",
    "user": """def ratio(a, b):
    warnings.warn("ratio: zero denominators give 0", UserWarning)
    warnings.warn("an old spelling", DeprecationWarning)
    b = np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.zeros_like(b), where=b != 0)""",
    "stderr": """def ratio(a, b):
    print("computing a ratio", file=sys.stderr)
    b = np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.zeros_like(b), where=b != 0)""",
    "wrong": """def ratio(a, b):
    return np.asarray(a) / np.asarray(b)""",
}


def _toy_master():
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    cells = [
        ("setup", "import sys\nimport warnings\n\nimport numpy as np", {"locked": True}),
        ("ratio", MASTER, {"solution": True, "locked": False}),
        (
            "test_ratio",
            "np.testing.assert_allclose(ratio([1, 0, 3], [2, 0, 0]), [0.5, 0, 0])",
            {"grade": True, "locked": True, "points": 2},
        ),
        (
            "test_ratio_again",
            "assert ratio([4], [2])[0] == 2.0",
            {"grade": True, "locked": True, "points": 1},
        ),
    ]
    for grade_id, source, meta in cells:
        cell = new_code_cell(source)
        cell.metadata["nbgrader"] = {
            "grade": False,
            "solution": False,
            "locked": False,
            "grade_id": grade_id,
            "schema_version": 3,
            **meta,
        }
        nb.cells.append(cell)
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    (root / "solutions" / "toy").mkdir(parents=True)
    nbformat.write(_toy_master(), str(root / "solutions" / "toy" / "toy.ipynb"))
    grading.nbgrader_in_process(root, "generate_assignment", "toy")  # the release: not tested here
    for student, code in ANSWERS.items():
        nb = grading.read(root / "course" / "toy" / "toy.ipynb")
        grading.nbgrader_cells(nb, "solution")["ratio"].source = code
        folder = root / "submitted" / student / "toy"
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / "toy.ipynb"))
    grading.autograde(root, "toy")
    return root


def test_autograde_gives_warning_answers_full_marks_and_wrong_ones_zero(course):
    scores = grading.scores(course, "toy")
    full = {"test_ratio": 2.0, "test_ratio_again": 1.0}
    for student in ("runtime", "user", "stderr"):
        assert scores[student] == full, f"{student}: {scores[student]}"
    assert scores["wrong"]["test_ratio"] == 0.0


def test_autograded_notebook_still_shows_the_warning_text(course):
    nb = grading.read(course / "autograded" / "runtime" / "toy" / "toy.ipynb")
    tests = grading.nbgrader_cells(nb, "test")
    printed = [o for o in tests["test_ratio"].outputs if o.output_type == "stream"]
    assert [o.name for o in printed] == ["stdout"]
    assert "RuntimeWarning" in printed[0].text


@pytest.mark.parametrize("student", ["runtime", "user", "stderr"])
def test_nbgrader_validate_passes_answers_that_warn(course, student):
    path = course / "submitted" / student / "toy" / "toy.ipynb"
    log = grading.nbgrader(course, "validate", str(path))
    assert "Success! Your notebook passes all the tests." in log, log


def test_nbgrader_validate_still_fails_a_wrong_answer(course):
    log = grading.nbgrader(course, "validate", str(course / "submitted/wrong/toy/toy.ipynb"))
    assert "VALIDATION FAILED" in log, log


def test_classgrade_validate_passes_an_answer_that_warns(course):
    done = subprocess.run(
        [sys.executable, "-m", "cnncourse.classgrade", "validate", "toy.ipynb"],
        cwd=course / "submitted" / "stderr" / "toy",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_route_stderr_to_stdout_makes_stderr_stdout(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    assert stderr.route_stderr_to_stdout() is True
    assert sys.stderr is sys.stdout
    assert stderr.route_stderr_to_stdout() is False, "a second call changes nothing"
    print("to stderr", file=sys.stderr)
    assert capsys.readouterr().out == "to stderr\n"
