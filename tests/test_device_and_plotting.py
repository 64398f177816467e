"""The device module works without a GPU; plotting functions draw and reject bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from cnncourse import config, device, plotting

config.quiet_tensorflow()


@pytest.mark.slow
def test_device_answers_on_a_cpu_only_machine():
    assert isinstance(device.gpus(), list)
    if device.gpu_count() == 0:
        assert not device.gains_from_mixed_precision()
        assert device.set_precision() == "float32"
        assert "CPU" in device.describe()
    strategy = device.strategy()
    assert strategy.num_replicas_in_sync >= 1


def test_show_images_and_its_errors():
    fig = plotting.show_images(np.zeros((3, 4, 4)), titles=["a", "b", "c"], ncols=2)
    assert len(fig.axes) == 4
    with pytest.raises(ValueError, match="one each"):
        plotting.show_images(np.zeros((3, 4, 4)), titles=["a"])
    with pytest.raises(ValueError, match="at least one"):
        plotting.show_images([])


def test_sliding_window_panels_show_the_given_output():
    X = np.arange(25.0).reshape(5, 5)
    out = np.full((3, 3), 7.0)
    fig = plotting.plot_sliding_window_2d(X, np.ones((3, 3)), out)
    titles = [ax.get_title() for ax in fig.axes]
    assert "out[1,1] = 7" in titles and "window X(3,3)" in titles
    with pytest.raises(ValueError, match="must be 2D"):
        plotting.plot_sliding_window_2d(X[None], np.ones((3, 3)), out)


def test_history_and_feature_maps():
    fig = plotting.plot_history(
        {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]}
    )
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    with pytest.raises(ValueError, match="no metrics"):
        plotting.plot_history({})
    assert len(plotting.show_feature_maps(np.zeros((4, 4, 3))).axes) == 3
    with pytest.raises(ValueError, match=r"\(H, W, C\)"):
        plotting.show_feature_maps(np.zeros((4, 4)))
