"""Figures the lessons share. Each function draws on new axes and returns the figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle


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
    ncols = max(1, min(ncols, len(images)))
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
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


def plot_sliding_window_2d(
    X: np.ndarray,
    W: np.ndarray,
    output: np.ndarray,
    stride: int = 1,
    max_panels: int = 9,
    ncols: int = 3,
) -> Figure:
    """Panels of a kernel sliding over ``X``: the window and the output cell it fills.

    ``output`` is whatever the student's convolution returned, so a wrong implementation
    shows wrong numbers. Each panel shows the input with the current window outlined, and
    the output with the cell ``sum(X_k(i, j) * W)`` highlighted.
    """
    X, W, output = np.asarray(X), np.asarray(W), np.asarray(output)
    if X.ndim != 2 or W.ndim != 2 or output.ndim != 2:
        raise ValueError("plot_sliding_window_2d draws 2D arrays: X, W and output must be 2D.")
    kh, kw = W.shape
    positions = [(i, j) for i in range(output.shape[0]) for j in range(output.shape[1])]
    positions = positions[:max_panels]
    nrows = -(-len(positions) // ncols)
    fig, axes = plt.subplots(
        nrows, 2 * ncols, figsize=(2.6 * ncols * 2 * 0.75, 2.2 * nrows), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for p, (i, j) in enumerate(positions):
        ax_in, ax_out = axes[p // ncols, 2 * (p % ncols)], axes[p // ncols, 2 * (p % ncols) + 1]
        _grid(ax_in, X, cmap="Blues")
        ax_in.add_patch(
            Rectangle(
                (j * stride - 0.5, i * stride - 0.5),
                kw,
                kh,
                fill=False,
                edgecolor="crimson",
                linewidth=2.5,
            )
        )
        ax_in.set_title(f"window X({i + 1},{j + 1})", fontsize=8)
        _grid(ax_out, output, cmap="Oranges", mask_after=(i, j))
        ax_out.add_patch(
            Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="crimson", linewidth=2.5)
        )
        ax_out.set_title(f"out[{i + 1},{j + 1}] = {output[i, j]:.3g}", fontsize=8)
    fig.tight_layout()
    return fig


def _grid(
    ax: Any, values: np.ndarray, cmap: str, mask_after: tuple[int, int] | None = None
) -> None:
    """Draw a small matrix with its numbers; cells after ``mask_after`` are left blank."""
    shown = values.astype(float).copy()
    if mask_after is not None:
        flat = mask_after[0] * values.shape[1] + mask_after[1]
        hidden = np.arange(values.size).reshape(values.shape) > flat
        shown[hidden] = np.nan
    ax.imshow(shown, cmap=cmap)
    for (r, c), v in np.ndenumerate(values):
        if not np.isnan(shown[r, c]):
            ax.text(c, r, f"{v:.3g}", ha="center", va="center", fontsize=7)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.axis("on")
