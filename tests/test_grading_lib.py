"""The grading helpers judge notebooks exactly as nbgrader does, TensorFlow logs included."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook

from cnncourse import grading

from conftest import ROOT


def _notebook(*cells):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for index, (kind, source) in enumerate(cells):
        cell = new_code_cell(source)
        meta = {"grade_id": f"c{index}", "schema_version": 3, "task": False, "locked": True}
        if kind == "test":
            meta.update(grade=True, solution=False, points=1)
        else:
            meta.update(grade=False, solution=False)
        cell.metadata["nbgrader"] = meta
        nb.cells.append(cell)
    return nb


def test_judge_follows_nbgrader_rules_and_tensorflow_costs_no_points(tmp_path):
    nb = _notebook(
        ("setup", "from cnncourse import config\nconfig.quiet_tensorflow()"),
        ("test", "assert 1 + 1 == 2"),
        ("test", "assert 1 + 1 == 3, 'arithmetic is broken'"),
        ("test", "import sys\nprint('careful', file=sys.stderr)"),
        ("test", "import tensorflow as tf\nassert float(tf.reduce_sum(tf.ones(3))) == 3.0"),
        ("test", "import os\n_ = os.write(2, b'I0000 00:00:1.2 1 port.cc:153] oneDNN log\\n')"),
    )
    executed = grading.execute_as_autograder(nb, tmp_path, grading.course_config(ROOT))
    verdicts = grading.judge(executed)
    assert verdicts["c1"][:2] == (1.0, 1.0)
    assert verdicts["c2"][0] == 0.0 and "arithmetic is broken" in verdicts["c2"][2]
    assert verdicts["c3"][0] == 0.0, "nbgrader gives no points to a test writing to stderr"
    assert verdicts["c4"][0] == 1.0, f"importing TensorFlow cost points: {verdicts['c4'][2]}"
    assert verdicts["c5"][0] == 1.0, "a C++ log line on the process's stderr cost points"


def test_lessons_are_the_numbered_folders_with_a_master(tmp_path):
    for name in ("01-a", "02-b"):
        (tmp_path / "solutions" / name).mkdir(parents=True)
    (tmp_path / "solutions" / "01-a" / "01-a.ipynb").write_text("{}")
    assert grading.lessons(tmp_path) == ["01-a"]
