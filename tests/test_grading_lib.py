"""The grading helpers judge notebooks exactly as nbgrader does, TensorFlow logs included."""

from __future__ import annotations

from cnncourse import grading

import harness
from conftest import ROOT, toy_notebook


def test_judge_follows_nbgrader_rules_and_tensorflow_costs_no_points(tmp_path):
    nb = toy_notebook(
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
    assert verdicts["c3"][0] == 1.0, "writing to stderr (as a warning does) cost points"
    assert verdicts["c4"][0] == 1.0, f"importing TensorFlow cost points: {verdicts['c4'][2]}"
    assert verdicts["c5"][0] == 1.0, "a C++ log line on the process's stderr cost points"


def test_lessons_are_the_numbered_folders_with_a_master(tmp_path):
    for name in ("01-a", "02-b"):
        (tmp_path / "solutions" / name).mkdir(parents=True)
    (tmp_path / "solutions" / "01-a" / "01-a.ipynb").write_text("{}")
    assert grading.lessons(tmp_path) == ["01-a"]


def test_judge_variants_isolates_each_variant_and_survives_a_dead_kernel(tmp_path):
    nb = toy_notebook(
        ("setup", "import os\nstate = {'calls': 0}"),
        ("answer", "def double(x):\n    return 2 * x"),
        ("test", "assert double(3) == 6, f'double(3) is {double(3)}'"),
    )
    nb.cells[1].metadata["nbgrader"].update(solution=True, locked=False)
    correct = nb.cells[1].source
    variants = [
        ("c1", "def double(x):\n    return x + 2"),  # wrong
        ("c1", "os._exit(1)"),  # kills the kernel
        ("c1", correct),  # right again, after the crash
        ("c1", "def double(x):\n    return 2 * x\ndel os"),  # breaks later state
        ("c1", "def double(x):\n    return 2 * x if 'os' in globals() else 0"),
    ]
    master, judged = harness.judge_variants(nb, variants, tmp_path, grading.course_config(ROOT))
    assert master == {"c2": (1.0, 1.0, "")}
    verdicts = [j.verdicts for j in judged]
    points = [v["c2"][0] for v in verdicts]
    assert points == [0.0, 0.0, 1.0, 1.0, 1.0], verdicts
    assert "double(3) is 5" in verdicts[0]["c2"][2]
    assert "DeadKernelError" in verdicts[1]["c2"][2]


def test_judge_variants_undoes_a_variant_that_redefines_an_earlier_answer(tmp_path):
    nb = toy_notebook(
        ("answer", "def double(x):\n    return 2 * x"),
        ("test", "assert double(3) == 6, f'double(3) is {double(3)}'"),
        ("answer", "def triple(x):\n    return 3 * x"),
        ("test", "assert triple(2) == 6 and double(1) == 2, 'triple or double is wrong'"),
    )
    for answer in (0, 2):
        nb.cells[answer].metadata["nbgrader"].update(solution=True, locked=False)
    sneaky = "def double(x):\n    return 0\n\ndef triple(x):\n    return 3 * x"
    variants = [("c2", sneaky), ("c0", nb.cells[0].source)]
    _, judged = harness.judge_variants(nb, variants, tmp_path, grading.course_config(ROOT))
    assert judged[0].verdicts["c3"][0] == 0.0
    assert judged[1].verdicts["c1"][0] == 1.0, "the redefined double() leaked into the next variant"


def test_judge_variants_keeps_no_master_function_for_a_variant_that_fails(tmp_path):
    """In nbgrader's fresh kernel, an answer cell that does not run defines nothing: its test
    fails. The harness drops what the master's cell bound before each variant, so a broken
    correct-looking answer cannot borrow the master's function."""
    nb = toy_notebook(
        ("setup", "def helper():\n    return 1"),
        ("answer", "def double(x):\n    return 2 * x"),
        ("test", "assert double(3) == 6, f'double(3) is {double(3)}'"),
    )
    variants = [
        ("c1", "def double(x):\n    return 2 * x)"),  # a syntax error
        ("c1", "raise RuntimeError('stopped early')\ndef double(x):\n    return 2 * x"),
        ("c1", "def helper():\n    return 2\ndef double(x):\n    return 2 * x"),
        ("c1", nb.cells[1].source),
    ]
    _, judged = harness.judge_variants(nb, variants, tmp_path, grading.course_config(ROOT))
    assert [j.verdicts["c2"][0] for j in judged] == [0.0, 0.0, 1.0, 1.0]
    assert "NameError" in judged[0].verdicts["c2"][2]
    assert judged[0].answer_error.startswith("SyntaxError")
    assert judged[1].answer_error == "RuntimeError: stopped early"
    assert judged[2].answer_error == judged[3].answer_error == ""
