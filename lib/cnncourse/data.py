"""Data sets for the course, with an offline fallback that is always labelled as such.

MNIST comes from ``keras.datasets.mnist`` (downloaded once into Keras's cache). Where it
cannot be had -- no network, or fast mode, which never downloads -- the course falls back to
scikit-learn's bundled 8x8 handwritten digits, resized to MNIST's 28x28 format. The returned
object says which one it is; notebooks print that.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MNIST_PATH_VARIABLE = "CNN_COURSE_MNIST"
MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")


@dataclass(frozen=True)
class ImageData:
    """Images ``(N, 28, 28)`` as uint8 0-255, labels ``(N,)`` as int, and where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    is_fallback: bool

    def describe(self) -> str:
        """One line naming the data set and its size."""
        label = "FALLBACK, not MNIST" if self.is_fallback else "real MNIST"
        return (
            f"{self.source} [{label}]: {len(self.x_train):,} training and "
            f"{len(self.x_test):,} test images of {self.x_train.shape[1]}x{self.x_train.shape[2]}"
        )


def load_mnist_npz(path: str | os.PathLike[str]) -> ImageData:
    """Load MNIST from a local ``.npz`` laid out like Keras's ``mnist.npz``.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is not an ``.npz`` with ``x_train``, ``y_train``, ``x_test``,
            ``y_test`` holding 28x28 images and matching labels.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(
            f"No MNIST file at {path}. Point {MNIST_PATH_VARIABLE} (or the path argument) at "
            "the mnist.npz file you were given, or unset it to download MNIST."
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except Exception as error:  # zipfile/pickle/format errors all mean "not an npz"
        raise ValueError(
            f"{path} is not a NumPy .npz archive ({type(error).__name__}: {error}). "
            "Expected Keras's mnist.npz, which numpy.load can open."
        ) from None
    missing = [key for key in MNIST_KEYS if key not in arrays]
    if missing:
        raise ValueError(
            f"{path} lacks {', '.join(missing)}; it holds {sorted(arrays)}. "
            f"An MNIST file needs the keys {', '.join(MNIST_KEYS)} (Keras's mnist.npz layout)."
        )
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise ValueError(
                f"x_{split} in {path} has shape {x.shape}; MNIST images are (N, 28, 28)."
            )
        if y.shape != (len(x),):
            raise ValueError(
                f"y_{split} in {path} has shape {y.shape}; expected ({len(x)},), one label "
                f"per image in x_{split}."
            )
    return ImageData(
        x_train=arrays["x_train"].astype(np.uint8),
        y_train=arrays["y_train"].astype(np.int64),
        x_test=arrays["x_test"].astype(np.uint8),
        y_test=arrays["y_test"].astype(np.int64),
        source=f"MNIST from {path}",
        is_fallback=False,
    )


def keras_mnist_cache() -> Path:
    """Where ``keras.datasets.mnist.load_data()`` keeps its downloaded copy."""
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return keras_home / "datasets" / "mnist.npz"


def digits_fallback(test_fraction: float = 0.2, seed: int = 0) -> ImageData:
    """scikit-learn's 1,797 bundled 8x8 digits, upscaled to MNIST's 28x28 format.

    Each 8x8 digit is resized to 20x20 and centred in a 28x28 frame (as MNIST centres its
    digits in a 20x20 box), scaled to 0-255 uint8, and split at random into train and test.
    Needs no network. Much smaller and blurrier than MNIST: accuracies differ.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}.")
    from scipy.ndimage import zoom
    from sklearn.datasets import load_digits

    digits = load_digits()
    small = digits.images.astype(np.float64) / 16.0  # (N, 8, 8) in [0, 1]
    big = zoom(small, (1, 20 / 8, 20 / 8), order=1)
    frames = np.zeros((len(big), 28, 28))
    frames[:, 4:24, 4:24] = np.clip(big, 0.0, 1.0)
    images = np.round(frames * 255).astype(np.uint8)
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(images))
    n_test = int(round(len(images) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return ImageData(
        x_train=images[train],
        y_train=labels[train],
        x_test=images[test],
        y_test=labels[test],
        source="scikit-learn digits (8x8, resized to 28x28)",
        is_fallback=True,
    )


def load_mnist(
    path: str | os.PathLike[str] | None = None, download: bool | None = None
) -> ImageData:
    """MNIST when it can be had, else the labelled scikit-learn fallback.

    In order:

    1. ``path``, or the file named by ``CNN_COURSE_MNIST`` (classrooms hand ``mnist.npz``
       around on a stick); a wrong file raises a clear error instead of falling back.
    2. Keras's cached download, if one exists.
    3. ``keras.datasets.mnist.load_data()``, which downloads -- unless ``download`` is False.
       ``download`` defaults to True except in fast mode (CI, autograding never download).
    4. :func:`digits_fallback`.
    """
    from cnncourse import config

    path = path or os.environ.get(MNIST_PATH_VARIABLE) or None
    if path:
        return load_mnist_npz(path)
    cache = keras_mnist_cache()
    if cache.is_file():
        data = load_mnist_npz(cache)
        return ImageData(**{**data.__dict__, "source": "MNIST (Keras cache)"})
    if download is None:
        download = not config.is_fast()
    if download:
        try:
            import keras

            (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
            return ImageData(
                x_train,
                y_train.astype(np.int64),
                x_test,
                y_test.astype(np.int64),
                source="MNIST (downloaded by keras.datasets.mnist)",
                is_fallback=False,
            )
        except Exception as error:  # no network, proxy, TLS... all mean "use the fallback"
            print(f"Could not download MNIST ({type(error).__name__}); using the fallback.")
    return digits_fallback()
