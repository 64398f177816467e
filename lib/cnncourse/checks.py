"""Assertions for the exercises' tests, with messages a student can act on.

Every failure names what was checked, the value found, the value expected and, where the
test knows one, the likely cause. They raise ``AssertionError`` so that nbgrader marks the
test cell as failed and shows the message as feedback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

# Private references taken at import, before any student code runs: a notebook that later
# replaces np.isclose, np.allclose, ... (to make every comparison pass) does not change these.
_ndarray = np.ndarray
_generic = np.generic
_number = np.number
_asarray = np.asarray
_isclose = np.isclose
_allclose = np.allclose
_argwhere = np.argwhere
_issubdtype = np.issubdtype
_array2string = np.array2string


def _fail(message: str, hint: str = "") -> None:
    raise AssertionError(message + (f"\nHint: {hint}" if hint else ""))


def _summary(value: Any, limit: int = 300) -> str:
    if isinstance(value, _ndarray):
        text = _array2string(value, precision=4, threshold=40, edgeitems=3)
        text = f"array of shape {value.shape}, dtype {value.dtype}:\n{text}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_type(name: str, value: Any, expected: type | tuple[type, ...], hint: str = "") -> None:
    """Fail unless ``value`` is an instance of ``expected``."""
    if not isinstance(value, expected):
        names = (
            " or ".join(t.__name__ for t in expected)
            if isinstance(expected, tuple)
            else expected.__name__
        )
        _fail(
            f"{name} should be {names}, but it is {type(value).__name__}: {_summary(value)}", hint
        )


def check_equal(
    name: str,
    got: Any,
    expected: Any,
    hint: str = "",
    likely: Mapping[str, Any] | None = None,
) -> None:
    """Fail unless ``got == expected`` (use for ints, strings, tuples, shapes).

    ``likely`` maps known mistakes to the value each would produce; when ``got`` equals one
    of them, the message names that mistake.
    """
    if isinstance(got, _ndarray) or isinstance(expected, _ndarray):
        raise TypeError("check_equal compares plain values; use check_close for arrays.")
    if got != expected:
        diagnosis = ""
        for mistake, wrong in (likely or {}).items():
            if type(got) is type(wrong) and got == wrong:
                diagnosis = f"\nLikely cause: {mistake}"
                break
        _fail(f"{name} is {got!r}, expected {expected!r}.{diagnosis}", hint)


def check_shape(name: str, array: Any, expected: tuple[int, ...], hint: str = "") -> None:
    """Fail unless ``array`` is a NumPy array of shape ``expected``."""
    if not isinstance(array, _ndarray):
        _fail(
            f"{name} should be a NumPy array of shape {expected}, "
            f"but it is {type(array).__name__}: {_summary(array)}",
            hint,
        )
    if tuple(array.shape) != tuple(expected):
        _fail(f"{name} has shape {tuple(array.shape)}, expected {tuple(expected)}.", hint)


def check_close(
    name: str,
    got: Any,
    expected: Any,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    hint: str = "",
    likely: Mapping[str, Any] | None = None,
) -> None:
    """Fail unless ``got`` matches ``expected`` in shape and, within tolerance, in value.

    Args:
        name: what was computed, as the student would write it, e.g. ``"conv2d(X, W)"``.
        got: the student's result.
        expected: the reference result.
        rtol, atol: tolerances as in ``numpy.allclose``.
        hint: general advice shown on failure.
        likely: known mistakes, each mapped to the value it would produce; when ``got``
            equals one of them, the message names that mistake.
    """
    expected = _asarray(expected)
    if not isinstance(got, (_ndarray, _generic, int, float)):
        _fail(
            f"{name} should return a NumPy array, but it returned {type(got).__name__}: "
            f"{_summary(got)}",
            hint,
        )
    got = _asarray(got)
    diagnosis = ""
    for mistake, wrong in (likely or {}).items():
        wrong = _asarray(wrong)
        if wrong.shape == got.shape and _allclose(got, wrong, rtol=rtol, atol=atol):
            diagnosis = f"\nLikely cause: {mistake}"
            break
    if got.shape != expected.shape:
        _fail(
            f"{name} has shape {got.shape}, expected {expected.shape}.{diagnosis}",
            hint,
        )
    if not _issubdtype(got.dtype, _number) and got.dtype != bool:
        _fail(f"{name} has dtype {got.dtype}; expected numbers.{diagnosis}", hint)
    close = _isclose(got, expected, rtol=rtol, atol=atol)
    if not close.all():
        index = tuple(int(i) for i in _argwhere(~close)[0])
        where = f"at index {index}" if index else "the value"
        _fail(
            f"{name} differs from the expected result in {int((~close).sum())} of "
            f"{close.size} entries; {where} it is {got[index]!r}, expected "
            f"{expected[index]!r}.\nyours:    {_summary(got)}\nexpected: {_summary(expected)}"
            f"{diagnosis}",
            hint,
        )


def check_raises(
    call: Callable[[], Any],
    name: str,
    exception: type[BaseException] = ValueError,
    *,
    match: str | None = None,
    hint: str = "",
) -> None:
    """Fail unless ``call()`` raises ``exception`` (whose message contains ``match``).

    ``name`` describes the bad input, e.g. ``"conv2d with a kernel larger than the image"``.
    """
    try:
        result = call()
    except exception as error:
        if match is not None and match.lower() not in str(error).lower():
            _fail(
                f"{name} raised {type(error).__name__} as it should, but its message "
                f"{str(error)!r} does not mention {match!r}.",
                hint,
            )
        return
    except Exception as error:
        _fail(
            f"{name} should raise {exception.__name__} with a clear message, but it raised "
            f"{type(error).__name__}: {error}",
            hint,
        )
    _fail(
        f"{name} should raise {exception.__name__}, but it returned {_summary(result)}.",
        hint,
    )
