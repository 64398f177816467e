"""Convolution speed on fixed batched shapes: the course's solutions vs scipy vs TensorFlow.

python -m benchmarks.conv            # the full measurement, written to benchmarks/results/conv.*
python -m benchmarks.conv --quick    # tiny shapes, one repeat (a smoke test)

Every implementation computes the same thing: a valid (no padding), stride-1 cross-correlation
of an NHWC float32 batch with a (kh, kw, C, F) kernel bank, output (N, H-kh+1, W-kw+1, F). The
solution functions are read from the master notebooks at run time (lesson 03's ``conv2d`` and
``conv2d_fast``, 2D and single-channel; lesson 04's ``conv_multichannel``, one (H, W, C) image
and all F filters at once; lesson 05's ``conv2d_forward``, the whole batch) and composed into
that batched operation. Each output is checked
against ``tf.nn.conv2d`` before anything is timed. ``tf.nn.conv2d`` is also timed in two fresh
processes with ``TF_ENABLE_ONEDNN_OPTS=0`` and ``=1`` (the before/after of the course's setting).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import RESULTS, ROOT, median_time, write_result
from benchmarks.solution_code import load_solution

TARGET_RATIO = 5.0  # the vectorised solution within 5x of tf.nn.conv2d
RTOL, ATOL = 1e-4, 1e-4  # float64 solutions vs float32 TensorFlow (oneDNN or not)


@dataclass(frozen=True)
class Shape:
    """A batch of ``n`` images ``h x w x c`` and ``f`` filters of ``k x k``."""

    n: int
    h: int
    w: int
    c: int
    f: int
    k: int
    loop_images: int  # the loop versions are timed on this many images and scaled to n

    @property
    def label(self) -> str:
        return f"{self.n}×{self.h}×{self.w}×{self.c}, {self.f} {self.k}×{self.k} filters"


FULL_SHAPES = (Shape(64, 28, 28, 1, 32, 3, 64), Shape(16, 128, 128, 3, 16, 3, 1))
QUICK_SHAPES = (Shape(3, 9, 8, 1, 2, 3, 3), Shape(2, 12, 10, 2, 3, 3, 1))


def make_inputs(shape: Shape, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A float32 batch (N, H, W, C) and kernel bank (k, k, C, F) of standard normal values."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(shape.n, shape.h, shape.w, shape.c)).astype(np.float32)
    w = rng.normal(size=(shape.k, shape.k, shape.c, shape.f)).astype(np.float32)
    return x, w


def per_image_filter_channel(conv2d: Callable) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Batched convolution from a 2D single-channel ``conv2d(X, W)``: N*F*C calls, summed over C."""

    def run(x: np.ndarray, w: np.ndarray) -> np.ndarray:
        n, h, wd, c = x.shape
        kh, kw, _, f = w.shape
        out = np.zeros((n, h - kh + 1, wd - kw + 1, f))
        for i in range(n):
            for j in range(f):
                for ch in range(c):
                    out[i, :, :, j] += conv2d(x[i, :, :, ch], w[:, :, ch, j])
        return out

    return run


def per_image(conv_multichannel: Callable) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Batched convolution from ``conv_multichannel(X (H, W, C), W (kh, kw, C, F))``: N calls."""

    def run(x: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.stack([conv_multichannel(image, w) for image in x])

    return run


def batched_einsum(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Reference (not a course solution): the whole batch in one einsum, float32, BLAS path."""
    from numpy.lib.stride_tricks import sliding_window_view

    windows = sliding_window_view(x, w.shape[:2], axis=(1, 2))  # (N, H', W', C, kh, kw)
    return np.einsum("nijcuv,uvcf->nijf", windows, w, optimize=True)


def tf_conv(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``tf.nn.conv2d`` on the whole batch (float32, NHWC, VALID), back as a NumPy array."""
    import tensorflow as tf

    return tf.nn.conv2d(x, w, strides=1, padding="VALID").numpy()


def check_agrees(name: str, got: np.ndarray, expected: np.ndarray) -> float:
    """The largest difference of ``got`` from ``tf.nn.conv2d``'s ``expected``; raises if too big."""
    got = np.asarray(got)
    if got.shape != expected.shape:
        raise AssertionError(
            f"{name} returned shape {got.shape}, tf.nn.conv2d {expected.shape}: the composition of "
            "the solution calls is wrong (expected NHWC, valid, output n - k + 1)"
        )
    scale = float(np.abs(expected).max()) or 1.0
    if not np.allclose(got, expected, rtol=RTOL, atol=ATOL * scale):
        worst = float(np.abs(got - expected).max())
        raise AssertionError(
            f"{name} differs from tf.nn.conv2d by up to {worst:.3g} (values up to {scale:.3g}); "
            "fix the implementation or its harness before timing it"
        )
    return float(np.abs(got - expected).max())


def tf_times(shapes: tuple[Shape, ...], repeats: int) -> list[float]:
    """Median seconds of ``tf.nn.conv2d`` for each shape (after a warm-up call)."""
    times = []
    for shape in shapes:
        x, w = make_inputs(shape)
        times.append(median_time(lambda x=x, w=w: tf_conv(x, w), repeats=repeats, warmup=2))
    return times


def tf_times_in_subprocess(onednn: str, quick: bool, repeats: int) -> list[float]:
    """``tf_times`` in a fresh Python with ``TF_ENABLE_ONEDNN_OPTS=onednn`` (read at import)."""
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=onednn, TF_CPP_MIN_LOG_LEVEL="3")
    command = [sys.executable, "-m", "benchmarks.conv", "--tf-worker", "--repeats", str(repeats)]
    result = subprocess.run(
        command + (["--quick"] if quick else []),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(
            f"the tf.nn.conv2d worker with TF_ENABLE_ONEDNN_OPTS={onednn} failed:\n"
            f"{result.stderr[-2000:]}"
        )
    return json.loads(result.stdout.strip().splitlines()[-1])["seconds"]


BATCHED = "lesson 05 `conv2d_forward` (vectorised, whole batch)"


def load_functions() -> dict[str, Callable]:
    """The solution functions, from the master notebooks of lessons 03 and 04."""
    functions = load_solution("03-conv2d", ["conv2d", "conv2d_fast"])
    functions.update(load_solution("04-conv3d", ["conv_multichannel"]))
    functions.update(load_solution("05-training-a-cnn", ["conv2d_forward"]))
    return functions


def batched_forward(conv2d_forward: Callable) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Lesson 05's layer function on the whole batch, with a zero bias."""

    def run(x: np.ndarray, w: np.ndarray) -> np.ndarray:
        return conv2d_forward(x, w, np.zeros(w.shape[-1], dtype=x.dtype))[0]

    return run


def implementations(
    shape: Shape, functions: dict[str, Callable]
) -> list[tuple[str, str, Callable[[np.ndarray, np.ndarray], np.ndarray], bool]]:
    """(name, how it is composed, batched function, timed on a slice?) for every row."""
    from scipy.signal import correlate2d

    calls = f"N·F·C = {shape.n * shape.f * shape.c} 2D calls, summed over C"
    sliced = shape.loop_images < shape.n
    loop_note = f" (timed on {shape.loop_images} image(s), ×{shape.n / shape.loop_images:g})"
    return [
        (
            "lesson 03 `conv2d` (loops)",
            calls + (loop_note if sliced else ""),
            per_image_filter_channel(functions["conv2d"]),
            sliced,
        ),
        (
            "lesson 04 `conv_multichannel` (loop over pixels)",
            f"N = {shape.n} calls, all C and F at once" + (loop_note if sliced else ""),
            per_image(functions["conv_multichannel"]),
            sliced,
        ),
        (
            "lesson 03 `conv2d_fast` (vectorised)",
            calls,
            per_image_filter_channel(functions["conv2d_fast"]),
            False,
        ),
        (
            BATCHED,
            "1 call: sliding windows and one einsum",
            batched_forward(functions["conv2d_forward"]),
            False,
        ),
        (
            "`scipy.signal.correlate2d`",
            calls,
            per_image_filter_channel(lambda a, b: correlate2d(a, b, mode="valid")),
            False,
        ),
        (
            "reference: one batched einsum (float32)",
            "1 call: windows of the batch × kernels",
            batched_einsum,
            False,
        ),
        ("`tf.nn.conv2d`", "1 call, float32", tf_conv, False),
    ]


def measure(shapes: tuple[Shape, ...], repeats: int, loop_repeats: int) -> list[dict[str, Any]]:
    """Check every implementation against tf.nn.conv2d, then time it; one record per row."""
    functions = load_functions()
    records = []
    for shape in shapes:
        x, w = make_inputs(shape)
        expected = tf_conv(x, w)
        for name, composed, run, sliced in implementations(shape, functions):
            images = shape.loop_images if sliced else shape.n
            xs = x[:images]
            error = check_agrees(f"{name} on {shape.label}", run(xs, w), expected[:images])
            slow = "loop" in name
            seconds = median_time(
                lambda run=run, xs=xs, w=w: run(xs, w),
                repeats=loop_repeats if slow else repeats,
                warmup=0 if slow else 1,
            )
            records.append(
                {
                    "shape": shape.label,
                    "implementation": name,
                    "composed": composed,
                    "seconds": seconds * shape.n / images,
                    "measured_images": images,
                    "max_abs_difference": error,
                }
            )
            print(
                f"{shape.label:38} {name:55} {seconds * shape.n / images * 1e3:10.2f} ms",
                flush=True,
            )
    return records


def ratio_rows(records: list[dict[str, Any]]) -> list[list[Any]]:
    """Table rows with each time as a ratio to the same shape's in-process tf.nn.conv2d."""
    tf_seconds = {
        r["shape"]: r["seconds"] for r in records if r["implementation"] == "`tf.nn.conv2d`"
    }
    rows = []
    for r in records:
        base = tf_seconds.get(r["shape"])
        ratio = f"{r['seconds'] / base:,.1f}×" if base else "–"
        rows.append(
            [r["shape"], r["implementation"], r["composed"], f"{r['seconds'] * 1e3:,.2f}", ratio]
        )
    return rows


def target_notes(records: list[dict[str, Any]]) -> list[str]:
    """One line per shape: is the vectorised solution within TARGET_RATIO of tf.nn.conv2d?"""
    lines = []
    for label in dict.fromkeys(r["shape"] for r in records):
        times = {r["implementation"]: r["seconds"] for r in records if r["shape"] == label}
        tf_s = times["`tf.nn.conv2d`"]
        batched = times[BATCHED] / tf_s
        per_call = times["lesson 03 `conv2d_fast` (vectorised)"] / tf_s
        einsum = times["reference: one batched einsum (float32)"] / tf_s
        verdict = "met" if batched <= TARGET_RATIO else "MISSED"
        lines.append(
            f"- {label}: the vectorised solution for a batch, lesson 05's `conv2d_forward`, takes "
            f"{batched:,.1f}× `tf.nn.conv2d`'s time: target ≤ {TARGET_RATIO:g}× **{verdict}**. "
            f"Lesson 03's `conv2d_fast` (one 2D image and one kernel per call) needs "
            f"{per_call:,.0f}× through its per-call cost; one float32 einsum over the whole "
            f"batch: {einsum:,.1f}×."
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny shapes, one repeat")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per row (median)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    parser.add_argument("--no-onednn", action="store_true", help="skip the oneDNN 0/1 processes")
    parser.add_argument("--tf-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    shapes = QUICK_SHAPES if args.quick else FULL_SHAPES
    repeats = args.repeats or (1 if args.quick else 7)

    from cnncourse import config

    if "tensorflow" not in sys.modules:  # as every notebook does: before importing it
        config.quiet_tensorflow()
    if args.tf_worker:
        print(json.dumps({"seconds": tf_times(shapes, repeats)}))
        return 0
    load_at_start = os.getloadavg()
    records = measure(shapes, repeats, loop_repeats=1 if args.quick else 3)
    rows = ratio_rows(records)

    onednn: dict[str, list[float]] = {}
    if not args.no_onednn:
        for setting in ("0", "1"):
            onednn[setting] = tf_times_in_subprocess(
                setting, args.quick, max(repeats, 3 if args.quick else 20)
            )
        for i, shape in enumerate(shapes):
            off, on = onednn["0"][i], onednn["1"][i]
            for setting, seconds in (("0", off), ("1", on)):
                rows.append(
                    [
                        shape.label,
                        f"`tf.nn.conv2d`, TF_ENABLE_ONEDNN_OPTS={setting}",
                        "1 call, float32, in a fresh process",
                        f"{seconds * 1e3:,.2f}",
                        f"{seconds / on:,.2f}× the =1 process",
                    ]
                )

    import tensorflow as tf

    paragraphs = [
        "Valid, stride-1 cross-correlation of a float32 NHWC batch, output (N, n−k+1, n−k+1, F); "
        "every implementation is checked against `tf.nn.conv2d` (rtol 1e-4, atol 1e-4 × max|out|) "
        "before it is timed. Times are medians of "
        f"{repeats} run(s) ({1 if args.quick else 3} for the loop versions) after a warm-up; "
        "ratios "
        "are to `tf.nn.conv2d` timed in the same process. The solutions are the master "
        "notebooks' own functions, read at run time; lessons 03 and 04 compute in float64.",
        "Composition: lesson 03's functions are 2D and single-channel, so the batch is N·F·C "
        "calls, one per (image, filter, input channel), summed over channels (`scipy.signal."
        "correlate2d` is composed the same way); lesson 04's `conv_multichannel` takes one "
        "(H, W, C) image and all F filters, so it is called once per image. The loop versions "
        "on the 128×128 batch are timed on a slice of the batch and scaled linearly to N images "
        "(the row says so).",
        "Lesson 05's `conv2d_forward` (the course's CS231n-style layer function, given in the "
        "notebook) convolves the whole channels-last batch at once, keeping float32: it is the "
        'vectorised solution the 5× target is judged on. "reference" is not a course '
        "solution: one einsum over the sliding windows of the whole batch.",
    ]
    bullets = target_notes(records)
    if onednn:
        for i, shape in enumerate(shapes):
            bullets.append(
                f"- oneDNN before/after, {shape.label}: `tf.nn.conv2d` takes "
                f"{onednn['0'][i] * 1e3:,.2f} ms with TF_ENABLE_ONEDNN_OPTS=0 and "
                f"{onednn['1'][i] * 1e3:,.2f} ms with =1 ({onednn['0'][i] / onednn['1'][i]:.2f}×), "
                "each in its own process."
            )
    bullets.append(
        f"- TensorFlow {tf.__version__}, NumPy {np.__version__}; threads: all cores "
        f"({os.cpu_count()}). No GPU is lent to this task: no GPU figures."
    )
    bullets.append(
        f"- Load average (1, 5, 15 min) when this run began: "
        f"{tuple(round(v, 2) for v in load_at_start)}; the machine line below is read at "
        "the end. The machine is shared: compare ratios, not absolute times."
    )
    if args.quick:
        paragraphs.insert(0, "**Quick smoke run (tiny shapes, one repeat): not a measurement.**")
    notes = "\n\n".join(paragraphs) + "\n\n" + "\n".join(bullets)
    path = write_result(
        "conv",
        "Convolution: the course's implementations vs scipy and TensorFlow (CPU)",
        ["batch and filters", "implementation", "calls", "median ms", "vs tf.nn.conv2d"],
        rows,
        notes=notes,
        extra={
            "records": records,
            "onednn_seconds": onednn,
            "target_ratio": TARGET_RATIO,
            "load_average_at_start": load_at_start,
            "quick": args.quick,
        },
        results_dir=args.results_dir,
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
