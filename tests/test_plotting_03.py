"""Unit tests for the figure helpers added for lesson 03 (2D convolution)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cnncourse import plotting  # noqa: E402


def _valid(X, W, stride=1):
    kh, kw = W.shape
    oh, ow = (X.shape[0] - kh) // stride + 1, (X.shape[1] - kw) // stride + 1
    return np.array(
        [
            [
                np.sum(X[i * stride : i * stride + kh, j * stride : j * stride + kw] * W)
                for j in range(ow)
            ]
            for i in range(oh)
        ]
    )


def test_plot_conv_step_2d_draws_four_panels_and_names_the_cell():
    X = np.arange(25.0).reshape(5, 5)
    W = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    out = _valid(X, W)
    fig = plotting.plot_conv_step_2d(X, W, out, step=4)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 4
    assert fig.axes[3].get_title() == f"output[2,2] = {out[1, 1]:.3g}"
    assert "X_k(2,2)" in fig.axes[0].get_title()
    plt.close(fig)


def test_plot_conv_step_2d_with_stride_and_non_square_shapes():
    X = np.arange(42.0).reshape(6, 7)
    W = np.ones((2, 3))
    out = _valid(X, W, stride=2)
    fig = plotting.plot_conv_step_2d(X, W, out, step=out.size - 1, stride=(2, 2))
    assert fig.axes[3].get_title().startswith(f"output[{out.shape[0]},{out.shape[1]}]")
    plt.close(fig)


def test_plot_conv_step_2d_rejects_bad_input():
    X, W = np.zeros((5, 5)), np.zeros((3, 3))
    with pytest.raises(ValueError, match="step"):
        plotting.plot_conv_step_2d(X, W, np.zeros((3, 3)), step=9)
    with pytest.raises(ValueError, match="2D"):
        plotting.plot_conv_step_2d(X[None], W, np.zeros((3, 3)), step=0)
    with pytest.raises(ValueError, match="does not fit"):
        plotting.plot_conv_step_2d(X, W, np.zeros((4, 4)), step=15)
