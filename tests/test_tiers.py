"""The test tiers: markers registered, slow modules marked, the longest tests handed out first."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import tiers

from conftest import ROOT


def fake_item(nodeid: str, slow: bool = False) -> SimpleNamespace:
    """What ``tiers.order`` reads of a pytest item."""
    path = Path(nodeid.split("::")[0])
    return SimpleNamespace(
        nodeid=nodeid, path=path, get_closest_marker=lambda name: slow if name == "slow" else None
    )


def test_longest_groups_come_first_and_each_keeps_its_order():
    items = [
        fake_item("tests/test_checks.py::test_a"),
        fake_item("tests/test_grading.py::test_x[00-getting-started]"),
        fake_item("solutions/09-seg/09-seg.ipynb::Cell 0"),
        fake_item("tests/test_binder.py::test_render", slow=True),
        fake_item("solutions/09-seg/09-seg.ipynb::Cell 1"),
        fake_item("tests/test_grading.py::test_x[42-new-lesson]"),
        fake_item("tests/test_website.py::test_index"),
        fake_item("tests/test_jupyterlab.py::test_rest"),
    ]
    costs = {"00-getting-started": 4.5, "09-seg": 14.0}
    assert [item.nodeid for item in tiers.order(items, costs)] == [
        "tests/test_website.py::test_index",
        "tests/test_jupyterlab.py::test_rest",
        "tests/test_grading.py::test_x[42-new-lesson]",  # not timed yet: counts as the longest
        "solutions/09-seg/09-seg.ipynb::Cell 0",
        "solutions/09-seg/09-seg.ipynb::Cell 1",
        "tests/test_grading.py::test_x[00-getting-started]",
        "tests/test_binder.py::test_render",
        "tests/test_checks.py::test_a",
    ]


def test_lesson_costs_come_from_the_fast_rows_of_the_notebook_benchmark(tmp_path):
    results = tmp_path / "notebooks.json"
    results.write_text(
        json.dumps(
            {
                "columns": ["lesson", "mode", "status", "time (s)"],
                "rows": [["00-a", "fast", "ok", "4.5"], ["00-a", "cpu", "ok", "60"]],
            }
        )
    )
    assert tiers.lesson_costs(results) == {"00-a": 4.5}
    assert tiers.lesson_costs(tmp_path / "missing.json") == {}
    assert set(tiers.lesson_costs()) >= {"00-getting-started"}, "the stored benchmark is read"


def test_tier_markers_are_registered_and_the_plugin_is_loaded():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    registered = {line.split(":")[0].split("(")[0] for line in config["markers"]}
    assert {"slow", "nbgrader", "browser", "xdist_group"} <= registered
    assert "-p tiers" in config["addopts"]
    for marks in tiers.MODULE_MARKS.values():
        assert set(marks) <= registered


def test_one_worker_modules_exist_and_each_shares_a_module_fixture():
    for module in tiers.ONE_WORKER_MODULES:
        source = (ROOT / "tests" / module).read_text()
        assert 'scope="module"' in source, f"{module} builds nothing once per module"


def test_collecting_the_tensorflow_modules_does_not_import_tensorflow():
    # Only the worker that runs the TENSORFLOW_MODULES' group imports it, not each at collection.
    modules = [str(ROOT / "tests" / module) for module in tiers.TENSORFLOW_MODULES]
    code = (
        "import sys, pytest\n"
        f"code = pytest.main(['--collect-only', '-q', '-p', 'no:xdist', *{modules!r}])\n"
        "print('collected', code, 'tensorflow' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.stdout.strip().endswith("collected 0 False"), done.stdout[-2000:] + done.stderr
    for module in tiers.TENSORFLOW_MODULES:
        source = (ROOT / "tests" / module).read_text()
        assert 'xdist_group("' not in source, f"{module} names a group of its own"


def test_every_pytest_raises_in_the_suite_says_which_message_it_expects():
    """Without ``match=``, an exception of the same type raised deep inside NumPy (or by the
    wrong check) passes the test as well as the clear error it means to prove."""
    loose = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "raises"
                and getattr(node.func.value, "id", None) == "pytest"
                and not any(keyword.arg == "match" for keyword in node.keywords)
            ):
                loose.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not loose, f"pytest.raises without match=: {', '.join(loose)}"
