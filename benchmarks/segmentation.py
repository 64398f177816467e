"""Lesson 09 on real microscopy: the plain recipe against the improved one, on the same tiles.

python -m benchmarks.segmentation            # the measurement -> benchmarks/results/segmentation.*
python -m benchmarks.segmentation --quick    # tiny generated data, one epoch each (a smoke test)
python -m benchmarks.segmentation --dir DIR  # also a folder of your own (train/ + test/, or not)

Every run uses the lesson's own code, read from the master notebook (``train_unet``,
``plain_recipe``, ``improved_recipe`` with ``augment_pair``, ``bce_dice_loss`` and the
solution's ``soft_dice_loss``, ``build_unet`` and ``dice_coefficient``), with the cpu-mode
settings of the notebook:

* the **shipped real sample** (``cnncourse.nucleidata.load_sample``: one 2018 Data Science
  Bowl image, its left quadrants for training, top-right for validation, bottom-right held
  out): plain recipe (binary cross-entropy, Adam 1e-3, no augmentation, early stopping with
  patience 5, at most 25 epochs) and improved recipe (augmentation, BCE + soft Dice, cosine
  decay from 2e-3, 20 epochs), plus one global Otsu threshold;
* **generated nuclei** (``segdata.make_cells``, split by image): the improved recipe, to show
  it keeps the generated-data score.

Targets (the lesson's brief): improved >= 0.85 mean test Dice on the sample within 5 minutes
of training, >= 0.05 above the plain recipe in the same run; generated data >= 0.95. Figures
are single runs on a shared machine; the load average is recorded with them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import RESULTS, write_result
from benchmarks.solution_code import load_solution

NAMES = ["train_unet", "plain_recipe", "improved_recipe", "dice_coefficient"]
TARGETS = {"sample_dice": 0.85, "sample_seconds": 300.0, "gain": 0.05, "generated_dice": 0.95}


def otsu_dice(images: np.ndarray, masks: np.ndarray, dice: Any) -> float:
    """Mean Dice of one global Otsu threshold per image (on its grey level)."""
    from skimage.filters import threshold_otsu

    grey = images.astype(float).mean(axis=-1)
    predicted = np.stack([g > threshold_otsu(g) for g in grey])
    return float(np.mean(dice(masks, predicted)))


def run(ns: dict[str, Any], splits: dict[str, Any], recipe: str, epochs: int) -> dict[str, Any]:
    """Train one recipe on ``splits``; its mean test Dice, epochs and seconds of training."""
    train, val, test = splits["train"], splits["validation"], splits["test"]
    if recipe == "plain":
        settings = ns["plain_recipe"](epochs)
    else:
        settings = ns["improved_recipe"](epochs, len(train.images))
    model, history, seconds = ns["train_unet"](
        train.images, train.masks, val.images, val.masks, **settings
    )
    probabilities = model.predict(test.images, batch_size=8, verbose=0)[..., 0]
    dice = ns["dice_coefficient"](test.masks, probabilities > 0.5)
    return {
        "recipe": recipe,
        "dice": float(np.mean(dice)),
        "epochs": len(history.history["loss"]),
        "seconds": float(seconds),
        "val_loss": [float(v) for v in history.history["val_loss"]],
    }


def row(data: str, recipe: str, result: dict[str, Any]) -> list[Any]:
    """One line of the results table."""
    return [data, recipe, f"{result['dice']:.3f}", result["epochs"], f"{result['seconds']:.0f}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny generated data, one epoch")
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    parser.add_argument("--dir", type=Path, default=None, help="also a folder of your own")
    parser.add_argument("--generated", type=int, default=300, help="generated images")
    parser.add_argument("--skip-generated", action="store_true")
    parser.add_argument("--skip-sample", action="store_true", help="not the shipped sample")
    parser.add_argument("--limit", type=int, default=None, help="--dir: train images to use")
    parser.add_argument("--name", default="segmentation", help="results file name")
    parser.add_argument("--dir-name", default=None, help="--dir: what to call it in the table")
    args = parser.parse_args(argv)

    os.environ.setdefault("CNN_COURSE_MODE", "cpu")  # the notebook's verbosity and scope
    from cnncourse import config, nucleidata

    if "tensorflow" not in sys.modules:
        config.quiet_tensorflow()
    load_at_start = os.getloadavg()
    ns = load_solution("09-segmentation", NAMES)
    plain_epochs, improved_epochs = (1, 1) if args.quick else (25, 20)
    datasets: list[tuple[str, dict[str, Any]]] = []
    if args.quick:
        splits, note = nucleidata.lesson_splits(32, real=False, n_generated=12)
        datasets.append((f"generated, quick: {note}", splits))
    else:
        if not args.skip_sample:
            datasets.append((nucleidata.SAMPLE_NAME, nucleidata.load_sample()))
        if args.dir is not None:
            splits, note = nucleidata.lesson_splits(
                128, real=True, directory=args.dir, limit=(args.limit, None)
            )
            datasets.append((args.dir_name or note, splits))
    rows, runs = [], []
    for name, splits in datasets:
        test = splits["test"]
        base = otsu_dice(test.images, test.masks, ns["dice_coefficient"])
        rows.append([name, "Otsu threshold", f"{base:.3f}", 0, 0])
        for recipe, epochs in (("plain", plain_epochs), ("improved", improved_epochs)):
            result = run(ns, splits, recipe, epochs)
            result["data"] = name
            runs.append(result)
            rows.append(row(name, recipe, result))
            print(rows[-1], flush=True)
    if not args.quick and not args.skip_generated:
        splits, note = nucleidata.lesson_splits(128, real=False, n_generated=args.generated)
        result = run(ns, splits, "improved", improved_epochs)
        name = f"generated nuclei ({args.generated} images, split by image)"
        result["data"] = name
        runs.append(result)
        rows.append(row(name, "improved", result))
        print(rows[-1], flush=True)

    notes = [
        "Mean Dice (the solution's `dice_coefficient`, threshold 0.5) on held-out test tiles; "
        "seconds of `model.fit` (validation included). Recipes and data as in lesson 09's "
        "cpu mode, code read from the master notebook. One run each: single measurements.",
    ]
    if args.quick:
        notes.insert(0, "**Quick smoke run (tiny generated data, one epoch): not a measurement.**")
    for data in dict.fromkeys(r["data"] for r in runs if not args.quick):
        sample = {r["recipe"]: r for r in runs if r["data"] == data}
        if "plain" not in sample:
            continue
        plain, improved = sample["plain"], sample["improved"]
        gain = improved["dice"] - plain["dice"]
        notes.append(
            f"- {data}: improved {improved['dice']:.3f} in {improved['seconds']:.0f} s "
            f"(target >= {TARGETS['sample_dice']} within {TARGETS['sample_seconds']:.0f} s: "
            f"{'met' if improved['dice'] >= TARGETS['sample_dice'] else 'MISSED'} on Dice, "
            f"{'met' if improved['seconds'] <= TARGETS['sample_seconds'] else 'MISSED'} on "
            f"time); gain over the plain recipe {gain:+.3f} (target >= +{TARGETS['gain']}: "
            f"{'met' if gain >= TARGETS['gain'] else 'MISSED'})."
        )
    generated = [r for r in runs if r["data"].startswith("generated") and not args.quick]
    if generated:
        value = generated[0]["dice"]
        notes.append(
            f"- Generated nuclei, improved recipe: {value:.3f} (target >= "
            f"{TARGETS['generated_dice']}: "
            f"{'met' if value >= TARGETS['generated_dice'] else 'MISSED'})."
        )
    notes.append(
        f"- Load average (1, 5, 15 min) when this run began: "
        f"{tuple(round(v, 2) for v in load_at_start)}, on {os.cpu_count()} cores shared with "
        "other work: times are slower than on a quiet machine; compare the recipes, not the "
        "absolute seconds."
    )
    path = write_result(
        args.name,
        "Lesson 09: U-Net recipes on real nuclei (CPU)",
        ["data", "recipe", "mean test Dice", "epochs", "seconds"],
        rows,
        notes="\n".join(notes),
        extra={"runs": runs, "load_average_at_start": load_at_start, "quick": args.quick},
        results_dir=args.results_dir,
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
