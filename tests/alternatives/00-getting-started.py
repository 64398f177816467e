"""Correct answers for 00-getting-started built differently from the master (see README.md)."""

ALTERNATIVES = [
    # valid_output_size ------------------------------------------------------------------------
    dict(
        cell="valid_output_size",
        name="numbers.Integral check, len(range(...)) for the count",
        code="""
import numbers


def valid_output_size(n, k):
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in (n, k)):
        raise ValueError("n and k must be whole numbers")
    if n <= 0 or k <= 0:
        raise ValueError("n and k must be positive")
    if k > n:
        raise ValueError("kernel bigger than input")
    return len(range(0, n - k + 1))
""",
    ),
    dict(
        cell="valid_output_size",
        name="operator.index for the type check, a NumPy integer returned",
        code="""
import operator


def valid_output_size(n, k):
    try:
        n, k = operator.index(n), operator.index(k)
    except TypeError:
        raise ValueError("n and k must be integers") from None
    if min(n, k) < 1 or k > n or isinstance(n, bool):
        raise ValueError(f"bad sizes n={n}, k={k}")
    return np.int64(n) - k + 1
""",
    ),
    # output_size ------------------------------------------------------------------------------
    dict(
        cell="output_size",
        name="counts the window positions with range(0, n + 2p - k + 1, stride)",
        code="""
def output_size(n, k, padding=0, stride=1):
    for value in (n, k, padding, stride):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"sizes must be integers, got {value!r}")
    if stride < 1 or padding < 0 or n < 1 or k < 1:
        raise ValueError("stride and sizes must be >= 1, padding >= 0")
    padded = n + 2 * padding
    if k > padded:
        raise ValueError("the kernel does not fit in the padded input")
    return len(range(0, padded - k + 1, stride))
""",
    ),
    dict(
        cell="output_size",
        name="math.floor of a true division, checks in another order",
        replace=[
            (
                "    return int((n + 2 * padding - k) // stride + 1)",
                "    import math\n\n    return math.floor((n + 2 * padding - k) / stride) + 1",
            ),
        ],
    ),
    # same_padding -----------------------------------------------------------------------------
    dict(
        cell="same_padding",
        name="a list [before, after] with divmod",
        code="""
def same_padding(k):
    if type(k) is bool or not isinstance(k, (int, np.integer)) or k <= 0:
        raise ValueError("k must be an integer >= 1")
    half, extra = divmod(k - 1, 2)
    return [half, half + extra]
""",
    ),
    dict(
        cell="same_padding",
        name="NumPy integers from floor and ceil division",
        code="""
def same_padding(k):
    if isinstance(k, bool) or not np.issubdtype(type(k), np.integer) or k < 1:
        raise ValueError(f"same_padding needs a positive integer kernel size, not {k!r}")
    total = np.int64(k) - 1
    return total // 2, -(-total // 2)
""",
    ),
]
