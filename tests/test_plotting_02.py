"""plot_sliding_window_1d (lesson 02) draws the output it is given and rejects bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnncourse import plotting


def test_panels_follow_the_window_and_show_the_given_output():
    x = np.array([3, 1, 4, 1, 5, 9, 2, 6])
    out = np.array([7.0, -2.0, 0.5])
    fig = plotting.plot_sliding_window_1d(x, np.ones(3), out, stride=2)
    titles = [ax.get_title() for ax in fig.axes]
    assert "out[0] = sum(x[0:3] * w) = 7" in titles
    assert "out[1] = sum(x[2:5] * w) = -2" in titles
    assert "out[2] = sum(x[4:7] * w) = 0.5" in titles
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert {"×1", "7", "-2", "0.5", "9"} <= texts
    plt.close(fig)


def test_at_most_max_panels_are_drawn():
    fig = plotting.plot_sliding_window_1d(np.arange(10), np.ones(2), np.arange(9.0), max_panels=4)
    assert sum(bool(ax.get_title()) for ax in fig.axes) == 4
    plt.close(fig)


@pytest.mark.parametrize(
    ("x", "w", "out", "stride", "match"),
    [
        (np.zeros((2, 5)), np.ones(3), np.zeros(3), 1, "must be 1D"),
        (np.zeros(5), np.ones(3), np.zeros(3), 0, "stride"),
        (np.zeros(5), np.ones(3), np.zeros(0), 1, "empty"),
    ],
)
def test_bad_input_raises(x, w, out, stride, match):
    with pytest.raises(ValueError, match=match):
        plotting.plot_sliding_window_1d(x, w, out, stride=stride)
