"""MNIST loading: local files validated, the offline fallback labelled, no network in tests."""

from __future__ import annotations

import numpy as np
import pytest

from cnncourse import data


def _write_mnist(path, **overrides):
    arrays = {
        "x_train": np.zeros((5, 28, 28), np.uint8),
        "y_train": np.arange(5),
        "x_test": np.zeros((2, 28, 28), np.uint8),
        "y_test": np.arange(2),
    }
    arrays.update(overrides)
    arrays = {key: value for key, value in arrays.items() if value is not None}
    np.savez(path, **arrays)
    return path


def test_a_local_mnist_file_is_loaded_and_named(tmp_path):
    path = _write_mnist(tmp_path / "mnist.npz")
    loaded = data.load_mnist(path)
    assert loaded.x_train.shape == (5, 28, 28) and loaded.y_test.tolist() == [0, 1]
    assert not loaded.is_fallback and str(path) in loaded.source


def test_the_environment_variable_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_COURSE_MNIST", str(_write_mnist(tmp_path / "m.npz")))
    assert data.load_mnist().x_test.shape == (2, 28, 28)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"y_test": None}, "lacks y_test"),
        ({"x_train": np.zeros((5, 32, 32))}, r"MNIST images are \(N, 28, 28\)"),
        ({"y_train": np.arange(4)}, "one label per image"),
    ],
)
def test_a_wrong_file_gets_a_clear_error(tmp_path, overrides, message):
    with pytest.raises(ValueError, match=message):
        data.load_mnist(_write_mnist(tmp_path / "bad.npz", **overrides))


def test_a_missing_or_corrupt_file_gets_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="CNN_COURSE_MNIST"):
        data.load_mnist(tmp_path / "nope.npz")
    junk = tmp_path / "junk.npz"
    junk.write_text("not a zip")
    with pytest.raises(ValueError, match="not a NumPy .npz archive"):
        data.load_mnist(junk)


def test_fast_mode_without_a_cache_uses_the_labelled_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # an empty cache
    monkeypatch.delenv("CNN_COURSE_MNIST", raising=False)
    monkeypatch.setenv("CNN_COURSE_MODE", "fast")
    loaded = data.load_mnist()
    assert loaded.is_fallback and "FALLBACK" in loaded.describe()
    assert loaded.x_train.shape[1:] == (28, 28) and loaded.x_train.dtype == np.uint8
    assert loaded.x_train.max() > 200 and set(np.unique(loaded.y_train)) == set(range(10))
    assert len(loaded.x_train) + len(loaded.x_test) == 1797


def test_the_fallback_is_deterministic_and_centred():
    first, second = data.digits_fallback(seed=3), data.digits_fallback(seed=3)
    assert np.array_equal(first.x_train, second.x_train)
    assert first.x_train[:, :4].max() == 0 and first.x_train[:, 24:].max() == 0
    with pytest.raises(ValueError, match="test_fraction"):
        data.digits_fallback(test_fraction=1.5)
