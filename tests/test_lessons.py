"""The fixed data in cnncourse.lessons agree with the libraries the visible tests stand in for."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import correlate2d

from cnncourse import checks
from cnncourse.lessons import l01, l03, l09


def _tf_pads(n: int, k: int, s: int) -> tuple[int, int]:
    total = max((-(-n // s) - 1) * s + k - n, 0)
    return (total // 2, total - total // 2)


def _reference(X, W, stride, pads):
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    return correlate2d(np.pad(X, pads), W, mode="valid")[::sh, ::sw]


def _pads(X, W, stride, padding):
    if padding == "valid":
        return ((0, 0), (0, 0))
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    return (_tf_pads(X.shape[0], W.shape[0], sh), _tf_pads(X.shape[1], W.shape[1], sw))


def test_l03_valid_cases_are_scipy_correlations():
    cases = l03.conv2d_valid_cases()
    assert len(cases) == 3
    for _, X, W, expected, flipped in cases:
        np.testing.assert_array_equal(expected, correlate2d(X, W, mode="valid"))
        np.testing.assert_array_equal(flipped, correlate2d(X, W[::-1, ::-1], mode="valid"))


def test_l03_conv2d_cases_pad_as_tensorflow_and_each_mistake_differs():
    for label, X, W, stride, padding, expected, likely in l03.conv2d_cases():
        pads = _pads(X, W, stride, padding)
        np.testing.assert_array_equal(expected, _reference(X, W, stride, pads), err_msg=label)
        kh, kw = W.shape
        wrong = {
            l03.STRIDE: _reference(X, W, 1, pads),
            l03.SAME_NO_STRIDE: _reference(
                X, W, stride, (((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2))
            ),
            l03.HALF_K: _reference(X, W, stride, ((kh // 2, kh // 2), (kw // 2, kw // 2))),
            l03.EXTRA_FIRST: _reference(X, W, stride, tuple((b, a) for a, b in pads)),
            l03.FLIPPED: _reference(X, W[::-1, ::-1], stride, pads),
        }
        assert likely, label
        for message, value in likely.items():
            np.testing.assert_array_equal(value, wrong[message], err_msg=f"{label}: {message}")
            assert value.shape != expected.shape or not np.array_equal(value, expected)


def test_l03_conv2d_fast_cases_are_scipy_correlations():
    for label, X, W, stride, padding, expected, likely in l03.conv2d_fast_cases():
        pads = _pads(X, W, stride, padding)
        np.testing.assert_array_equal(expected, _reference(X, W, stride, pads), err_msg=label)
        np.testing.assert_array_equal(
            likely[l03.FLIPPED], _reference(X, W[::-1, ::-1], stride, pads)
        )
        np.testing.assert_array_equal(likely[l03.STRIDE_FAST], _reference(X, W, 1, pads))
        np.testing.assert_array_equal(likely[l03.TRANSPOSED], expected.T)


def test_l03_rectangle_gradients_are_the_sobel_responses_with_same_padding():
    image, gx, gy = l03.rectangle_gradients()
    sobel_x = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    np.testing.assert_array_equal(gx, correlate2d(image, sobel_x, mode="same"))
    np.testing.assert_array_equal(gy, correlate2d(image, sobel_x.T, mode="same"))


def test_l03_loop_inputs_have_sixteen_times_the_outputs_and_tell_loops_apart():
    small, big = l03.loop_inputs(np.ones((3, 3)))
    assert small[0].shape == (32, 32) and big[0].shape == (122, 122)

    def windows(X, W):
        return np.einsum("ijkl,kl->ij", np.lib.stride_tricks.sliding_window_view(X, W.shape), W)

    checks.check_python_loop("windows", windows, small, big, loop=False)


def _span_seen(layers):
    """Brute force: the input positions output 0 depends on, followed down layer by layer."""
    seen = {0}
    for _, k, s in reversed(layers):
        seen = {i * s + t for i in seen for t in range(k)}
    return max(seen) - min(seen) + 1


def test_l01_parameter_counts_follow_the_formulas_and_mistakes_differ():
    for n_in, n_out, bias, expected, likely in l01.dense_params_cases():
        assert expected == n_in * n_out + (n_out if bias else 0)
        assert likely and expected not in likely.values()
    for k_h, k_w, c_in, c_out, bias, expected, likely in l01.conv2d_params_cases():
        assert expected == k_h * k_w * c_in * c_out + (c_out if bias else 0)
        assert likely and expected not in likely.values()


def test_l01_receptive_fields_match_a_brute_force_count():
    for layers, expected, likely in l01.receptive_field_cases():
        assert expected == (_span_seen(layers) if layers else 1)
        assert likely and expected not in likely.values()


class _QuietLabels(np.ndarray):
    """Labels whose ``!=`` never reports a difference: a comparison the student controls."""

    def __ne__(self, other):
        return np.zeros(np.shape(self), bool)


def test_l09_instance_checks_read_the_labels_as_a_plain_array():
    objects = np.zeros((2, 8, 8), bool)
    objects[0, 1:3, 1:3] = objects[1, 5:7, 5:7] = True
    labels = objects[0] * 1 + objects[1] * 2
    l09.check_objects("label_instances(mask)", labels, objects)
    l09.check_split("split_touching(mask)", labels, objects)
    wrong = np.where(labels == 0, 3, labels)  # the background labelled too
    for check in (l09.check_objects, l09.check_split):
        with pytest.raises(AssertionError, match=r"labels 56 background pixels"):
            check("f(mask)", wrong.view(_QuietLabels), objects)
