"""Test helpers for lesson 04 (channels, 1x1 and volumetric convolutions): checks, no solutions."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def python_lines(function: Callable[..., Any], *args: Any) -> tuple[int, Any]:
    """How many lines of Python run while ``function(*args)`` runs, and its result.

    A measure of Python-level loops: NumPy's own loops run in C and count nothing.
    """
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        count += event == "line"
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        result = function(*args)
    finally:
        sys.settrace(previous)
    return count, result


def check_no_pixel_loop(
    name: str,
    function: Callable[..., Any],
    small_args: tuple,
    big_args: tuple,
    pixels: tuple[int, int],
    slack: int = 50,
) -> None:
    """Fail when ``function`` runs many more lines of Python on ``big_args`` than ``small_args``.

    ``pixels`` gives the two inputs' pixel counts, for the message. Work that does not grow
    with the image (argument checks, one matrix product) passes; a loop over pixels does not.
    """
    small, _ = python_lines(function, *small_args)
    big, _ = python_lines(function, *big_args)
    if big > 2 * small + slack:
        raise AssertionError(
            f"{name} ran {big:,} lines of Python on an image of {pixels[1]:,} pixels but "
            f"{small:,} on one of {pixels[0]:,}: its Python work grows with the number of "
            "pixels.\nLikely cause: a Python loop over the pixels; the exercise asks for one "
            "matrix product over the channel axis (X @ W[0, 0] + b)."
        )
