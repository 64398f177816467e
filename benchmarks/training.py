"""Training time to accuracy on this machine's CPU: the course's models, built by its solutions.

python -m benchmarks.training            # the full measurement -> benchmarks/results/training.*
python -m benchmarks.training --quick    # tiny data, one epoch each (a smoke test)

Three runs, each capped by epochs and by wall time, each stopped as soon as it reaches all its
targets:

* lesson 06's CPU-sized model (``build_cpu_model``, width 16) with the notebook's cpu-mode
  recipe -- time to 98.5% and 99.0% validation accuracy;
* lesson 07's LeNet-5 (``build_lenet5``) with the notebook's recipe -- the same targets;
* lesson 09's U-Net (``build_unet``) on generated nuclei (``cnncourse.segdata``) -- time to a
  mean validation Dice (the solution's ``dice_coefficient`` at threshold 0.5) of 0.9.

The digits are whatever ``cnncourse.data.load_mnist`` gives without downloading: real MNIST if
a copy is on disk, else scikit-learn's digits upscaled to 28x28; the table names which. One
epoch of the CPU-sized model is also timed in two fresh processes with
``TF_ENABLE_ONEDNN_OPTS=0`` and ``=1`` (the before/after of the course's setting).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import RESULTS, ROOT, write_result
from benchmarks.solution_code import load_solution

ACCURACY_TARGETS = (0.985, 0.99)
DICE_TARGETS = (0.9,)


# ------------------------------------------------------------------ time-to-target logic


@dataclass(frozen=True)
class EpochRecord:
    """One epoch: its number (1-based), wall seconds since training began, the metric value."""

    epoch: int
    seconds: float
    value: float


def first_reached(history: Sequence[EpochRecord], target: float) -> EpochRecord | None:
    """The first epoch whose value is at least ``target`` (None if none is)."""
    for record in history:
        if record.value >= target:
            return record
    return None


def describe_outcome(history: Sequence[EpochRecord], target: float, stop_reason: str = "") -> str:
    """``"41.2 s (epoch 7)"``, or ``"not reached in N epochs (best X at epoch E)"``."""
    if not history:
        return "no epoch finished"
    hit = first_reached(history, target)
    if hit is not None:
        return f"{hit.seconds:,.1f} s (epoch {hit.epoch})"
    best = max(history, key=lambda r: r.value)
    why = f"; {stop_reason}" if stop_reason else ""
    return (
        f"not reached in {len(history)} epoch(s), {history[-1].seconds:,.0f} s "
        f"(best {best.value:.4f} at epoch {best.epoch}{why})"
    )


def steady_epoch_seconds(history: Sequence[EpochRecord]) -> float | None:
    """Median length of the epochs after the first (which also traces the graph)."""
    lengths = [b.seconds - a.seconds for a, b in zip(history, history[1:])]
    if lengths:
        return statistics.median(lengths)
    return history[0].seconds if history else None


def time_to_target_callback(
    targets: Sequence[float],
    metric: Callable[[dict[str, Any]], float],
    max_seconds: float,
) -> Any:
    """A Keras callback recording, after every epoch, the wall time and ``metric(logs)``.

    It stops training once every target is reached or ``max_seconds`` have passed since
    training began; ``.history`` holds the :class:`EpochRecord` list, ``.stop_reason`` why it
    stopped early (empty when it ran all its epochs).
    """
    import keras

    class TimeToTarget(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.history: list[EpochRecord] = []
            self.stop_reason = ""
            self.start = time.perf_counter()

        def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            value = float(metric(dict(logs or {})))
            self.history.append(EpochRecord(epoch + 1, time.perf_counter() - self.start, value))
            if all(first_reached(self.history, t) for t in targets):
                self.stop_reason = "all targets reached"
                self.model.stop_training = True
            elif self.history[-1].seconds >= max_seconds:
                self.stop_reason = f"time cap {max_seconds:.0f} s"
                self.model.stop_training = True

    return TimeToTarget()


# ------------------------------------------------------------------ the three runs


@dataclass
class RunResult:
    """What one training run produced."""

    name: str
    model: str
    data: str
    metric: str
    targets: tuple[float, ...]
    max_epochs: int
    history: list[EpochRecord] = field(default_factory=list)
    stop_reason: str = ""
    parameters: int = 0
    n_valid: int = 0


def _fit(model: Any, train: Any, valid: Any, epochs: int, callback: Any, **kwargs: Any) -> None:
    model.fit(
        train,
        validation_data=valid,
        epochs=epochs,
        callbacks=[callback],
        verbose=0,
        shuffle=False,
        **kwargs,
    )


def digits(quick: bool) -> Any:
    """The digit data the course has here, never downloaded (real MNIST only if on disk)."""
    from cnncourse import data

    return data.load_mnist(download=False)


def run_mnist_cpu(quick: bool, max_epochs: int, max_seconds: float, seed: int = 0) -> RunResult:
    """Lesson 06's CPU-sized model with the notebook's cpu-mode recipe (tf.data, cosine Adam)."""
    import keras
    import tensorflow as tf

    ns = load_solution("06-mnist-keras", ["preprocess", "build_cpu_model"])
    mnist = digits(quick)
    x_all, y_all = ns["preprocess"](mnist.x_train, mnist.y_train)
    order = np.random.default_rng(42).permutation(len(x_all))  # the notebook's split
    n_valid = len(x_all) // 12
    x_valid, y_valid = x_all[order[:n_valid]], y_all[order[:n_valid]]
    x_train, y_train = x_all[order[n_valid:]], y_all[order[n_valid:]]
    if quick:
        x_train, y_train, x_valid, y_valid = x_train[:64], y_train[:64], x_valid[:32], y_valid[:32]
    batch_size = 128

    def dataset(x: np.ndarray, y: np.ndarray, shuffle: bool) -> Any:
        ds = tf.data.Dataset.from_tensor_slices((x, y)).cache()
        if shuffle:
            ds = ds.shuffle(len(x), seed=0, reshuffle_each_iteration=True)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    keras.utils.set_random_seed(seed)
    model = ns["build_cpu_model"](width=4 if quick else 16)
    steps = max_epochs * -(-len(x_train) // batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(3e-3, decay_steps=steps, alpha=0.02)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    callback = time_to_target_callback(
        ACCURACY_TARGETS, lambda logs: logs["val_accuracy"], max_seconds
    )
    _fit(
        model,
        dataset(x_train, y_train, True),
        dataset(x_valid, y_valid, False),
        max_epochs,
        callback,
    )
    return RunResult(
        "mnist_cpu",
        f"lesson 06 `build_cpu_model` (width {4 if quick else 16})",
        f"{mnist.describe()}; {len(x_train):,} train / {len(x_valid):,} validation",
        "validation accuracy",
        ACCURACY_TARGETS,
        max_epochs,
        callback.history,
        callback.stop_reason,
        model.count_params(),
        len(x_valid),
    )


def run_lenet5(quick: bool, max_epochs: int, max_seconds: float, seed: int = 1) -> RunResult:
    """Lesson 07's LeNet-5 with the notebook's recipe (Adam 1e-3, batch 64, last 10% validate)."""
    import keras

    ns = load_solution("07-classic-architectures", ["build_lenet5"])
    mnist = digits(quick)

    def to_lenet_input(images: np.ndarray) -> np.ndarray:
        return np.pad(images.astype("float32") / 255.0, ((0, 0), (2, 2), (2, 2)))[..., np.newaxis]

    x, y = to_lenet_input(mnist.x_train), mnist.y_train
    if quick:
        x, y = x[:96], y[:96]
    split = int(len(x) * 0.9)  # what validation_split=0.1 does: the last 10%, not shuffled
    x_train, y_train, x_valid, y_valid = x[:split], y[:split], x[split:], y[split:]
    keras.utils.set_random_seed(seed)
    model = ns["build_lenet5"]()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    callback = time_to_target_callback(
        ACCURACY_TARGETS, lambda logs: logs["val_accuracy"], max_seconds
    )
    model.fit(
        x_train,
        y_train,
        batch_size=64,
        validation_data=(x_valid, y_valid),
        epochs=max_epochs,
        callbacks=[callback],
        verbose=0,
    )
    return RunResult(
        "lenet5",
        "lesson 07 `build_lenet5`",
        f"{mnist.describe()}; {len(x_train):,} train / {len(x_valid):,} validation",
        "validation accuracy",
        ACCURACY_TARGETS,
        max_epochs,
        callback.history,
        callback.stop_reason,
        model.count_params(),
        len(x_valid),
    )


def run_unet(
    quick: bool, max_epochs: int, max_seconds: float, n_images: int = 500, seed: int = 0
) -> RunResult:
    """Lesson 09's U-Net on generated nuclei with the notebook's recipe, judged by Dice."""
    import keras
    import tensorflow as tf

    from cnncourse import segdata

    ns = load_solution("09-segmentation", ["build_unet", "dice_coefficient"])
    size = 32 if quick else 128
    data = segdata.make_cells(8 if quick else n_images, size=size, seed=0)
    order = np.random.default_rng(0).permutation(len(data))  # the notebook's split
    n_test = n_val = max(1, len(data) // 10)
    _, val_idx, train_idx = np.split(order, [n_test, n_test + n_val])
    x_train, y_train = data.images[train_idx], data.masks[train_idx]
    x_val, y_val = data.images[val_idx], data.masks[val_idx]
    batch_size = 16
    train = (
        tf.data.Dataset.from_tensor_slices((x_train, y_train[..., None].astype("float32")))
        .cache()
        .shuffle(len(x_train), seed=0, reshuffle_each_iteration=True)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    keras.utils.set_random_seed(seed)
    model = ns["build_unet"](x_train.shape[1:])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    dice = ns["dice_coefficient"]

    def mean_dice(logs: dict[str, Any]) -> float:
        probabilities = model.predict(x_val, batch_size=batch_size, verbose=0)[..., 0]
        return float(np.mean(dice(y_val, probabilities > 0.5)))

    callback = time_to_target_callback(DICE_TARGETS, mean_dice, max_seconds)
    _fit(model, train, None, max_epochs, callback)
    return RunResult(
        "unet",
        "lesson 09 `build_unet`",
        f"{data.describe()}; {len(x_train):,} train / {len(x_val):,} validation",
        "mean validation Dice",
        DICE_TARGETS,
        max_epochs,
        callback.history,
        callback.stop_reason,
        model.count_params(),
        len(x_val),
    )


# ------------------------------------------------------------------ oneDNN before/after


def epoch_seconds(quick: bool, epochs: int = 3) -> dict[str, float]:
    """Seconds of the first and (median) later epochs of the CPU-sized model, no targets."""
    result = run_mnist_cpu(quick, max_epochs=epochs, max_seconds=float("inf"))
    first = result.history[0].seconds if result.history else float("nan")
    return {"first": first, "steady": steady_epoch_seconds(result.history) or float("nan")}


def epoch_seconds_in_subprocess(onednn: str, quick: bool) -> dict[str, float]:
    """``epoch_seconds`` in a fresh Python with ``TF_ENABLE_ONEDNN_OPTS=onednn``."""
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=onednn, TF_CPP_MIN_LOG_LEVEL="3")
    command = [sys.executable, "-m", "benchmarks.training", "--epoch-worker"]
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
            f"the one-epoch worker with TF_ENABLE_ONEDNN_OPTS={onednn} failed:\n"
            f"{result.stderr[-2000:]}"
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ table


def result_rows(results: Sequence[RunResult]) -> list[list[Any]]:
    """One table row per (run, target)."""
    rows = []
    for r in results:
        steady = steady_epoch_seconds(r.history)
        for target in r.targets:
            rows.append(
                [
                    r.model,
                    f"{r.parameters:,}",
                    r.data,
                    f"{r.metric} ≥ {target:g}",
                    describe_outcome(r.history, target, r.stop_reason),
                    f"{steady:,.1f}" if steady is not None else "–",
                ]
            )
    return rows


def target_notes(results: Sequence[RunResult]) -> list[str]:
    """One bullet per run and target: met or missed, with numbers."""
    lines = []
    for r in results:
        for target in r.targets:
            hit = first_reached(r.history, target)
            best = max((h.value for h in r.history), default=float("nan"))
            granularity = ""
            if r.n_valid and "accuracy" in r.metric:
                needed = int(np.ceil(target * r.n_valid - 1e-9))
                granularity = (
                    f" With {r.n_valid} validation images one image is "
                    f"{100 / r.n_valid:.2f}%: the target needs {needed} correct."
                )
            if hit:
                lines.append(
                    f"- {r.model}: {r.metric} {target:g} **reached** after {hit.seconds:,.1f} s "
                    f"(epoch {hit.epoch}, value {hit.value:.4f}).{granularity}"
                )
            else:
                lines.append(
                    f"- {r.model}: {r.metric} {target:g} **not reached** in {len(r.history)} "
                    f"epoch(s) (cap {r.max_epochs} epochs / {r.stop_reason or 'all epochs run'}); "
                    f"best {best:.4f}.{granularity}"
                )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny data, one epoch per model")
    parser.add_argument("--max-seconds", type=float, default=240.0, help="time cap per run")
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    parser.add_argument("--no-onednn", action="store_true", help="skip the oneDNN 0/1 processes")
    parser.add_argument("--only", nargs="*", default=None, help="mnist_cpu, lenet5 and/or unet")
    parser.add_argument("--epoch-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    from cnncourse import config

    if "tensorflow" not in sys.modules:  # as every notebook does: before importing it
        config.quiet_tensorflow()
    if args.epoch_worker:
        print(json.dumps(epoch_seconds(args.quick, epochs=1 if args.quick else 4)))
        return 0

    load_at_start = os.getloadavg()
    epochs = {"mnist_cpu": 30, "lenet5": 60, "unet": 40}
    runners = {"mnist_cpu": run_mnist_cpu, "lenet5": run_lenet5, "unet": run_unet}
    chosen = args.only or list(runners)
    unknown = [name for name in chosen if name not in runners]
    if unknown:
        parser.error(f"unknown run(s) {unknown}; choose from {', '.join(runners)}")
    results = []
    for name in chosen:
        started = time.perf_counter()
        result = runners[name](args.quick, 1 if args.quick else epochs[name], args.max_seconds)
        results.append(result)
        print(
            f"{name}: {len(result.history)} epoch(s) in {time.perf_counter() - started:.0f} s; "
            + "; ".join(
                describe_outcome(result.history, t, result.stop_reason) for t in result.targets
            ),
            flush=True,
        )

    onednn: dict[str, dict[str, float]] = {}
    if not args.no_onednn:
        for setting in ("0", "1"):
            onednn[setting] = epoch_seconds_in_subprocess(setting, args.quick)
            print(f"TF_ENABLE_ONEDNN_OPTS={setting}: {onednn[setting]}", flush=True)

    import tensorflow as tf

    paragraphs = [
        "Wall time from the start of `model.fit` (graph tracing and validation included) to "
        "the end of the first epoch whose validation metric reaches the target; each run stops "
        f"once all its targets are reached, after {args.max_seconds:.0f} s, or at its epoch cap "
        '(CPU-sized model 30, LeNet-5 60, U-Net 40). "s per epoch" is the median of the '
        "epochs after the first. One run per model: these are single measurements, not medians.",
        "Recipes are the notebooks' (cpu mode): the CPU-sized model with batch 128, Adam with "
        "cosine decay from 3e-3 over the epoch cap, a tf.data pipeline and the notebook's 1/12 "
        "validation split; LeNet-5 with Adam 1e-3, batch 64, the last 10% for validation; the "
        "U-Net with Adam, batch 16, binary cross-entropy, the notebook's 80/10/10 split of 500 "
        "generated 128×128 images, Dice from the solution's `dice_coefficient` on the "
        "thresholded (0.5) validation predictions after each epoch (that pass is timed too).",
    ]
    bullets = target_notes(results)
    if onednn:
        off, on = onednn["0"], onednn["1"]
        bullets.append(
            f"- oneDNN before/after (CPU-sized model, one epoch, each setting in its own "
            f"process): TF_ENABLE_ONEDNN_OPTS=0 {off['steady']:.2f} s per epoch (first epoch "
            f"{off['first']:.2f} s), =1 {on['steady']:.2f} s (first {on['first']:.2f} s): "
            f"{off['steady'] / on['steady']:.2f}× with oneDNN on."
        )
    threads = (
        tf.config.threading.get_intra_op_parallelism_threads(),
        tf.config.threading.get_inter_op_parallelism_threads(),
    )
    bullets.append(
        f"- TensorFlow {tf.__version__}, TF_ENABLE_ONEDNN_OPTS="
        f"{os.environ.get('TF_ENABLE_ONEDNN_OPTS', 'unset')}, intra/inter-op threads {threads} "
        f"(0 = all {os.cpu_count()} cores). No GPU is lent to this task: no GPU, mixed-precision "
        "or XLA figures."
    )
    bullets.append(
        f"- Load average (1, 5, 15 min) when this run began: "
        f"{tuple(round(v, 2) for v in load_at_start)}; the machine line below is read at "
        "the end. The machine is shared: compare ratios, not absolute times."
    )
    if args.quick:
        paragraphs.insert(0, "**Quick smoke run (tiny data, one epoch): not a measurement.**")
    path = write_result(
        "training",
        "Training time to accuracy (CPU)",
        ["model", "parameters", "data", "target", "time to target", "s per epoch"],
        result_rows(results),
        notes="\n\n".join(paragraphs) + "\n\n" + "\n".join(bullets),
        extra={
            "runs": [
                {
                    "name": r.name,
                    "model": r.model,
                    "data": r.data,
                    "metric": r.metric,
                    "targets": list(r.targets),
                    "max_epochs": r.max_epochs,
                    "stop_reason": r.stop_reason,
                    "history": [h.__dict__ for h in r.history],
                }
                for r in results
            ],
            "onednn_epoch_seconds": onednn,
            "max_seconds": args.max_seconds,
            "load_average_at_start": load_at_start,
            "quick": args.quick,
        },
        results_dir=args.results_dir,
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
