"""How a convolution slides: windows in 1D and 2D, one step of the sum, a layer's connections,
a 3D kernel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle


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


def plot_connections(
    matrices: Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    cmap: str = "coolwarm",
) -> Figure:
    """Each weight matrix drawn as the connections between two layers of neurons.

    A matrix ``W`` of shape ``(n_out, n_in)`` maps a layer of ``n_in`` neurons (bottom row)
    to ``n_out`` neurons (top row); every nonzero ``W[i, j]`` is a line from input ``j`` to
    output ``i``, coloured by its value, so weights that are shared show as repeated colours
    and weights that are zero are simply missing. One panel per matrix.
    """
    from matplotlib.collections import LineCollection

    matrices = [np.asarray(m, dtype=float) for m in matrices]
    if not matrices:
        raise ValueError("plot_connections needs at least one weight matrix.")
    for m in matrices:
        if m.ndim != 2 or 0 in m.shape:
            raise ValueError(f"Each weight matrix must be 2D and non-empty, got shape {m.shape}.")
    if titles is not None and len(titles) != len(matrices):
        raise ValueError(f"Got {len(matrices)} matrices but {len(titles)} titles; give one each.")
    fig, axes = plt.subplots(1, len(matrices), figsize=(4.2 * len(matrices), 3.2), squeeze=False)
    for p, (ax, m) in enumerate(zip(axes.flat, matrices)):
        n_out, n_in = m.shape
        x_in = np.arange(n_in, dtype=float)
        x_out = (n_in - 1) / 2 + np.arange(n_out) - (n_out - 1) / 2
        rows, cols = np.nonzero(m)
        values = m[rows, cols]
        limit = float(np.abs(values).max()) if values.size else 1.0
        segments = [[(x_in[j], 0.0), (x_out[i], 1.0)] for i, j in zip(rows, cols)]
        lines = LineCollection(segments, cmap=cmap, linewidths=1.2, alpha=0.85)
        lines.set_array(values)
        lines.set_clim(-limit, limit)
        ax.add_collection(lines)
        ax.scatter(x_in, np.zeros(n_in), s=28, color="black", zorder=3)
        ax.scatter(x_out, np.ones(n_out), s=28, color="black", zorder=3)
        ax.set_xlim(-1, n_in)
        ax.set_ylim(-0.2, 1.2)
        ax.set_yticks([0, 1], ["input", "output"])
        ax.set_xticks([])
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        label = f"{len(values)} of {m.size} connections, {len(np.unique(values))} distinct weights"
        ax.set_xlabel(label, fontsize=8)
        if titles is not None:
            ax.set_title(titles[p], fontsize=10)
    fig.tight_layout()
    return fig


def plot_conv_step_2d(
    X: np.ndarray,
    W: np.ndarray,
    output: np.ndarray,
    step: int,
    stride: int | tuple[int, int] = 1,
) -> Figure:
    """One step of a 2D convolution: window, kernel, their products, and the output so far.

    ``output`` is whatever the student's convolution returned for ``X`` (already padded, if
    padding was used) and ``W``; ``step`` counts output cells row by row from 0. The panels
    show the input with the window ``X_k(i, j)`` outlined, the kernel, the elementwise
    products ``X_k(i, j) * W`` with their sum, and the output filled up to cell ``(i, j)``.
    """
    X, W, output = np.asarray(X), np.asarray(W), np.asarray(output)
    if X.ndim != 2 or W.ndim != 2 or output.ndim != 2:
        raise ValueError("plot_conv_step_2d draws 2D arrays: X, W and output must be 2D.")
    if not 0 <= step < output.size:
        raise ValueError(f"step must be between 0 and {output.size - 1}, got {step}.")
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else tuple(stride)
    kh, kw = W.shape
    i, j = divmod(int(step), output.shape[1])
    window = X[i * sh : i * sh + kh, j * sw : j * sw + kw]
    if window.shape != W.shape:
        raise ValueError(
            f"The window at output cell ({i}, {j}) does not fit in X: is output the "
            "convolution of this X and W with this stride?"
        )
    products = window * W
    fig, axes = plt.subplots(
        1, 4, figsize=(11, 3), width_ratios=[X.shape[1], kw, kw, output.shape[1]]
    )
    _grid(axes[0], X, cmap="Blues")
    axes[0].add_patch(
        Rectangle(
            (j * sw - 0.5, i * sh - 0.5), kw, kh, fill=False, edgecolor="crimson", linewidth=2.5
        )
    )
    axes[0].set_title(f"input X, window X_k({i + 1},{j + 1})", fontsize=9)
    _grid(axes[1], W, cmap="Greens")
    axes[1].set_title("kernel W", fontsize=9)
    _grid(axes[2], products, cmap="Purples")
    axes[2].set_title(f"X_k ⊙ W, sum = {products.sum():.3g}", fontsize=9)
    _grid(axes[3], output, cmap="Oranges", mask_after=(i, j))
    axes[3].add_patch(
        Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="crimson", linewidth=2.5)
    )
    axes[3].set_title(f"output[{i + 1},{j + 1}] = {output[i, j]:.3g}", fontsize=9)
    fig.tight_layout()
    return fig


def plot_sliding_window_1d(
    x: np.ndarray,
    w: np.ndarray,
    output: np.ndarray,
    stride: int = 1,
    max_panels: int = 6,
    ncols: int = 2,
) -> Figure:
    """Panels of a kernel sliding along a 1D signal: the window, the kernel, the output it fills.

    ``output`` is whatever the student's convolution returned, so a wrong implementation shows
    wrong numbers (for ``padding="same"`` pass the zero-padded signal as ``x``). Panel ``i``
    outlines the window ``x[i*stride : i*stride + k]``, writes the kernel under it and fills
    the output up to ``out[i]``, which should equal ``sum(window * w)``.
    """
    x, w, output = (np.asarray(a, dtype=float) for a in (x, w, output))
    if x.ndim != 1 or w.ndim != 1 or output.ndim != 1:
        raise ValueError("plot_sliding_window_1d draws 1D arrays: x, w and output must be 1D.")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive integer, got {stride!r}.")
    if output.size == 0 or w.size == 0:
        raise ValueError("w and output must not be empty: there is no window position to draw.")
    k = w.size
    panels = min(output.size, max_panels)
    width = max(x.size, (panels - 1) * stride + k, output.size)
    ncols = max(1, min(ncols, panels))
    nrows = -(-panels // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(0.4 * (width + 1.7) * ncols, 1.3 * nrows), squeeze=False
    )
    for ax in axes.flat[panels:]:
        ax.axis("off")
    for i, ax in enumerate(axes.flat[:panels]):
        start = i * stride
        window = range(start, start + k)
        _cell_row(ax, x, 2, ["#cfe2f3" if j in window else "white" for j in range(x.size)])
        ax.add_patch(
            Rectangle((start - 0.5, 1.5), k, 1, fill=False, edgecolor="crimson", linewidth=2.5)
        )
        _cell_row(ax, w, 1, ["#f4cccc"] * k, offset=start, prefix="×")
        shown = [output[j] if j <= i else np.nan for j in range(output.size)]
        _cell_row(
            ax,
            np.array(shown),
            0,
            ["#fce5cd"] * i + ["#f6b26b"] + ["white"] * (output.size - i - 1),
        )
        ax.add_patch(
            Rectangle((i - 0.5, -0.5), 1, 1, fill=False, edgecolor="crimson", linewidth=2.5)
        )
        for y, label in ((2, "x"), (1, "w"), (0, "out")):
            ax.text(-0.8, y, label, ha="right", va="center", fontsize=9, style="italic")
        ax.set_xlim(-1.9, width - 0.3)
        ax.set_ylim(-0.7, 2.7)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"out[{i}] = sum(x[{start}:{start + k}] * w) = {output[i]:.3g}", fontsize=9)
    fig.tight_layout()
    return fig


def _cell_row(
    ax: Any,
    values: np.ndarray,
    y: float,
    colors: Sequence[str],
    offset: int = 0,
    prefix: str = "",
) -> None:
    """Draw ``values`` as a row of boxed numbers at height ``y``; NaN cells stay empty."""
    for j, (value, color) in enumerate(zip(values, colors)):
        ax.add_patch(
            Rectangle((offset + j - 0.5, y - 0.5), 1, 1, facecolor=color, edgecolor="grey")
        )
        if not np.isnan(value):
            ax.text(offset + j, y, f"{prefix}{value:.3g}", ha="center", va="center", fontsize=8)


def _voxel_order(array: np.ndarray) -> np.ndarray:
    """Reorder a (depth, height, width, ...) array to matplotlib's (x, y, z, ...) voxel grid.

    Width runs along x, depth goes into the picture along y, and height runs down the z axis
    (row 0 on top), so a volume looks like a stack of images seen at an angle.
    """
    return np.flip(np.swapaxes(np.swapaxes(array, 0, 2), 1, 2), axis=2)


def plot_kernel_cube(
    volume_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int, int],
    positions: Sequence[tuple[int, int, int]],
    output: np.ndarray | None = None,
    axis_names: tuple[str, str, str] = ("depth", "height", "width"),
) -> Figure:
    """A kernel cube sliding through a 3D volume, and the output cell each position fills.

    Top row: the input volume (``volume_shape`` = sizes along ``axis_names``) with the kernel
    window at each of ``positions`` (its corner, 0-based) in red. Bottom row: the output volume
    with the cell that window fills in red and the cells filled before it shaded. The output
    volume's shape is ``output.shape`` when ``output`` (a 3D array, e.g. what a student's
    convolution returned, in the same axis order) is given, so a wrong implementation draws a
    wrong output; otherwise it is the valid size ``n - k + 1`` along each axis.
    """
    volume_shape = tuple(int(n) for n in volume_shape)
    kernel_shape = tuple(int(k) for k in kernel_shape)
    if len(volume_shape) != 3 or len(kernel_shape) != 3:
        raise ValueError("volume_shape and kernel_shape need three sizes each (3D volumes).")
    if any(k < 1 or k > n for n, k in zip(volume_shape, kernel_shape)):
        raise ValueError(
            f"The kernel {kernel_shape} does not fit in the volume {volume_shape} on every axis."
        )
    if output is None:
        out_shape = tuple(n - k + 1 for n, k in zip(volume_shape, kernel_shape))
        values = None
    else:
        values = np.asarray(output)
        if values.ndim != 3 or values.size == 0:
            raise ValueError(f"output must be a non-empty 3D array, got shape {values.shape}.")
        out_shape = values.shape
    positions = [tuple(int(p) for p in position) for position in positions]
    if not positions:
        raise ValueError("Give at least one kernel position.")
    for position in positions:
        if len(position) != 3 or any(
            p < 0 or p + k > n for p, k, n in zip(position, kernel_shape, volume_shape)
        ):
            raise ValueError(f"The kernel at {position} does not lie inside the volume.")

    def draw(ax: Any, shape: tuple[int, ...], colours: np.ndarray) -> None:
        filled = colours[..., 3] > 0
        ax.voxels(
            _voxel_order(filled),
            facecolors=_voxel_order(colours),
            edgecolor=(0.3, 0.3, 0.3, 0.25),
            linewidth=0.4,
        )
        ax.set_xlim(0, volume_shape[2])
        ax.set_ylim(0, volume_shape[0])
        ax.set_zlim(0, volume_shape[1])
        ax.set_box_aspect((volume_shape[2], volume_shape[0], volume_shape[1]))
        ax.set_xlabel(axis_names[2], fontsize=7, labelpad=-10)
        ax.set_ylabel(axis_names[0], fontsize=7, labelpad=-10)
        ax.set_zlabel(axis_names[1], fontsize=7, labelpad=-10)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_zticks([])
        ax.view_init(elev=22, azim=-58)

    n = len(positions)
    fig = plt.figure(figsize=(3.0 * n, 5.6))
    for p, (d, i, j) in enumerate(positions):
        ax = fig.add_subplot(2, n, p + 1, projection="3d")
        colours = np.zeros(volume_shape + (4,))
        colours[...] = (0.55, 0.7, 0.9, 0.12)
        kd, kh, kw = kernel_shape
        colours[d : d + kd, i : i + kh, j : j + kw] = (0.86, 0.08, 0.24, 0.75)
        draw(ax, volume_shape, colours)
        ax.set_title(f"kernel {kd}×{kh}×{kw} at ({d},{i},{j})", fontsize=8)

        ax = fig.add_subplot(2, n, n + p + 1, projection="3d")
        colours = np.zeros(out_shape + (4,))
        colours[...] = (1.0, 0.75, 0.4, 0.1)
        order = np.arange(int(np.prod(out_shape))).reshape(out_shape)
        inside = all(q < m for q, m in zip((d, i, j), out_shape))
        if inside:
            colours[order < order[d, i, j]] = (1.0, 0.6, 0.2, 0.45)
            colours[d, i, j] = (0.86, 0.08, 0.24, 0.9)
        draw(ax, out_shape, colours)
        label = f"output {'×'.join(str(m) for m in out_shape)}"
        if values is not None and inside:
            label += f"\ncell ({d},{i},{j}) = {values[d, i, j]:.3g}"
        elif not inside:
            label += f"\nno cell ({d},{i},{j}): shape is wrong"
        ax.set_title(label, fontsize=8)
    fig.tight_layout()
    return fig
