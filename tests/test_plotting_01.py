"""Unit tests for the plotting helpers added with lesson 01."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cnncourse import plotting  # noqa: E402


def test_plot_connections_draws_one_line_per_nonzero_weight():
    banded = np.array([[1.0, 2.0, 0.0, 0.0], [0.0, 1.0, 2.0, 0.0], [0.0, 0.0, 1.0, 2.0]])
    dense = np.arange(1, 13, dtype=float).reshape(3, 4)
    fig = plotting.plot_connections([banded, dense], titles=["conv", "dense"])
    assert isinstance(fig, Figure)
    axes = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in axes] == ["conv", "dense"]
    counts = [
        sum(len(c.get_segments()) for c in ax.collections if isinstance(c, LineCollection))
        for ax in axes
    ]
    assert counts == [6, 12]
    assert "2 distinct weights" in axes[0].get_xlabel()
    plt.close(fig)


def test_plot_connections_accepts_integer_and_all_zero_matrices():
    fig = plotting.plot_connections([np.zeros((2, 3), dtype=int), np.eye(3, dtype=int)])
    assert isinstance(fig, Figure)
    plt.close(fig)


@pytest.mark.parametrize(
    ("matrices", "titles", "message"),
    [
        ([], None, "at least one weight matrix"),
        ([np.ones(3)], None, r"2D and non-empty, got shape \(3,\)"),
        ([np.ones((0, 3))], None, r"2D and non-empty, got shape \(0, 3\)"),
        ([np.ones((2, 2))], ["a", "b"], "1 matrices but 2 titles"),
    ],
)
def test_plot_connections_rejects_bad_input(matrices, titles, message):
    with pytest.raises(ValueError, match=message):
        plotting.plot_connections(matrices, titles=titles)
