"""Pictures of arrays: image grids, feature maps, learning curves, predicted boxes and masks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle


def _image_grid(count: int, ncols: int, size: float) -> tuple[Figure, np.ndarray]:
    """A figure with ``count`` image panels, at most ``ncols`` a row, every axis hidden."""
    ncols = max(1, min(ncols, count))
    nrows = -(-count // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    return fig, axes


def show_images(
    images: Sequence[np.ndarray] | np.ndarray,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    cmap: str = "gray",
    size: float = 1.4,
) -> Figure:
    """A grid of images (2D grey or HxWx3 colour), one optional title each."""
    images = list(images)
    if not images:
        raise ValueError("show_images needs at least one image.")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"Got {len(images)} images but {len(titles)} titles; give one each.")
    fig, axes = _image_grid(len(images), ncols, size)
    for i, (ax, image) in enumerate(zip(axes.flat, images)):
        image = np.asarray(image)
        ax.imshow(image.squeeze(), cmap=None if image.ndim == 3 and image.shape[-1] == 3 else cmap)
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    return fig


def show_feature_maps(maps: np.ndarray, title: str = "", ncols: int = 8) -> Figure:
    """The channels of one ``(H, W, C)`` activation volume side by side."""
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(f"Expected one (H, W, C) volume, got shape {maps.shape}.")
    fig = show_images(
        [maps[..., c] for c in range(maps.shape[-1])],
        [f"map {c}" for c in range(maps.shape[-1])],
        ncols=ncols,
        cmap="viridis",
    )
    if title:
        fig.suptitle(title)
        fig.tight_layout()
    return fig


def plot_history(history: Mapping[str, Sequence[float]] | Any, title: str = "") -> Figure:
    """Learning curves from a Keras ``History`` (or its ``.history`` dict).

    Each metric gets a panel; ``val_`` curves share their metric's panel.
    """
    logs = getattr(history, "history", history)
    names = [name for name in logs if not name.startswith("val_")]
    if not names:
        raise ValueError("The history holds no metrics; did training run for at least one epoch?")
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3), squeeze=False)
    for ax, name in zip(axes.flat, names):
        epochs = np.arange(1, len(logs[name]) + 1)
        ax.plot(epochs, logs[name], "o-", label="training")
        if f"val_{name}" in logs:
            ax.plot(epochs, logs[f"val_{name}"], "s--", label="validation")
        ax.set_xlabel("epoch")
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _seg_label_rgb(labels: np.ndarray) -> np.ndarray:
    """An instance label image as RGB: background black, each label its own bright colour."""
    labels = np.asarray(labels).astype(np.int64)
    palette = np.random.default_rng(9).uniform(0.25, 1.0, size=(max(int(labels.max()), 0) + 1, 3))
    palette[0] = 0.0
    return palette[np.clip(labels, 0, None)]


def plot_segmentation(
    columns: Mapping[str, Sequence[np.ndarray] | np.ndarray],
    size: float = 2.0,
    max_rows: int = 6,
) -> Figure:
    """Segmentation results side by side: one row per sample, one titled column per panel.

    ``columns`` maps a title (e.g. ``"image"``, ``"true mask"``, ``"instances"``) to the
    samples of that panel, all columns the same length. How a panel is drawn depends on its
    array: ``(H, W, 3)`` as colour; integer ``(H, W)`` with labels above 1 as instances, one
    colour per label (titled with the number of objects); anything else ``(H, W)`` in grey.
    At most ``max_rows`` samples are shown.
    """
    if not columns:
        raise ValueError("plot_segmentation needs at least one column.")
    panels = {title: list(samples) for title, samples in columns.items()}
    lengths = {len(samples) for samples in panels.values()}
    if len(lengths) != 1 or 0 in lengths:
        raise ValueError(
            "Every column needs the same, non-zero number of samples; got "
            + ", ".join(f"{title!r}: {len(s)}" for title, s in panels.items())
        )
    rows = min(lengths.pop(), max_rows)
    fig, axes = plt.subplots(
        rows, len(panels), figsize=(size * len(panels), size * rows), squeeze=False
    )
    for col, (title, samples) in enumerate(panels.items()):
        for row in range(rows):
            ax = axes[row, col]
            array = np.asarray(samples[row])
            if array.ndim == 3 and array.shape[-1] == 1:
                array = array[..., 0]
            label = ""
            if array.ndim == 3:
                ax.imshow(array)
            elif np.issubdtype(array.dtype, np.integer) and array.max() > 1:
                ax.imshow(_seg_label_rgb(array), interpolation="nearest")
                label = f" ({len(np.unique(array[array > 0]))})"
            else:
                ax.imshow(array.astype(float), cmap="gray", interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{title}{label}" if row == 0 else label.strip(" ()"), fontsize=9)
    fig.tight_layout()
    return fig


def draw_boxes(
    images: Sequence[np.ndarray] | np.ndarray,
    true_boxes: Sequence[Sequence[float]] | np.ndarray,
    pred_boxes: Sequence[Sequence[float]] | np.ndarray | None = None,
    titles: Sequence[str] | None = None,
    ncols: int = 6,
    size: float = 2.0,
) -> Figure:
    """Images with their true boxes (green) and, optionally, predicted boxes (dashed red).

    Boxes are pixel corners ``(x_min, y_min, x_max, y_max)`` -- ``x`` along columns, ``y``
    down the rows, max edges exclusive -- so a box ``(0, 0, W, H)`` outlines a whole
    ``H x W`` image. One optional title per image (e.g. the class and the IoU).
    """
    images = list(images)
    true_boxes = np.asarray(true_boxes, dtype=float).reshape(-1, 4) if len(images) else None
    if not images:
        raise ValueError("draw_boxes needs at least one image.")
    if len(true_boxes) != len(images):
        raise ValueError(f"Got {len(images)} images but {len(true_boxes)} true boxes; one each.")
    if pred_boxes is not None:
        pred_boxes = np.asarray(pred_boxes, dtype=float).reshape(-1, 4)
        if len(pred_boxes) != len(images):
            raise ValueError(
                f"Got {len(images)} images but {len(pred_boxes)} predicted boxes; one each."
            )
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"Got {len(images)} images but {len(titles)} titles; give one each.")
    fig, axes = _image_grid(len(images), ncols, size)
    for i, (ax, image) in enumerate(zip(axes.flat, images)):
        image = np.asarray(image)
        colour = image.ndim == 3 and image.shape[-1] == 3
        ax.imshow(image if colour else image.squeeze(), cmap=None if colour else "gray")
        sets = [(true_boxes[i], "limegreen", "-")]
        if pred_boxes is not None:
            sets.append((pred_boxes[i], "red", "--"))
        for (x0, y0, x1, y1), edge, style in sets:
            # Pixel (r, c) is drawn centred on (c, r): its left/top edge is at c - 0.5, r - 0.5.
            ax.add_patch(
                Rectangle(
                    (x0 - 0.5, y0 - 0.5),
                    x1 - x0,
                    y1 - y0,
                    fill=False,
                    edgecolor=edge,
                    linestyle=style,
                    linewidth=1.8,
                )
            )
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    return fig
