"""Correct answers for 01-intuition built differently from the master (see README.md)."""

ALTERNATIVES = [
    # dense_params -----------------------------------------------------------------------------
    dict(
        cell="dense_params",
        name="(n_in + 1) * n_out with a bias, a NumPy integer returned",
        code="""
def dense_params(n_in, n_out, bias=True):
    sizes = np.array([n_in, n_out])
    if any(isinstance(v, bool) for v in (n_in, n_out)) or sizes.dtype.kind not in "iu":
        raise ValueError("dense_params needs integer sizes")
    if (sizes < 1).any():
        raise ValueError(f"sizes must be >= 1, got n_in={n_in}, n_out={n_out}")
    return (sizes[0] + 1) * sizes[1] if bias else sizes[0] * sizes[1]
""",
    ),
    dict(
        cell="dense_params",
        name="counts the weight matrix and bias vector shapes with math.prod",
        code="""
import math


def dense_params(n_in, n_out, bias=True):
    for value in (n_in, n_out):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"expected a positive integer, got {value!r}")
    shapes = [(n_in, n_out)] + ([(n_out,)] if bias else [])
    return sum(math.prod(shape) for shape in shapes)
""",
    ),
    # conv2d_params ----------------------------------------------------------------------------
    dict(
        cell="conv2d_params",
        name="one filter's size times the filters, with np.prod",
        code="""
def conv2d_params(k_h, k_w, c_in, c_out, bias=True):
    sizes = (k_h, k_w, c_in, c_out)
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in sizes):
        raise ValueError(f"all sizes must be integers, got {sizes}")
    if min(sizes) < 1:
        raise ValueError(f"all sizes must be >= 1, got {sizes}")
    per_filter = np.prod([k_h, k_w, c_in], dtype=np.int64) + (1 if bias else 0)
    return per_filter * c_out
""",
    ),
    dict(
        cell="conv2d_params",
        name="a dense layer from each k_h * k_w * c_in patch to c_out outputs",
        code="""
def conv2d_params(k_h, k_w, c_in, c_out, bias=True):
    import operator

    try:
        k_h, k_w, c_in, c_out = (operator.index(v) for v in (k_h, k_w, c_in, c_out))
    except TypeError:
        raise ValueError("conv2d_params: sizes must be integers") from None
    if min(k_h, k_w, c_in, c_out) <= 0:
        raise ValueError("conv2d_params: sizes must be positive")
    patch = k_h * k_w * c_in
    return patch * c_out + bias * c_out
""",
    ),
    # conv1d_as_matrix -------------------------------------------------------------------------
    dict(
        cell="conv1d_as_matrix",
        name="each row built with np.pad, stacked with np.array",
        code="""
def conv1d_as_matrix(w, n):
    w = np.array(w)
    if w.ndim != 1 or len(w) == 0:
        raise ValueError("w must be a 1D kernel with at least one weight")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n <= 0:
        raise ValueError("n must be a positive integer")
    k = len(w)
    if k > n:
        raise ValueError("kernel longer than the signal")
    rows = [np.pad(w, (i, n - k - i)) for i in range(n - k + 1)]
    return np.array(rows)
""",
    ),
    dict(
        cell="conv1d_as_matrix",
        name="no loop: one diagonal per kernel weight with np.eye",
        code="""
def conv1d_as_matrix(w, n):
    w = np.asarray(w)
    if w.ndim != 1 or not w.size:
        raise ValueError(f"need a non-empty 1D kernel, got shape {w.shape}")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, not {n!r}")
    rows = n - w.size + 1
    if rows < 1:
        raise ValueError("the kernel does not fit in the signal")
    M = np.zeros((rows, n), dtype=w.dtype)
    for j, weight in enumerate(w):
        M += weight * np.eye(rows, n, k=j, dtype=w.dtype)
    return M
""",
    ),
    dict(
        cell="conv1d_as_matrix",
        name="rows collected in a list and stacked with np.row_stack (deprecated: it warns)",
        emits="DeprecationWarning",
        replace=[
            (
                """    M = np.zeros((n - k + 1, n), dtype=w.dtype)
    for i in range(n - k + 1):
        M[i, i : i + k] = w
    return M""",
                """    rows = []
    for i in range(n - k + 1):
        row = np.zeros(n, dtype=w.dtype)
        row[i : i + k] = w
        rows.append(row)
    return np.row_stack(rows)""",
            ),
        ],
    ),
    # receptive_field --------------------------------------------------------------------------
    dict(
        cell="receptive_field",
        name="walks the layers from the top down: r = (r - 1) * s + k",
        code="""
def receptive_field(layers):
    layers = list(layers)
    for i, layer in enumerate(layers):
        if not isinstance(layer, (tuple, list)) or len(layer) != 3:
            raise ValueError(f"layer {i} is not (kind, kernel, stride): {layer!r}")
        kind, k, s = layer
        if kind not in {"conv", "pool"}:
            raise ValueError(f"layer {i} has an unknown kind {kind!r}")
        if any(type(v) is bool or not isinstance(v, (int, np.integer)) or v < 1 for v in (k, s)):
            raise ValueError(f"layer {i}: kernel and stride must be positive integers")
    r = 1
    for _, k, s in reversed(layers):
        r = (r - 1) * s + k
    return r
""",
    ),
    dict(
        cell="receptive_field",
        name="sums (k - 1) times the product of the strides below, with np.cumprod",
        code="""
def receptive_field(layers):
    kernels, strides = [], []
    for index, layer in enumerate(layers):
        try:
            kind, k, s = layer
        except (TypeError, ValueError):
            raise ValueError(f"bad layer #{index}: {layer!r}, not (kind, k, s)") from None
        if not isinstance(layer, (tuple, list)) or kind not in ("conv", "pool"):
            raise ValueError(f"bad layer #{index}: {layer!r}")
        for v in (k, s):
            if type(v) is bool or not isinstance(v, (int, np.integer)) or v <= 0:
                raise ValueError(f"bad layer #{index}: {layer!r} needs positive integers")
        kernels.append(k)
        strides.append(s)
    jumps = np.cumprod([1] + strides[:-1]) if strides else np.array([], dtype=int)
    return 1 + int(np.sum((np.array(kernels, dtype=int) - 1) * jumps))
""",
    ),
    dict(
        cell="receptive_field",
        name="the master's loop with a debugging print to sys.stderr left in",
        emits="jump=",
        replace=[
            ("def receptive_field(layers):", "import sys\n\n\ndef receptive_field(layers):"),
            (
                "        jump *= s\n",
                "        jump *= s\n"
                '        print(f"layer {number}: r={r}, jump={jump}", file=sys.stderr)\n',
            ),
        ],
    ),
]
