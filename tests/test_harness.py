"""The catalogs' harness: entries resolve from a base and replacements (loudly when a master
changed), and variants are judged on every later test cell, cascades included."""

from __future__ import annotations

import pytest

from cnncourse import grading
from cnncourse.grader import prune

import harness
from conftest import ROOT, toy_notebook

MASTER = toy_notebook(
    ("setup", "import math"),
    (
        "answer",
        "def double(x):\n    ### BEGIN SOLUTION\n    y = 2 * x\n    return y\n    ### END SOLUTION",
    ),
    ("test", "assert double(3) == 6, f'double(3) is {double(3)}'"),
    ("answer", "def quadruple(x):\n    return double(double(x))"),
    ("test", "assert quadruple(1) == 4, f'quadruple(1) is {quadruple(1)}'"),
    ("test", "assert math.sqrt(4) == 2"),
)


def _diff(*lines):
    """One hunk: lines starting with ' ', '-' or '+'."""
    old = [line[1:] for line in lines if line[0] in " -"]
    new = [line[1:] for line in lines if line[0] in " +"]
    return [(old, new)]


def test_entry_code_applies_a_diff_to_the_master_without_its_markers():
    entry = dict(cell="c1", name="adds", diff=_diff("-    y = 2 * x", "+    y = x + 2"))
    assert harness.entry_code(entry, MASTER) == "def double(x):\n    y = x + 2\n    return y"


def test_entry_code_builds_on_another_entry_and_on_whole_cells():
    first = dict(cell="c1", name="adds", diff=_diff("-    y = 2 * x", "+    y = x + 2"))
    second = dict(
        cell="c1",
        name="adds and negates",
        base="adds",
        diff=_diff("-    return y", "+    return -y"),
    )
    whole = dict(cell="c1", name="whole", code="\ndef double(x):\n    return x * 2\n")
    entries = [first, second, whole]
    assert harness.entry_code(second, MASTER, entries).endswith("y = x + 2\n    return -y")
    assert harness.entry_code(whole, MASTER, entries) == "def double(x):\n    return x * 2"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            dict(cell="c1", name="stale", diff=_diff("-    y = 3 * x", "+    y = x")),
            "'stale'.*hunk 1.*do not occur in its base \\(the master's c1\\)",
        ),
        (
            dict(cell="c1", name="part of a line", diff=_diff("-y = 2 * x", "+y = x")),
            "'part of a line'.*do not occur",
        ),
        (
            dict(cell="c1", name="orphan", base="nobody", diff=_diff("-y", "+z")),
            "'orphan'.*no entry",
        ),
        (dict(cell="c1", name="both", code="pass", diff=[]), "'both'.*not both"),
        (dict(cell="c1", name="neither"), "'neither'.*give a whole cell"),
        (dict(cell="c1", name="loop", base="loop", diff=_diff("-y", "+z")), "'loop'.*circular"),
    ],
)
def test_entry_code_fails_loudly_naming_the_entry(entry, message):
    with pytest.raises(ValueError, match=message):
        harness.entry_code(entry, MASTER, [entry])


def test_own_tests_are_the_test_cells_up_to_the_next_answer():
    assert harness.own_tests(MASTER, "c1") == ["c2"]
    assert harness.own_tests(MASTER, "c3") == ["c4", "c5"]


def test_affected_cells_follow_names_and_the_functions_that_read_them():
    # Cell 3 only defines quadruple, which reads double when it is called: it need not run
    # again, but the test that calls quadruple (4) is affected.
    assert harness.affected_cells(MASTER, 1, "def double(x):\n    return x") == [2, 4]
    nb = toy_notebook(
        ("setup", "def helper():\n    return answer_value"),
        ("answer", "answer_value = 1"),
        ("test", "assert helper() == 1"),
        ("test", "assert 2 == 2"),
        ("test", "%time x = 1\nassert x == 1"),
    )
    assert harness.affected_cells(nb, 1, "answer_value = 2") == [2]


def test_defining_a_function_reads_its_defaults_and_decorators_not_its_body():
    reads = prune.cell_reads(prune.parse("@deco(a)\ndef f(x, s: T = d):\n    return x + s + g"))
    assert reads == {"deco", "a", "T", "d"}
    nb = toy_notebook(
        ("answer", "x = 1"),
        ("setup", "def f(x, stride=2):\n    return x * stride"),
        ("test", "assert f(3) == 6"),
    )
    assert harness.affected_cells(nb, 0, "x = 2") == []


def test_a_cell_that_binds_a_name_before_reading_it_is_not_affected_by_it():
    nb = toy_notebook(
        ("answer", "def f(x):\n    return x + 1"),
        ("plain", "y = f(1)  # binds y from the answer"),
        ("test", "y = 3\nassert y == 3  # its own y"),
        ("test", "assert sorted([2, 1], key=lambda v: v + y)  # reads y in a lambda"),
        ("test", "class T:\n    z = y\nassert T.z"),
        ("test", "def g(a=y):\n    return a\nassert g()"),
        ("test", "for i in range(1):\n    def h():\n        return y\n    assert h()"),
    )
    assert harness.affected_cells(nb, 0, "def f(x):\n    return x") == [1, 3, 4, 5, 6]


def test_judge_variants_shows_a_cascade_and_keeps_unaffected_verdicts(tmp_path):
    config = grading.course_config(ROOT)
    variants = [
        ("c1", "def double(x):\n    return x + 2"),  # wrong: costs c2 and, through c3, c4
        ("c1", "def _twice(x):\n    return x * 2\n\ndouble = _twice"),  # right, with a helper
        ("c3", "def quadruple(x):\n    assert '_twice' not in globals()\n    return 4 * x"),
    ]
    master, judged = harness.judge_variants(MASTER, variants, tmp_path, config)
    assert {t: v[0] for t, v in master.items()} == {"c2": 1.0, "c4": 1.0, "c5": 1.0}
    wrong, right, later = (j.verdicts for j in judged)
    assert (wrong["c2"][0], wrong["c4"][0], wrong["c5"][0]) == (0.0, 0.0, 1.0)
    assert "quadruple(1) is 5" in wrong["c4"][2], "the cascade's feedback"
    assert {t: v[0] for t, v in right.items()} == {"c2": 1.0, "c4": 1.0, "c5": 1.0}
    assert set(later) == {"c4", "c5"} and later["c4"][0] == 1.0, "the helper was not removed"


def test_cells_that_feed_no_graded_test_are_not_run_for_a_variant():
    nb = toy_notebook(
        ("setup", "import math\nlog = []"),
        ("answer", "def f(x):\n    return x + 1"),
        ("plain", "figure = [f(i) for i in range(3)]  # only shown"),
        ("plain", "table = f(2)\nlog.append(table)  # changes log, which a test reads"),
        ("plain", "model = {'w': f(0)}"),
        ("plain", "model.update(w=f(5))  # changes model in place"),
        ("test", "assert model['w'] == 6 and log == [3]"),
        ("plain", "shown = f(9)  # after the last test"),
    )
    affected = harness.affected_cells(nb, 1, "def f(x):\n    return x")
    assert affected == [2, 3, 4, 5, 6, 7]
    assert prune.graded_path(nb, affected, {6}) == [3, 4, 5, 6]


def test_graded_only_drops_the_cells_that_only_show_something():
    nb = toy_notebook(
        ("setup", "import math"),
        ("answer", "def f(x):\n    return x + 1"),
        ("plain", "figure = [f(i) for i in range(3)]  # only shown"),
        ("plain", "from statistics import mean  # an import stays"),
        ("plain", "model = {'w': f(0)}"),
        ("test", "assert model['w'] == 1"),
        ("plain", "shown = f(9)  # after the last test"),
    )
    for index in (2, 3, 4, 6):  # cells a student may change: no nbgrader metadata
        del nb.cells[index].metadata["nbgrader"]
    kept = [cell.source for cell in harness.graded_only(nb).cells]
    assert kept == [nb.cells[i].source for i in (0, 1, 3, 4, 5)]
    assert len(nb.cells) == 7, "the notebook given is not changed"
