"""Unit tests for the figure helper added for lesson 09 (segmentation)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cnncourse import plotting  # noqa: E402


def _sample():
    image = np.zeros((16, 16, 3), dtype=np.uint8)
    mask = np.zeros((16, 16), dtype=np.uint8)
    mask[2:6, 2:6] = 1
    labels = np.zeros((16, 16), dtype=np.int32)
    labels[2:6, 2:6] = 1
    labels[9:12, 9:14] = 2
    return image, mask, labels


def test_plot_segmentation_draws_one_panel_per_sample_and_column():
    image, mask, labels = _sample()
    fig = plotting.plot_segmentation(
        {"image": [image, image], "mask": np.stack([mask, mask]), "instances": [labels, labels]}
    )
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 6
    assert fig.axes[0].get_title() == "image"
    assert fig.axes[2].get_title() == "instances (2)"  # row-major: row 0, column 2
    assert fig.axes[5].get_title() == "2"  # later rows show just the count
    plt.close(fig)


def test_plot_segmentation_colours_labels_and_limits_rows():
    image, mask, labels = _sample()
    fig = plotting.plot_segmentation({"instances": [labels] * 9, "grey": [mask[..., None]] * 9})
    assert len(fig.axes) == 2 * 6
    rgb = fig.axes[0].get_images()[0].get_array()
    assert rgb.shape == (16, 16, 3)
    assert np.all(rgb[0, 0] == 0) and not np.allclose(rgb[3, 3], rgb[10, 10])
    plt.close(fig)


def test_plot_segmentation_rejects_bad_columns():
    image, mask, _ = _sample()
    with pytest.raises(ValueError, match="at least one column"):
        plotting.plot_segmentation({})
    with pytest.raises(ValueError, match="'mask': 2"):
        plotting.plot_segmentation({"image": [image], "mask": [mask, mask]})
    with pytest.raises(ValueError, match="'image': 0"):
        plotting.plot_segmentation({"image": []})
