"""Unit tests for the figures lesson 07 adds to cnncourse.plotting."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cnncourse import plotting  # noqa: E402


def test_feature_map_sizes_draws_one_bar_per_layer_and_panel():
    fig = plotting.plot_feature_map_sizes(
        ["C1", "S2", "F6"], [28, 14, 1], [6, 6, 84], widths=[28, 15, 1], title="t"
    )
    assert isinstance(fig, Figure)
    top, bottom = fig.axes
    assert len(top.patches) == 3 and len(bottom.patches) == 3
    assert [p.get_height() for p in bottom.patches] == [6, 6, 84]
    assert "14x15" in [t.get_text() for t in top.texts]
    assert [t.get_text() for t in bottom.get_xticklabels()] == ["C1", "S2", "F6"]
    plt.close(fig)


def test_feature_map_sizes_rejects_bad_input():
    with pytest.raises(ValueError, match="at least one layer"):
        plotting.plot_feature_map_sizes([], [], [])
    with pytest.raises(ValueError, match="give one of each per layer"):
        plotting.plot_feature_map_sizes(["a", "b"], [1], [1, 2])
    with pytest.raises(ValueError, match="must be positive integers"):
        plotting.plot_feature_map_sizes(["a"], [0], [3])


def test_layer_table_formats_values():
    rows = [
        {"name": "C1", "size": (28, 28), "params": 156, "activation": "tanh"},
        {"name": "F6", "size": 84, "params": 10164, "activation": None},
    ]
    fig = plotting.plot_layer_table(rows, ["name", "size", "params", "activation", "kernel"])
    assert isinstance(fig, Figure)
    cells = fig.axes[0].tables[0].get_celld()
    assert cells[(1, 1)].get_text().get_text() == "28×28"
    assert cells[(2, 2)].get_text().get_text() == "10,164"
    assert cells[(2, 3)].get_text().get_text() == "—"
    assert cells[(1, 4)].get_text().get_text() == "—"
    assert cells[(0, 0)].get_text().get_text() == "name"
    plt.close(fig)


def test_layer_table_rejects_empty_input():
    with pytest.raises(ValueError, match="at least one row and one column"):
        plotting.plot_layer_table([], ["name"])
    with pytest.raises(ValueError, match="at least one row and one column"):
        plotting.plot_layer_table([{"name": "a"}], [])
