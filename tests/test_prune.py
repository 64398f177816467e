"""What the grader skips: only the course's own cells that show something and that no graded test
depends on; whatever a student wrote or changed runs, with everything it reads."""

from __future__ import annotations

import ast
import copy

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cnncourse import grading
from cnncourse.grader import prune

from conftest import LESSONS, ROOT

ANSWER = {"grade_id": "answer", "solution": True, "grade": False, "locked": False}
TEST = {"grade_id": "test", "solution": False, "grade": True, "locked": True, "points": 1}


def _release(*cells):
    """A released notebook: (meta or None, source) per code cell; None is a plain course cell."""
    nb = new_notebook()
    for meta, source in cells:
        cell = new_code_cell(source)
        if meta:
            cell.metadata["nbgrader"] = dict(meta, schema_version=3)
        nb.cells.append(cell)
    return nb


RELEASE = _release(
    (None, "import math\ndata = [1, 2, 3]"),
    (ANSWER, "def f(x):\n    raise NotImplementedError()"),
    (None, "shown = [f(x) for x in data]\nprint(shown)  # a figure, say"),
    (None, "table = {x: f(x) for x in data}"),
    (TEST, "assert f(2) == 3 and table[1] == 2"),
    (None, "print('after the last test', f(9))"),
)


def _submission(*changes):
    """The release with the answer written, then ``changes``: (index, source) replaces a cell,
    (index, source, "insert") inserts a student's cell before ``index``."""
    nb = copy.deepcopy(RELEASE)
    nb.cells[1].source = "def f(x):\n    return x + 1"
    for change in sorted(changes, key=lambda c: -c[0]):
        if len(change) == 3:
            nb.cells.insert(change[0], new_code_cell(change[1]))
        else:
            nb.cells[change[0]].source = change[1]
    return nb


def test_the_courses_cells_that_only_show_something_are_skipped():
    assert prune.display_only(_submission(), RELEASE) == {2, 5}


def test_a_cell_a_graded_test_reads_from_runs():
    skipped = prune.display_only(_submission(), RELEASE)
    assert 3 not in skipped, "the test reads `table`, which cell 3 binds"
    assert 0 not in skipped, "imports always run"


def test_a_cell_the_student_added_runs_with_what_it_reads():
    nb = _submission((3, "print(len(shown))", "insert"))
    assert nb.cells[3].source == "print(len(shown))"
    assert prune.display_only(nb, RELEASE) == {6}, "cell 2 binds `shown`, which the student reads"


def test_a_course_cell_the_student_changed_runs():
    nb = _submission((5, "print('after the last test', f(10))"))
    assert prune.display_only(nb, RELEASE) == {2}


def test_markdown_and_empty_cells_are_never_counted():
    nb = _submission()
    nb.cells.insert(0, new_markdown_cell("# Title"))
    nb.cells.append(new_code_cell(""))
    assert prune.display_only(nb, RELEASE) == {3, 6}


@pytest.mark.parametrize(
    "code",
    [
        "print(globals()['shown'])",
        "exec('print(shown)')",
        "%time print(1)",
        "import sys\nsys.modules['__main__'].shown",
        "import __main__",
        "def g():\n    import inspect\n    return inspect.currentframe().f_back",
        "if True:\n  print(1",  # does not parse
    ],
)
def test_a_notebook_whose_own_code_reaches_names_dynamically_runs_whole(code):
    nb = _submission((3, code, "insert"))
    assert prune.display_only(nb, RELEASE) == set()


@pytest.mark.parametrize(
    "source",
    ["x = f(1)\nprint(x)", "%time x = f(1)", "!ls\nx = 1", "%%time\nx = f(1)", "    x = 1"],
)
def test_cells_parse_as_ipython_runs_them(source):
    from IPython.core.inputtransformer2 import TransformerManager

    expected = ast.dump(ast.parse(TransformerManager().transform_cell(source)))
    assert ast.dump(prune.parse(source)) == expected


def test_the_courses_own_tests_may_reach_names_dynamically():
    cells = (
        (None, "import math"),
        (ANSWER, "def f(x):\n    raise NotImplementedError()"),
        (None, "print([f(x) for x in range(3)])"),
        (TEST, "assert globals().get('f')(2) == 3  # nbgrader restores this cell's source"),
    )
    submission = _release(*cells)
    submission.cells[1].source = "def f(x):\n    return x + 1"
    assert prune.display_only(submission, _release(*cells)) == {2}


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_skips_only_plain_course_cells(lesson):
    master = grading.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb")
    release = grading.read(ROOT / "course" / lesson / f"{lesson}.ipynb")
    skipped = prune.display_only(master, release)
    for index in skipped:
        cell = master.cells[index]
        assert cell.cell_type == "code" and not cell.metadata.get("nbgrader"), index
        tree = prune.parse(cell.source)
        assert tree is not None and not any(
            type(node).__name__ in ("Import", "ImportFrom") for node in tree.body
        ), f"cell {index} imports, and is skipped"
