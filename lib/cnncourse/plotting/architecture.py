"""Architectures at a glance: feature-map sizes through a network, layer tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure


def plot_feature_map_sizes(
    names: Sequence[str],
    heights: Sequence[int],
    depths: Sequence[int],
    widths: Sequence[int] | None = None,
    title: str = "",
) -> Figure:
    """A network's feature maps along its depth: spatial size and number of maps per layer.

    Two panels share the x axis (one position per layer, in order): the top one shows the
    height of each layer's output (a dense layer's output counts as 1x1), the bottom one its
    depth (channels or units). Both use a log scale, and each bar is labelled with its value
    (``HxW`` when ``widths`` is given and differs from the height).
    """
    names, heights, depths = list(names), list(heights), list(depths)
    widths = list(heights) if widths is None else list(widths)
    if not names:
        raise ValueError("plot_feature_map_sizes needs at least one layer.")
    if not len(names) == len(heights) == len(depths) == len(widths):
        raise ValueError(
            f"Got {len(names)} names, {len(heights)} heights, {len(widths)} widths and "
            f"{len(depths)} depths; give one of each per layer."
        )
    if min(heights + widths + depths) < 1:
        raise ValueError("Sizes and depths must be positive integers.")
    positions = np.arange(len(names))
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(max(6.0, 0.55 * len(names) + 1.5), 5.5), sharex=True
    )
    top.bar(positions, heights, color="tab:blue")
    bottom.bar(positions, depths, color="tab:orange")
    for x, h, w, d in zip(positions, heights, widths, depths):
        label = f"{h}" if h == w else f"{h}x{w}"
        top.text(x, h, label, ha="center", va="bottom", fontsize=7)
        bottom.text(x, d, f"{d:,}", ha="center", va="bottom", fontsize=7)
    top.set_yscale("log")
    bottom.set_yscale("log")
    top.set_ylabel("height of the maps")
    bottom.set_ylabel("number of maps")
    top.set_ylim(0.7, max(heights) * 2.5)
    bottom.set_ylim(0.7, max(depths) * 2.5)
    bottom.set_xticks(positions)
    bottom.set_xticklabels(names, rotation=60, ha="right", fontsize=8)
    for ax in (top, bottom):
        ax.grid(axis="y", alpha=0.3)
    if title:
        top.set_title(title)
    fig.tight_layout()
    return fig


def _table_text(value: Any) -> str:
    """How plot_layer_table writes one value: None as a dash, pairs as HxW, ints with commas."""
    if value is None:
        return "—"
    if isinstance(value, tuple):
        return "×".join(str(v) for v in value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return f"{int(value):,}"
    return str(value)


def plot_layer_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str = ""
) -> Figure:
    """Draw layer descriptions (one mapping per layer) as a table, one column per key.

    Missing keys and ``None`` show as a dash, tuples such as ``(28, 28)`` as ``28×28``,
    integers with thousands separators.
    """
    rows, columns = list(rows), list(columns)
    if not rows or not columns:
        raise ValueError("plot_layer_table needs at least one row and one column.")
    cells = [[_table_text(row.get(column)) for column in columns] for row in rows]
    fig, ax = plt.subplots(figsize=(1.25 * len(columns) + 0.5, 0.32 * len(rows) + 0.8))
    ax.axis("off")
    table = ax.table(cellText=cells, colLabels=columns, loc="center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1.0, 1.25)
    for (r, _), cell in table.get_celld().items():
        if r == 0:
            cell.set_facecolor("#dde6f0")
            cell.set_text_props(weight="bold")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
