"""The per-lesson test helpers of lessons 04-07 (cnncourse.lessons.l04 ... l07) fail and pass
where they should: a helper that never fails would hand out points."""

from __future__ import annotations

import numpy as np
import pytest

from cnncourse.lessons import l04, l05, l06


def _matmul_1x1(X, W, b):
    return X @ W[0, 0] + b


def _looping_1x1(X, W, b):
    out = np.zeros(X.shape[:2] + (W.shape[3],))
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            out[i, j] = X[i, j] @ W[0, 0] + b
    return out


def test_python_lines_grow_with_a_python_loop_only():
    W, b = np.ones((1, 1, 3, 2)), np.zeros(2)
    small_loop, _ = l04.python_lines(_looping_1x1, np.ones((4, 4, 3)), W, b)
    big_loop, result = l04.python_lines(_looping_1x1, np.ones((20, 20, 3)), W, b)
    small_vec, _ = l04.python_lines(_matmul_1x1, np.ones((4, 4, 3)), W, b)
    big_vec, _ = l04.python_lines(_matmul_1x1, np.ones((20, 20, 3)), W, b)
    assert big_loop > 10 * small_loop
    assert big_vec == small_vec
    assert result.shape == (20, 20, 2)


def test_pixel_loop_check_fails_a_loop_and_passes_a_matrix_product():
    W, b = np.ones((1, 1, 3, 2)), np.zeros(2)
    args = (np.ones((4, 4, 3)), W, b), (np.ones((40, 40, 3)), W, b)
    l04.check_no_pixel_loop("conv1x1", _matmul_1x1, *args, pixels=(16, 1600))
    with pytest.raises(AssertionError, match="a Python loop over the pixels"):
        l04.check_no_pixel_loop("conv1x1", _looping_1x1, *args, pixels=(16, 1600))


def _max_pool(x, pool, stride=None):
    stride = pool if stride is None else stride
    (ph, pw), (sh, sw) = l05._pair(pool), l05._pair(stride)
    h_out, w_out = (x.shape[1] - ph) // sh + 1, (x.shape[2] - pw) // sw + 1
    out = np.empty((x.shape[0], h_out, w_out, x.shape[3]))
    for r in range(h_out):
        for c in range(w_out):
            out[:, r, c] = x[:, r * sh : r * sh + ph, c * sw : c * sw + pw].max(axis=(1, 2))
    return out


def test_pool_check_passes_a_correct_pool_and_names_an_ignored_stride():
    x = np.random.default_rng(0).normal(size=(2, 7, 6, 3))
    l05.check_pool("max", _max_pool, x, (3, 2), (1, 2))
    with pytest.raises(AssertionError, match="the window moved 1 pixel"):
        l05.check_pool("max", lambda x, p, s=None: _max_pool(x, p, 1), x, 2)


def test_loss_check_names_gradient_ascent():
    l05.check_loss_falls([2.3, 1.0], steps=1)
    with pytest.raises(AssertionError, match="uphill"):
        l05.check_loss_falls([2.3, 2.5], steps=1)
    with pytest.raises(AssertionError, match="fallen by at least 20%"):
        l05.check_loss_falls([2.3, 2.2], steps=1)


def test_lecture_rows_check_names_missing_dropout():
    import keras

    model = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    assert [r[0] for r in l06.layer_rows(model)] == ["Flatten", "Dense"]
    with pytest.raises(AssertionError, match="the layer types of build_lecture_model"):
        l06.check_lecture_rows(model)


def test_quietly_silences_warnings():
    import warnings

    def noisy():
        warnings.warn("loud", UserWarning, stacklevel=1)
        return 7

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert l06.quietly(noisy) == 7


def test_keras_check_passes_arithmetic_and_fails_a_keras_layer():
    from cnncourse.lessons import l07

    def by_formula(k, c, f):
        return (k * k * c + 1) * f

    def by_keras(k, c, f):
        import keras

        layer = keras.layers.Conv2D(f, k)
        layer.build((None, 16, 16, c))
        return layer.count_params()

    assert l07.check_no_keras("by_formula", by_formula, 3, 2, 4) == 76
    assert by_keras(3, 2, 4) == 76
    with pytest.raises(AssertionError, match="without building a Keras model"):
        l07.check_no_keras("by_keras", by_keras, 3, 2, 4)
