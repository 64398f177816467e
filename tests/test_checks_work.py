"""Checks on how an answer computes: Python loops where asked or forbidden, library calls."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from scipy.signal import correlate2d

from cnncourse import checks


def _loops(X, W):
    out = np.zeros((X.shape[0] - W.shape[0] + 1, X.shape[1] - W.shape[1] + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(X[i : i + W.shape[0], j : j + W.shape[1]] * W)
    return out


def _windows(X, W):
    view = np.lib.stride_tricks.sliding_window_view(X, W.shape)
    return np.einsum("ijkl,kl->ij", view, W)


def _scipy(X, W):
    return correlate2d(X, W, mode="valid")


SMALL = (np.ones((12, 12)), np.ones((3, 3)))
BIG = (np.ones((42, 42)), np.ones((3, 3)))


def test_count_python_lines_grows_with_a_loop_and_returns_the_result():
    small, _ = checks.count_python_lines(_loops, *SMALL)
    big, result = checks.count_python_lines(_loops, *BIG)
    flat_small, _ = checks.count_python_lines(_windows, *SMALL)
    flat_big, _ = checks.count_python_lines(_windows, *BIG)
    assert big > 10 * small > 0
    assert flat_big == flat_small
    np.testing.assert_array_equal(result, np.full((40, 40), 9.0))


def test_check_python_loop_passes_what_the_exercise_asks_for():
    result = checks.check_python_loop("loops", _loops, SMALL, BIG, loop=True)
    assert result.shape == (40, 40)
    checks.check_python_loop("windows", _windows, SMALL, BIG, loop=False)


def test_check_python_loop_names_a_forbidden_loop():
    with pytest.raises(AssertionError, match="a Python loop over the output pixels"):
        checks.check_python_loop("loops", _loops, SMALL, BIG, loop=False, hint="use einsum")


def test_check_python_loop_names_a_missing_loop():
    with pytest.raises(AssertionError, match="no Python loop over the output positions"):
        checks.check_python_loop("scipy", _scipy, SMALL, BIG, loop=True)


def test_count_python_lines_restores_the_previous_tracer():
    def tracer(frame, event, arg):
        return None

    sys.settrace(tracer)
    try:
        checks.count_python_lines(_loops, *SMALL)
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(None)


def test_functions_called_sees_numpy_and_scipy_routines():
    names, _ = checks.functions_called(lambda: np.correlate([1.0, 2.0], [1.0], "valid"))
    assert "numpy._core.numeric.correlate" in names or "numpy.core.numeric.correlate" in names
    names, _ = checks.functions_called(_scipy, *SMALL)
    assert any(name.startswith("scipy.signal.") for name in names)


@pytest.mark.parametrize(
    ("function", "label"),
    [
        (lambda x, w: np.correlate(x, w, "valid"), "np.correlate"),
        (lambda x, w: np.convolve(x, w[::-1], "valid"), "np.convolve"),
        (lambda x, w: correlate2d(x[None], w[None], mode="valid")[0], "SciPy"),
    ],
)
def test_check_not_called_names_the_library_routine(function, label):
    x, w = np.arange(6.0), np.array([1.0, -1.0])
    with pytest.raises(AssertionError, match=f"calls {label}"):
        checks.check_not_called("conv1d(x, w)", function, (x, w), checks.LIBRARY_CONVOLUTIONS)


def test_check_not_called_returns_the_result_of_hand_written_code():
    x, w = np.arange(6.0), np.array([1.0, -1.0])
    hand = lambda x, w: np.array([np.sum(x[i : i + 2] * w) for i in range(5)])  # noqa: E731
    result = checks.check_not_called("conv1d(x, w)", hand, (x, w), checks.LIBRARY_CONVOLUTIONS)
    np.testing.assert_array_equal(result, np.full(5, -1.0))
    assert sys.getprofile() is None
