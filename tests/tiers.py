"""Test tiers and the order in which a session hands tests out (a pytest plugin, ``-p tiers``).

The markers, registered in ``pyproject.toml`` and explained in CONTRIBUTING.md:

* ``slow`` -- starts a Jupyter kernel, a server or a build: executes notebooks, trains a
  model, runs nbgrader, builds the website, drives a browser (seconds to minutes each);
* ``nbgrader`` -- runs nbgrader (``generate_assignment``, ``autograde``, feedback) or the
  class grader;
* ``browser`` -- drives headless Chromium.

``make test-unit`` runs what carries none of them. Most test modules mark their own tests; the
modules in ``MODULE_MARKS`` are marked here, as a whole (they grade notebooks in kernels from
top to bottom, and are edited by many hands, so one line here is easier to keep right).

Order: with ``--dist loadgroup --no-loadscope-reorder`` pytest-xdist hands out the groups of
tests in collection order, one group at a time to whichever worker is free. Handing the longest
out first (``order``) keeps the session from ending with one worker running a long test while
the others idle. nbval's cells of one notebook form one group (``xdist_group`` per notebook),
so they run in order in one kernel, as ``--dist loadfile`` would keep them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULE_MARKS = {
    "test_grading.py": ("slow", "nbgrader"),
    "test_website.py": ("slow",),
    "test_classgrade.py": ("slow", "nbgrader"),
    "test_attacks.py": ("slow", "nbgrader"),
    "test_grader_report.py": ("slow", "nbgrader"),
    "test_warnings_cost_nothing.py": ("slow", "nbgrader"),
    "test_sandbox.py": ("slow",),
    "test_mistakes.py": ("slow",),
    "test_alternatives.py": ("slow",),
    "test_harness.py": ("slow",),
    "test_grading_lib.py": ("slow",),
    "test_benchmarks_segmentation.py": ("slow",),
    "test_lessons_l08.py": ("slow",),  # builds Keras models
}
# Modules whose tests share one long set-up (a site build, a server, a graded batch): first.
# Among them, the Slurm and sandbox tests mostly wait (on Slurm's daemons, on a fork bomb):
# early, while the other worker grades a batch two jobs at a time, their idle core is used;
# at the end, it was not (about 20 s with one core idle).
LONG_MODULES = (
    "test_website.py",
    "test_classgrade.py",
    "test_slurm.py",
    "test_sandbox.py",
    "test_attacks.py",
    "test_scaffold.py",
    "test_jupyterlab.py",
)
# Modules whose module-scoped fixture is worth building once (a graded course, a zygote, a job
# server): all their tests go to one worker (one xdist group), not some to each.
ONE_WORKER_MODULES = (
    "test_warnings_cost_nothing.py",
    "test_jobserver.py",
    "test_sandbox.py",
    "test_zygote.py",
)
# Modules whose tests import TensorFlow in the worker itself (Keras models, the benchmarks'
# smoke runs): one group, so that one worker imports it (about 4 s of CPU), not each.
TENSORFLOW_MODULES = (
    "test_lessons_l08.py",
    "test_lessons_04_07.py",
    "test_device_and_plotting.py",
    "test_benchmarks_conv_training.py",
    "test_benchmarks_segmentation.py",
)
TENSORFLOW_GROUP = "tensorflow-in-process"
LESSON = re.compile(r"\d\d-[a-z0-9-]+")


def lesson_costs(results: Path = ROOT / "benchmarks" / "results" / "notebooks.json") -> dict:
    """Seconds each lesson's master took to run in fast mode, from the notebook benchmark."""
    try:
        record = json.loads(results.read_text())
        lesson, mode, seconds = (record["columns"].index(c) for c in ("lesson", "mode", "time (s)"))
        return {row[lesson]: float(row[seconds]) for row in record["rows"] if row[mode] == "fast"}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def order(items: list[pytest.Item], costs: dict[str, float]) -> list[pytest.Item]:
    """The items, longest groups first: the LONG_MODULES, then everything tied to a lesson
    (nbval's cells, tests parametrized by lesson), most expensive lesson first (a lesson the
    benchmark has not timed yet counts as the most expensive), then the other slow tests, then
    the rest. Stable: tests of one module or notebook keep their order."""
    unknown = max(costs.values(), default=0.0) + 1

    def key(indexed: tuple[int, pytest.Item]) -> tuple:
        index, item = indexed
        module = item.path.name
        if module in LONG_MODULES:
            return (0, LONG_MODULES.index(module), index)
        match = LESSON.search(item.nodeid)
        if match:
            return (1, -costs.get(match.group(0), unknown), index)
        return (2, 0 if item.get_closest_marker("slow") else 1, index)

    return [item for _, item in sorted(enumerate(items), key=key)]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the MODULE_MARKS modules, group nbval's cells per notebook, the
    ONE_WORKER_MODULES per module and the TENSORFLOW_MODULES together, order the session."""
    for item in items:
        for name in MODULE_MARKS.get(item.path.name, ()):
            item.add_marker(name)
        if item.path.name in ONE_WORKER_MODULES:
            item.add_marker(pytest.mark.xdist_group(item.path.stem))
        if item.path.name in TENSORFLOW_MODULES:
            item.add_marker(pytest.mark.xdist_group(TENSORFLOW_GROUP))
        if item.path.suffix == ".ipynb":  # an nbval cell
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.xdist_group(item.path.stem))
    items[:] = order(items, lesson_costs())
