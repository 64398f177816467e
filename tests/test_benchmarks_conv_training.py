"""Smoke tests of the convolution and training benchmarks, and of the solution loader.

Tiny shapes, one repeat, one tiny epoch, results into tmp_path; nothing asserts on timings.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import numpy as np
import pytest

from benchmarks import conv, training
from benchmarks.solution_code import load_solution, read_cells, select_cells
from benchmarks.training import EpochRecord, describe_outcome, first_reached


# Out of the unit tier: importing TensorFlow alone takes seconds (tests/tiers.py keeps the
# modules that import it in the worker on one worker).
def needs_tf(test):
    return pytest.mark.slow(test)


def _notebook(path: Path) -> Path:
    """A small master-like notebook: setup, an answer, its test, and ordinary cells."""
    nb = nbformat.v4.new_notebook()

    def cell(source: str, **nbgrader: object) -> nbformat.NotebookNode:
        c = nbformat.v4.new_code_cell(source)
        if nbgrader:
            c.metadata["nbgrader"] = nbgrader
        return c

    nb.cells = [
        cell("import math\nCALLS = []", grade_id="setup", grade=False, solution=False),
        cell("SCALE = 3\nCALLS.append('scale')"),
        cell("raise RuntimeError('an expensive ordinary cell that nothing needs')"),
        cell(
            "def answer(x):\n    ### BEGIN SOLUTION\n    return helper(x) * SCALE\n"
            "    ### END SOLUTION",
            grade_id="answer",
            grade=False,
            solution=True,
        ),
        cell("raise AssertionError('a test cell must never run')", grade_id="t", grade=True),
        cell("%matplotlib inline\ndef helper(x):\n    return math.sqrt(x)"),
        cell("def answer_helper_unused():\n    return 1\nplain = answer(4)"),
    ]
    nbformat.write(nb, path)
    return path


def test_solution_loader_runs_answers_and_only_the_cells_they_need(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "demo.ipynb")
    chosen = [c.cell_id for c in select_cells(read_cells(path), ["answer"])]
    cells = read_cells(path)
    kinds = {c.cell_id: c.kind for c in cells}
    assert [kinds[i] for i in chosen] == ["setup", "ordinary", "solution", "ordinary"]
    got = load_solution(path, ["answer", "CALLS"])
    assert got["answer"](16) == 12.0
    assert got["CALLS"] == ["scale"]  # each needed cell ran once


def test_solution_loader_names_a_missing_function(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "demo.ipynb")
    with pytest.raises(KeyError, match="no_such_function.*answer"):
        load_solution(path, ["answer", "no_such_function"])
    with pytest.raises(FileNotFoundError, match="solutions/"):
        load_solution("99-no-such-lesson", ["x"])


def test_solution_loader_reads_the_lesson_functions_from_the_masters() -> None:
    got = load_solution("04-conv3d", ["conv_multichannel"])
    x = np.arange(2 * 5 * 4 * 3, dtype=float).reshape(2, 5, 4, 3)
    w = np.ones((2, 2, 3, 2))
    out = conv.per_image(got["conv_multichannel"])(x, w)
    assert out.shape == (2, 4, 3, 2)
    assert out[0, 0, 0, 0] == pytest.approx(x[0, :2, :2, :].sum())


def test_conv_check_rejects_a_flipped_kernel_and_a_wrong_shape() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 6, 6, 1)).astype(np.float32)
    w = rng.normal(size=(3, 3, 1, 2)).astype(np.float32)
    expected = conv.batched_einsum(x, w)
    assert conv.check_agrees("same", expected.astype(np.float64), expected) < 1e-5
    with pytest.raises(AssertionError, match="differs from tf.nn.conv2d"):
        conv.check_agrees("flipped", conv.batched_einsum(x, w[::-1, ::-1].copy()), expected)
    with pytest.raises(AssertionError, match="shape"):
        conv.check_agrees("short", expected[:, :-1], expected)


@needs_tf
def test_conv_quick_run_checks_every_implementation_and_writes_the_table(tmp_path: Path) -> None:
    assert conv.main(["--quick", "--no-onednn", "--results-dir", str(tmp_path)]) == 0
    record = json.loads((tmp_path / "conv.json").read_text())
    names = {r["implementation"] for r in record["extra"]["records"]}
    assert {"`tf.nn.conv2d`", "lesson 03 `conv2d_fast` (vectorised)"} <= names
    assert len(record["rows"]) == len(conv.QUICK_SHAPES) * 7
    assert all(r["max_abs_difference"] < 1e-3 for r in record["extra"]["records"])
    text = (tmp_path / "conv.md").read_text()
    assert "target ≤ 5×" in text and "No GPU is lent" in text and "_Machine:" in text


def test_time_to_target_is_the_first_epoch_at_or_above_the_target() -> None:
    history = [
        EpochRecord(1, 10.0, 0.90),
        EpochRecord(2, 18.0, 0.985),
        EpochRecord(3, 26.0, 0.984),
        EpochRecord(4, 34.0, 0.991),
    ]
    assert first_reached(history, 0.985) == history[1]
    assert first_reached(history, 0.99) == history[3]
    assert first_reached(history, 0.995) is None
    assert describe_outcome(history, 0.985) == "18.0 s (epoch 2)"
    missed = describe_outcome(history, 0.995, "time cap 240 s")
    assert missed.startswith("not reached in 4 epoch(s), 34 s")
    assert "best 0.9910 at epoch 4" in missed and "time cap 240 s" in missed
    assert training.steady_epoch_seconds(history) == 8.0
    assert describe_outcome([], 0.9) == "no epoch finished"


@needs_tf
def test_callback_stops_training_once_every_target_is_reached() -> None:
    class FakeModel:
        stop_training = False

    callback = training.time_to_target_callback((0.5, 0.8), lambda logs: logs["v"], 1e9)
    model = FakeModel()
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, value in enumerate([0.4, 0.6]):
        callback.on_epoch_end(epoch, {"v": value})
    assert not model.stop_training
    callback.on_epoch_end(2, {"v": 0.85})
    assert model.stop_training and callback.stop_reason == "all targets reached"
    assert [r.epoch for r in callback.history] == [1, 2, 3]

    capped = training.time_to_target_callback((0.99,), lambda logs: 0.0, max_seconds=0.0)
    capped.set_model(FakeModel())
    capped.on_train_begin()
    capped.on_epoch_end(0, {})
    assert capped.model.stop_training and capped.stop_reason.startswith("time cap")


@needs_tf
def test_training_quick_run_trains_one_tiny_epoch_and_writes_the_table(tmp_path: Path) -> None:
    argv = ["--quick", "--no-onednn", "--only", "lenet5", "--results-dir", str(tmp_path)]
    assert training.main(argv) == 0
    record = json.loads((tmp_path / "training.json").read_text())
    (run,) = record["extra"]["runs"]
    assert run["name"] == "lenet5" and len(run["history"]) == 1
    assert len(record["rows"]) == len(training.ACCURACY_TARGETS)
    text = (tmp_path / "training.md").read_text()
    assert "validation accuracy ≥ 0.985" in text and "No GPU is lent" in text
