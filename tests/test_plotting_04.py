"""Unit tests for the figure helper lesson 04 adds to cnncourse.plotting."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnncourse import plotting


def test_plot_kernel_cube_draws_one_input_and_one_output_panel_per_position():
    fig = plotting.plot_kernel_cube((3, 5, 5), (3, 3, 3), [(0, 0, 0), (0, 1, 2)])
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 4
    assert "output 1×3×3" in fig.axes[1].get_title()
    plt.close(fig)


def test_plot_kernel_cube_uses_the_given_output_shape_and_values():
    output = np.arange(12.0).reshape(2, 2, 3)
    fig = plotting.plot_kernel_cube(
        (3, 4, 5), (2, 3, 3), [(1, 1, 2)], output=output, axis_names=("time", "rows", "cols")
    )
    title = fig.axes[1].get_title()
    assert "output 2×2×3" in title and "= 11" in title
    assert fig.axes[0].get_xlabel() == "cols"
    plt.close(fig)


def test_plot_kernel_cube_says_when_the_output_has_no_such_cell():
    fig = plotting.plot_kernel_cube((4, 4, 4), (2, 2, 2), [(2, 2, 2)], output=np.zeros((2, 2, 2)))
    assert "shape is wrong" in fig.axes[1].get_title()
    plt.close(fig)


@pytest.mark.parametrize(
    ("volume", "kernel", "positions", "output", "message"),
    [
        ((3, 5), (3, 3, 3), [(0, 0, 0)], None, "need three sizes each"),  # not 3D
        ((3, 5, 5), (4, 3, 3), [(0, 0, 0)], None, "does not fit in the volume"),  # too large
        ((3, 5, 5), (3, 3, 3), [(0, 3, 0)], None, "does not lie inside"),  # window sticks out
        ((3, 5, 5), (3, 3, 3), [], None, "at least one kernel position"),  # no position
        ((3, 5, 5), (3, 3, 3), [(0, 0, 0)], np.zeros((3, 3)), "non-empty 3D array"),  # not 3D
    ],
)
def test_plot_kernel_cube_rejects_bad_input(volume, kernel, positions, output, message):
    with pytest.raises(ValueError, match=message):
        plotting.plot_kernel_cube(volume, kernel, positions, output=output)
