"""Lesson 03 (2D convolution): fixed cases for the visible tests, and inputs for the loop checks.

The expected arrays are written out as numbers (computed once with ``scipy.signal.correlate2d``
and checked against it by ``tests/test_lessons.py``), so that the visible tests show what a
right answer gives without handing students a library call that computes it.
"""

from __future__ import annotations

import numpy as np

FLIPPED = (
    "flipped kernel: you computed a true convolution (kernel rotated by 180 degrees); "
    "deep learning does not flip"
)
STRIDE = "stride ignored: the window moved one pixel at a time"
SAME_NO_STRIDE = (
    "'same' padding that ignores the stride: with stride s the total is (ceil(n/s) - 1) * s + k - n"
)
HALF_K = (
    "k // 2 zeros on each side is one too many for an even kernel; TensorFlow adds k - 1 in all"
)
EXTRA_FIRST = "the extra zero went top/left; TensorFlow puts it bottom/right"
TRANSPOSED = "transposed output: the einsum output is 'ji' instead of 'ij'"
STRIDE_FAST = "stride ignored: slice the windows with [::sh, ::sw]"

_VALID = [  # (label, X, W, expected, with the kernel flipped)
    (
        "X (5x5), W (3x3)",
        "0 1 2 3 4; 5 6 7 8 9; 10 11 12 13 14; 15 16 17 18 19; 20 21 22 23 24",
        "1 0 -1; 2 1 0; 0 0 3",
        "50 56 62; 80 86 92; 110 116 122",
        "22 28 34; 52 58 64; 82 88 94",
    ),
    (
        "a 4x6 input, 3x3 kernel",
        "0 1 2 3 4 5; 6 0 1 2 3 4; 5 6 0 1 2 3; 4 5 6 0 1 2",
        "1 0 -1; 2 1 0; 0 0 3",
        "10 2 8 14; 39 10 2 8",
        "-3 3 16 22; 26 -3 3 16",
    ),
    (
        "a 6x5 input, 2x3 kernel",
        "0 1 2 3 0; 1 2 3 0 1; 2 3 0 1 2; 3 0 1 2 3; 0 1 2 3 0; 1 2 3 0 1",
        "1 2 0; -1 0 1",
        "4 3 6; 3 6 5; 6 5 4; 5 4 3; 4 3 6",
        "5 4 3; 4 3 6; 3 6 5; 6 5 4; 5 4 3",
    ),
]
_CONV2D = [  # (label, X, W, stride, padding, expected, {mistake: what it gives})
    (
        "7x7 input, 3x3 kernel, stride 2, valid",
        (
            "6 6 0 1 4 3 7; 4 3 3 5 5 1 6; 6 8 7 2 2 5 5; 6 7 2 8 0 0 8; "
            "8 2 1 2 0 8 5; 5 2 4 1 6 4 0; 2 6 4 3 2 0 5"
        ),
        "1 0 -1; 2 1 0; 0 0 3",
        2,
        "valid",
        "38 13 23; 21 17 12; 31 16 26",
        {
            STRIDE: ("38 20 13 28 23; 27 45 14 10 32; 21 28 17 37 12; 34 7 24 24 0; 31 17 16 2 26"),
            FLIPPED: "28 10 28; 22 28 27; 36 14 7",
        },
    ),
    (
        "5x8 input, 2x3 kernel, stride (1, 2), valid",
        ("5 4 8 8 1 5 5 2; 2 4 6 2 6 5 1 3; 7 7 5 0 6 2 7 8; 3 8 6 2 7 3 0 5; 7 5 3 8 4 3 1 1"),
        "1 0 -1; 2 1 0",
        (1, 2),
        "valid",
        "5 21 13; 17 10 19; 16 13 16; 16 13 18",
        {
            STRIDE: "5 10 21 13 13 14; 17 21 10 3 19 13; 16 29 13 9 16 0; 16 19 13 19 18 5",
            FLIPPED: "24 10 10; 14 15 8; 20 13 9; 16 17 0",
        },
    ),
    (
        "5x6 input, 3x3 kernel, same",
        "6 7 2 5 7 1; 2 4 5 3 3 1; 5 8 1 7 1 0; 6 1 6 2 5 8; 8 4 1 2 7 5",
        "1 0 -1; 2 1 0; 0 0 3",
        1,
        "same",
        ("18 34 25 18 20 15; 19 15 36 11 13 14; 4 33 24 26 41 5; 10 20 15 35 31 19; 7 20 8 5 5 24"),
        {
            FLIPPED: (
                "24 14 11 17 7 -2; 18 28 31 15 13 21; 22 16 28 23 16 4; "
                "12 21 32 21 45 4; 16 24 8 34 23 20"
            )
        },
    ),
    (
        "6x6 input, 4x4 kernel (even), same",
        ("1 7 8 8 5 8; 5 4 8 5 7 3; 7 8 0 4 3 0; 0 2 1 6 1 5; 7 4 1 0 2 3; 4 2 7 5 8 8"),
        "2 -3 -2 -2; -2 2 3 1; -3 -3 -1 0; 1 0 -2 -2",
        1,
        "same",
        (
            "-4 8 -16 -29 -17 -21; -38 -83 -46 -42 -27 -30; -13 -24 -56 -33 -51 -17; "
            "-73 -59 -20 -30 -16 7; 7 -48 -49 -65 -35 -59; -10 22 34 20 18 -5"
        ),
        {
            HALF_K: (
                "-19 -34 -53 -73 -65 -48 -32; -25 -4 8 -16 -29 -17 -21; "
                "-8 -38 -83 -46 -42 -27 -30; -11 -13 -24 -56 -33 -51 -17; "
                "-47 -73 -59 -20 -30 -16 7; 17 7 -48 -49 -65 -35 -59; "
                "-8 -10 22 34 20 18 -5"
            ),
            EXTRA_FIRST: (
                "-19 -34 -53 -73 -65 -48; -25 -4 8 -16 -29 -17; -8 -38 -83 -46 -42 -27; "
                "-11 -13 -24 -56 -33 -51; -47 -73 -59 -20 -30 -16; 17 7 -48 -49 -65 -35"
            ),
            FLIPPED: (
                "-77 -54 -45 -33 -11 2; -2 -23 -81 -48 -58 -38; -55 -62 -29 -27 -21 -14; "
                "4 -51 -49 -65 -68 -32; -19 9 5 -2 20 17; -44 -60 -54 -52 -36 -18"
            ),
        },
    ),
    (
        "6x6 input, 3x3 kernel, stride 2, same",
        ("6 0 1 6 4 8; 6 7 0 2 6 5; 3 1 5 0 6 7; 6 0 4 2 4 6; 1 0 4 5 1 8; 4 8 4 6 6 4"),
        "1 0 -1; 2 1 0; 0 0 3",
        2,
        "same",
        "39 17 21; 22 12 20; 13 17 17",
        {
            STRIDE: (
                "39 8 17 29 21; 25 18 16 21 25; 22 20 12 25 20; 16 20 31 19 14; 13 15 17 15 17"
            ),
            SAME_NO_STRIDE: "27 7 31; -4 18 21; 25 20 19",
            HALF_K: "27 7 31; -4 18 21; 25 20 19",
            EXTRA_FIRST: "27 7 31; -4 18 21; 25 20 19",
            FLIPPED: "27 18 11; 20 22 23; 19 30 7",
        },
    ),
]
_FAST = [  # (X, W, stride, padding, expected, flipped kernel, stride ignored)
    (
        "6 8 7 4 8; 8 8 0 4 5; 2 3 5 7 5; 1 6 7 1 4; 3 8 0 4 8",
        "1 0 -1; 2 1 0; 0 0 3",
        1,
        "valid",
        "38 41 18; 36 18 24; 5 27 39",
        "29 36 35; 43 38 14; 23 14 32",
        "38 41 18; 36 18 24; 5 27 39",
    ),
    (
        (
            "3 1 7 8 8 8 3 6 8; 5 8 5 1 4 5 2 6 3; 8 1 5 0 1 4 4 4 4; "
            "7 4 3 8 7 3 1 2 1; 4 5 5 8 8 4 5 0 2; 8 8 0 4 4 6 1 4 3"
        ),
        "1 0; 2 1; 0 0",
        (2, 1),
        "valid",
        "21 22 18 14 21 20 13 21; 26 12 19 23 18 11 8 9",
        "22 23 7 10 18 13 18 16; 20 15 27 30 17 10 5 6",
        (
            "21 22 18 14 21 20 13 21; 22 15 15 2 10 17 14 18; 26 12 19 23 18 11 8 9; "
            "20 19 21 32 27 16 11 4"
        ),
    ),
    (
        (
            "1 7 6 1 6 4; 1 5 4 4 3 8; 1 8 1 7 8 1; 7 0 3 4 6 1; 0 2 8 2 4 0; "
            "7 8 2 7 3 2; 3 1 8 0 3 5"
        ),
        "1 0 -1; 2 1 0; 0 0 3",
        1,
        "same",
        (
            "16 21 32 22 32 16; 18 5 41 36 11 20; -4 16 30 28 21 20; "
            "5 38 10 15 20 21; 24 12 29 24 17 14; 8 38 18 24 34 12; "
            "-5 12 11 15 8 14"
        ),
        (
            "20 22 7 12 18 1; 19 16 32 35 16 18; 17 9 34 38 19 4; 9 17 35 15 27 21; "
            "12 34 11 20 11 15; 24 17 21 32 18 11; 5 38 32 12 34 14"
        ),
        (
            "16 21 32 22 32 16; 18 5 41 36 11 20; -4 16 30 28 21 20; "
            "5 38 10 15 20 21; 24 12 29 24 17 14; 8 38 18 24 34 12; "
            "-5 12 11 15 8 14"
        ),
    ),
    (
        (
            "4 0 8 7 8 1 3 3; 2 0 7 6 0 1 3 8; 7 1 8 2 2 8 0 0; 7 2 5 3 2 3 4 1; "
            "0 8 6 3 4 8 6 5; 0 0 5 5 3 4 4 7; 3 4 5 6 5 5 5 0; 0 2 2 8 0 5 3 7"
        ),
        "1 0 -1; 2 1 0",
        2,
        "same",
        "0 20 6 17; 15 19 9 9; -6 17 8 21; 0 12 5 18",
        "21 16 10 0; 15 3 10 -4; 25 9 21 1; 16 14 18 -3",
        (
            "0 0 20 18 6 3 17; 10 4 25 11 9 9 3; 15 8 19 2 9 18 9; "
            "10 21 18 10 14 24 21; -6 10 17 8 8 15 21; 5 8 18 18 14 12 14; "
            "0 4 12 17 5 18 18"
        ),
    ),
]
_RECTANGLE = (
    "0 0 0 0 0 0 0 0; 0 0 0 0 0 0 0 0; 0 0 0 1 1 1 1 0; 0 0 0 1 1 1 1 0; "
    "0 0 0 1 1 1 1 0; 0 0 0 0 0 0 0 0; 0 0 0 0 0 0 0 0"
)
_RECTANGLE_GX = (
    "0 0 0 0 0 0 0 0; 0 0 1 1 0 0 -1 -1; 0 0 3 3 0 0 -3 -3; "
    "0 0 4 4 0 0 -4 -4; 0 0 3 3 0 0 -3 -3; 0 0 1 1 0 0 -1 -1; "
    "0 0 0 0 0 0 0 0"
)
_RECTANGLE_GY = (
    "0 0 0 0 0 0 0 0; 0 0 1 3 4 4 3 1; 0 0 1 3 4 4 3 1; 0 0 0 0 0 0 0 0; "
    "0 0 -1 -3 -4 -4 -3 -1; 0 0 -1 -3 -4 -4 -3 -1; 0 0 0 0 0 0 0 0"
)


def _floats(text: str) -> np.ndarray:
    """A matrix written as "1 2 3; 4 5 6" (rows separated by semicolons), as floats."""
    return np.array([row.split() for row in text.split(";")], dtype=float)


def conv2d_valid_cases() -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Exercise 1: ``(label, X, W, expected, expected with the kernel flipped)``."""
    return [(label, *(_floats(a) for a in arrays)) for label, *arrays in _VALID]


def conv2d_cases() -> list[tuple]:
    """Exercise 3: ``(label, X, W, stride, padding, expected, {mistake: what it gives})``."""
    return [
        (label, _floats(X), _floats(W), stride, padding, _floats(expected),
         {message: _floats(value) for message, value in likely.items()})
        for label, X, W, stride, padding, expected, likely in _CONV2D
    ]  # fmt: skip


def conv2d_fast_cases() -> list[tuple]:
    """Exercise 4: ``(label, X, W, stride, padding, expected, {mistake: what it gives})``."""
    cases = []
    for X, W, stride, padding, expected, flipped, no_stride in _FAST:
        X, W, expected = _floats(X), _floats(W), _floats(expected)
        label = (
            f"conv2d_fast(X, W, stride={stride!r}, padding={padding!r}) with X "
            f"{X.shape[0]}x{X.shape[1]}, W {W.shape[0]}x{W.shape[1]}"
        )
        likely = {
            TRANSPOSED: expected.T,
            FLIPPED: _floats(flipped),
            STRIDE_FAST: _floats(no_stride),
        }
        cases.append((label, X, W, stride, padding, expected, likely))
    return cases


def rectangle_gradients() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exercise 5: a 7x8 image with a bright rectangle, and its Sobel x and y responses
    (``SOBEL_X`` and ``SOBEL_Y`` of the lesson, "same" padding)."""
    return _floats(_RECTANGLE), _floats(_RECTANGLE_GX), _floats(_RECTANGLE_GY)


def loop_inputs(kernel: np.ndarray, seed: int = 0) -> tuple[tuple, tuple]:
    """Arguments ``(small, big)`` for ``checks.check_python_loop``: a random 32x32 and 122x122
    image with ``kernel``; a 3x3 kernel gives 30x30 and 120x120 outputs (16 times as many)."""
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(32, 32)), kernel), (rng.normal(size=(122, 122)), kernel)
