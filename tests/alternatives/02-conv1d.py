"""Correct answers for 02-conv1d built differently from the master (see README.md)."""

ALTERNATIVES = [
    # conv_output_length -----------------------------------------------------------------------
    dict(
        cell="conv_output_length",
        name="math.ceil for 'same', a dict of padding rules, padding checked first",
        code="""
import math


def conv_output_length(n, k, stride=1, padding="valid"):
    rules = {"valid": lambda: (n - k) // stride + 1, "same": lambda: math.ceil(n / stride)}
    if padding not in rules:
        raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")
    for value in (n, k, stride):
        if type(value) is bool or not isinstance(value, (int, np.integer)) or value <= 0:
            raise ValueError(f"n, k and stride must be positive integers, got {value!r}")
    if padding == "valid" and k > n:
        raise ValueError("the kernel is longer than the input")
    return int(rules[padding]())
""",
    ),
    dict(
        cell="conv_output_length",
        name="counts the window starts with range() for both paddings",
        code="""
def conv_output_length(n, k, stride=1, padding="valid"):
    if isinstance(padding, str) and padding in ("valid", "same"):
        pass
    else:
        raise ValueError("padding: 'valid' or 'same' only")
    for what, v in {"n": n, "k": k, "stride": stride}.items():
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{what}={v!r} is not a positive integer")
    if padding == "same":
        return len(range(0, n, stride))
    if k > n:
        raise ValueError(f"k={k} does not fit in n={n} without padding")
    return len(range(0, n - k + 1, stride))
""",
    ),
    # conv1d -----------------------------------------------------------------------------------
    dict(
        cell="conv1d",
        name="sliding_window_view and a matrix-vector product, np.pad for 'same'",
        code="""
from numpy.lib.stride_tricks import sliding_window_view


def conv1d(x, w, stride=1, padding="valid"):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    if x.ndim != 1 or w.ndim != 1 or x.size == 0 or w.size == 0:
        raise ValueError("conv1d needs a non-empty 1D signal and a non-empty 1D kernel")
    n_out = conv_output_length(len(x), len(w), stride=stride, padding=padding)
    if padding == "same":
        total = max((n_out - 1) * stride + len(w) - len(x), 0)
        x = np.pad(x, (total // 2, total - total // 2))
    windows = sliding_window_view(x, len(w))[::stride]
    return windows[:n_out] @ w
""",
    ),
    dict(
        cell="conv1d",
        name="a loop over the kernel taps (not the outputs), shifted strided slices",
        code="""
def conv1d(x, w, stride=1, padding="valid"):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1 or w.ndim != 1:
        raise ValueError(f"1D signal and kernel please; shapes {x.shape} and {w.shape}")
    if len(x) == 0 or len(w) == 0:
        raise ValueError("empty signal or kernel")
    k = len(w)
    n_out = conv_output_length(len(x), k, stride, padding)
    if padding == "same":
        extra = max((n_out - 1) * stride + k - len(x), 0)
        x = np.concatenate([np.zeros(extra // 2), x, np.zeros(extra - extra // 2)])
    y = np.zeros(n_out)
    for j in range(k):
        y += w[j] * x[j : j + (n_out - 1) * stride + 1 : stride]
    return y
""",
    ),
    # true_convolution -------------------------------------------------------------------------
    dict(
        cell="true_convolution",
        name="np.flip and positional arguments",
        code="""
def true_convolution(x, w):
    w = np.asarray(w)
    if w.ndim != 1:
        raise ValueError("true_convolution: the kernel must be one-dimensional")
    return conv1d(x, np.flip(w), 1, "valid")
""",
    ),
    dict(
        cell="true_convolution",
        name="flips a list copy; conv1d's own checks reject a 2D kernel",
        code="""
def true_convolution(x, w):
    w = np.array(w, dtype=float)
    flipped = w[::-1] if w.ndim == 1 else w
    return conv1d(x, flipped)
""",
    ),
    # locate_pattern ---------------------------------------------------------------------------
    dict(
        cell="locate_pattern",
        name="np.allclose for the constant test, an np.int64 from argmax",
        code="""
def locate_pattern(x, pattern):
    p = np.asarray(pattern, dtype=np.float64)
    if p.ndim != 1 or len(p) == 0:
        raise ValueError("pattern must be a non-empty 1D array")
    if np.all(p == p[0]):
        raise ValueError("a constant pattern matches everywhere equally")
    if len(p) > np.size(x):
        raise ValueError("the pattern is longer than the signal")
    return np.argmax(conv1d(x, p - np.mean(p)))
""",
    ),
    dict(
        cell="locate_pattern",
        name="scores as a list, index of the maximum with list.index",
        code="""
def locate_pattern(x, pattern):
    pattern = np.asarray(pattern) * 1.0
    if pattern.ndim != 1 or pattern.size < 1:
        raise ValueError(f"locate_pattern: bad pattern shape {pattern.shape}")
    centred = pattern - pattern.sum() / pattern.size
    if not np.any(centred):
        raise ValueError("locate_pattern: the pattern is constant")
    scores = list(conv1d(x, centred, stride=1, padding="valid"))
    return scores.index(max(scores))
""",
    ),
]
