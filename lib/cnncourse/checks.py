"""Assertions for the exercises' tests, with messages a student can act on.

Every failure names what was checked, the value found, the value expected and, where the
test knows one, the likely cause. They raise ``AssertionError`` so that nbgrader marks the
test cell as failed and shows the message as feedback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
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
_generic_item = np.generic.item
_shape_of = np.ndarray.shape.__get__
_gettrace, _settrace = sys.gettrace, sys.settrace
_getprofile, _setprofile = sys.getprofile, sys.setprofile


def _fail(message: str, hint: str = "") -> None:
    raise AssertionError(message + (f"\nHint: {hint}" if hint else ""))


def _summary(value: Any, limit: int = 300) -> str:
    if isinstance(value, _ndarray):
        text = _array2string(value, precision=4, threshold=40, edgeitems=3)
        text = f"array of shape {value.shape}, dtype {value.dtype}:\n{text}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _plain(name: str, value: Any, hint: str = "", depth: int = 0) -> Any:
    """``value`` as plain Python data: built-in numbers, strings, ``None`` and tuples, lists,
    sets and dicts of them, NumPy scalars turned into Python ones.

    Each is read through its base type's own method (``int.__index__``, ``tuple.__iter__``,
    ...), so a subclass, or an object whose ``__eq__`` says yes to everything, cannot decide
    how it compares with the expected value. Any other type fails, naming it.
    """
    kind = type(value)
    if value is None or kind in (bool, int, float, complex, str, bytes):
        return value
    if isinstance(value, _generic):
        return _plain(name, _generic_item(value), hint, depth)
    if depth < 20:
        for container in (tuple, list, frozenset, set):
            if isinstance(value, container):
                items = container.__iter__(value)
                return container(_plain(name, v, hint, depth + 1) for v in items)
        if isinstance(value, dict):
            return {
                _plain(name, k, hint, depth + 1): _plain(name, v, hint, depth + 1)
                for k, v in dict.items(value)
            }
    for base, read in ((int, int.__index__), (float, float.__float__), (str, str.__str__)):
        if isinstance(value, base):
            return read(value)
    _fail(
        f"{name} is a {kind.__name__} ({_summary(value, 80)}), which the tests do not compare: "
        "return plain values (numbers, strings, or tuples, lists and dicts of them).",
        hint,
    )


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

    ``got`` must be plain data (numbers, strings, ``None``, NumPy scalars, and tuples, lists,
    sets and dicts of them); it is compared as such, so that an object that claims to equal
    everything earns nothing.

    ``likely`` maps known mistakes to the value each would produce; when ``got`` equals one
    of them, the message names that mistake.
    """
    if isinstance(got, _ndarray) or isinstance(expected, _ndarray):
        raise TypeError("check_equal compares plain values; use check_close for arrays.")
    got = _plain(name, got, hint)
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
    shape = _shape_of(array)  # the array's own shape, whatever a subclass says
    if shape != tuple(expected):
        _fail(f"{name} has shape {shape}, expected {tuple(expected)}.", hint)


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


def count_python_lines(function: Callable[..., Any], *args: Any) -> tuple[int, Any]:
    """``(lines, result)``: how many lines of Python run while ``function(*args)`` runs.

    A measure of Python-level work: a loop over every output pixel runs its body once per
    pixel, while NumPy's compiled loops run no Python lines at all.
    """
    count = 0

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        count += event == "line"
        return tracer

    previous = _gettrace()
    _settrace(tracer)
    try:
        result = function(*args)
    finally:
        _settrace(previous)
    return count, result


def check_python_loop(
    name: str,
    function: Callable[..., Any],
    small: Sequence[Any],
    big: Sequence[Any],
    *,
    loop: bool,
    hint: str = "",
) -> Any:
    """Check that ``function``'s Python work grows (``loop=True``) or stays flat (``loop=False``)
    from the arguments ``small`` to ``big``, which should have about 16 times as many outputs.

    Python work that grows with the output means a Python loop over it: what an exercise that
    says "with loops" asks for, and what one that says "without a loop over pixels" forbids.
    Returns ``function(*big)``.
    """
    small_lines, _ = count_python_lines(function, *small)
    big_lines, result = count_python_lines(function, *big)
    grows = big_lines > 2 * small_lines + 500
    if grows and not loop:
        _fail(
            f"{name} ran {big_lines:,} lines of Python on the big input but {small_lines:,} on "
            "the small one: its Python work grows with the number of outputs.\nLikely cause: "
            "a Python loop over the output pixels, which this exercise asks you to avoid.",
            hint,
        )
    if loop and not grows:
        _fail(
            f"{name} ran {small_lines:,} lines of Python on the small input and {big_lines:,} on "
            "the big one: no Python loop over the output positions.\nLikely cause: a library "
            "call or a vectorised shortcut where this exercise asks you to write the loops.",
            hint,
        )
    return result


def functions_called(function: Callable[..., Any], *args: Any) -> tuple[set[str], Any]:
    """``(names, result)``: the ``module.function`` names of the Python and built-in functions
    called while ``function(*args)`` runs (``numpy._core.numeric.correlate``, ...)."""
    names: set[str] = set()

    def profiler(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            names.add(f"{frame.f_globals.get('__name__', '')}.{frame.f_code.co_name}")
        elif event == "c_call":
            names.add(f"{getattr(arg, '__module__', None) or ''}.{getattr(arg, '__name__', '')}")

    previous = _getprofile()
    _setprofile(profiler)
    try:
        result = function(*args)
    finally:
        _setprofile(previous)
    return names, result


def check_not_called(
    name: str,
    function: Callable[..., Any],
    args: Sequence[Any],
    forbidden: Mapping[str, Sequence[str]],
    hint: str = "",
) -> Any:
    """Fail if ``function(*args)`` calls a function the exercise forbids; return its result.

    ``forbidden`` maps what the student would write (``"np.correlate"``) to the prefixes of
    the ``module.function`` names that betray it (see :func:`functions_called`).
    """
    names, result = functions_called(function, *args)
    for label, prefixes in forbidden.items():
        if any(called.startswith(tuple(prefixes)) for called in names):
            _fail(
                f"{name} calls {label}, which this exercise asks you not to use: the point is "
                "to write the computation yourself.",
                hint,
            )
    return result


# What the convolution exercises forbid: the library routines that would do the work.
LIBRARY_CONVOLUTIONS: dict[str, tuple[str, ...]] = {
    "np.correlate": ("numpy._core.numeric.correlate", "numpy.core.numeric.correlate"),
    "np.convolve": ("numpy._core.numeric.convolve", "numpy.core.numeric.convolve"),
    "NumPy's compiled correlate": ("numpy._core._multiarray_umath.correlate",),
    "SciPy (scipy.signal or scipy.ndimage)": ("scipy.signal.", "scipy.ndimage."),
    "TensorFlow or Keras": ("tensorflow.", "keras."),
}
