"""Unit tests for the figure lesson 08 adds to cnncourse.plotting."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cnncourse import plotting  # noqa: E402


def test_draw_boxes_outlines_true_and_predicted_boxes():
    images = np.zeros((3, 20, 30, 3), dtype=np.uint8)
    true = [(2, 3, 12, 8), (0, 0, 30, 20), (5, 5, 6, 6)]
    pred = [(1, 1, 10, 10), (4, 4, 8, 8), (5, 5, 7, 9)]
    fig = plotting.draw_boxes(images, true, pred, titles=["a", "b", "c"], ncols=2)
    assert isinstance(fig, Figure)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 3
    first = shown[0].patches
    assert len(first) == 2  # one true, one predicted box
    assert first[0].get_xy() == (1.5, 2.5)  # pixel edges, not pixel centres
    assert (first[0].get_width(), first[0].get_height()) == (10, 5)
    assert first[1].get_linestyle() == "--"
    assert [ax.get_title() for ax in shown] == ["a", "b", "c"]
    plt.close(fig)


def test_draw_boxes_without_predictions_and_grey_images():
    fig = plotting.draw_boxes(np.zeros((2, 8, 8)), np.array([[0, 0, 8, 8], [1, 2, 3, 4]]))
    shown = [ax for ax in fig.axes if ax.images]
    assert [len(ax.patches) for ax in shown] == [1, 1]
    plt.close(fig)


def test_draw_boxes_rejects_mismatched_input():
    images = np.zeros((2, 8, 8, 3))
    with pytest.raises(ValueError, match="at least one image"):
        plotting.draw_boxes([], [])
    with pytest.raises(ValueError, match="1 true boxes"):
        plotting.draw_boxes(images, [(0, 0, 1, 1)])
    with pytest.raises(ValueError, match="3 predicted boxes"):
        plotting.draw_boxes(images, [(0, 0, 1, 1)] * 2, [(0, 0, 1, 1)] * 3)
    with pytest.raises(ValueError, match="1 titles"):
        plotting.draw_boxes(images, [(0, 0, 1, 1)] * 2, titles=["only one"])
