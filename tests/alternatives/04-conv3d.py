"""Correct answers for 04-conv3d built differently from the master (see README.md)."""

ALTERNATIVES = [
    # conv_multichannel ------------------------------------------------------------------------
    dict(
        cell="conv_multichannel",
        name="loops over the output, np.tensordot over (u, v, c) for all filters at once",
        code="""
def conv_multichannel(X, W, b=None):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    if X.ndim != 3 or W.ndim != 4:
        raise ValueError(f"X must be (H, W, C) and W (kh, kw, C, F); got {X.shape}, {W.shape}")
    kh, kw, C, F = W.shape
    if X.shape[2] != C:
        msg = f"channel mismatch: X has {X.shape[2]}, W expects {C}"
        if X.shape[0] == C:
            msg += "; X seems channels-first, use np.moveaxis(X, 0, -1)"
        raise ValueError(msg)
    bias = np.zeros(F) if b is None else np.asarray(b, dtype=float)
    if bias.shape != (F,):
        raise ValueError(f"need {F} biases, got shape {bias.shape}")
    if kh > X.shape[0] or kw > X.shape[1]:
        raise ValueError("kernel larger than the image")
    oh, ow = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    out = np.empty((oh, ow, F))
    for i in range(oh):
        for j in range(ow):
            out[i, j] = np.tensordot(X[i : i + kh, j : j + kw], W, axes=3) + bias
    return out
""",
    ),
    dict(
        cell="conv_multichannel",
        name="a loop over the kernel offsets, a matrix product over the channels",
        code="""
def conv_multichannel(X, W, b=None):
    X, W = np.asarray(X), np.asarray(W)
    if X.ndim != 3:
        raise ValueError("X should be a single (height, width, channels) image")
    if W.ndim != 4:
        raise ValueError("W should have shape (kh, kw, C, F)")
    if X.shape[-1] != W.shape[2]:
        extra = " (channels-first? try np.moveaxis(X, 0, -1))" if X.shape[0] == W.shape[2] else ""
        raise ValueError(f"X has {X.shape[-1]} channels, W has {W.shape[2]}{extra}")
    if b is not None and np.shape(b) != (W.shape[3],):
        raise ValueError("one bias per filter, please")
    kh, kw = W.shape[:2]
    oh, ow = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    if oh < 1 or ow < 1:
        raise ValueError("the kernel does not fit in the image")
    out = np.zeros((oh, ow, W.shape[3]))
    for u in range(kh):
        for v in range(kw):
            out += X[u : u + oh, v : v + ow, :].astype(float) @ W[u, v].astype(float)
    if b is not None:
        out += np.asarray(b, dtype=float)
    return out
""",
    ),
    dict(
        cell="conv_multichannel",
        name="the master's loop, warning (UserWarning) when it converts an integer image",
        emits="UserWarning",
        replace=[
            (
                "def conv_multichannel(X, W, b=None):",
                "import warnings\n\n\ndef conv_multichannel(X, W, b=None):",
            ),
            (
                "    X = np.asarray(X)\n",
                '    X = np.asarray(X)\n    if X.dtype.kind in "biu":\n'
                '        warnings.warn("integer image converted to float", UserWarning)\n',
            ),
        ],
    ),
    # conv_output_shape ------------------------------------------------------------------------
    dict(
        cell="conv_output_shape",
        name="NumPy arithmetic on the shapes, converted back to Python ints",
        code="""
def conv_output_shape(input_shape, kernel_shape):
    ins = np.array(input_shape, dtype=int)
    ker = np.array(kernel_shape, dtype=int)
    if ins.ndim != 1 or ker.ndim != 1 or ins.size < 2 or ker.size != ins.size + 1:
        raise ValueError("the kernel must have exactly one more axis than the input")
    if ker[-2] != ins[-1]:
        raise ValueError(f"channels differ: input {ins[-1]}, kernel {ker[-2]}")
    spatial = ins[:-1] - ker[:-2] + 1
    if (ker[:-2] < 1).any() or (spatial < 1).any():
        raise ValueError("the kernel is larger than the input")
    return tuple(int(n) for n in spatial) + (int(ker[-1]),)
""",
    ),
    dict(
        cell="conv_output_shape",
        name="a loop that appends each axis, a list turned into a tuple at the end",
        code="""
def conv_output_shape(input_shape, kernel_shape):
    input_shape, kernel_shape = list(input_shape), list(kernel_shape)
    if len(kernel_shape) - len(input_shape) != 1 or len(input_shape) < 2:
        raise ValueError(f"shapes {input_shape} and {kernel_shape} do not go together")
    if kernel_shape[-2] != input_shape[-1]:
        raise ValueError("the input's channels and the kernel's channels differ")
    out = []
    for axis in range(len(input_shape) - 1):
        n, k = int(input_shape[axis]), int(kernel_shape[axis])
        if not 1 <= k <= n:
            raise ValueError(f"axis {axis}: a kernel of {k} does not fit in {n}")
        out.append(n - k + 1)
    out.append(int(kernel_shape[-1]))
    return tuple(out)
""",
    ),
    # conv_params ------------------------------------------------------------------------------
    dict(
        cell="conv_params",
        name="math.prod and a bias count of 0 or filters",
        code="""
import math


def conv_params(kernel_size, in_channels, filters, use_bias=True):
    values = [*kernel_size, in_channels, filters]
    if not all(isinstance(v, (int, np.integer)) and type(v) is not bool and v > 0 for v in values):
        raise ValueError(f"every size must be a positive integer: {values}")
    biases = filters if use_bias else 0
    return math.prod(values) + biases
""",
    ),
    dict(
        cell="conv_params",
        name="one filter counted in a loop (its weights and its bias), times the filters",
        code="""
def conv_params(kernel_size, in_channels, filters, use_bias=True):
    per_filter = 1
    for size in tuple(kernel_size) + (in_channels,):
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size <= 0:
            raise ValueError(f"conv_params: {size!r} is not a positive integer")
        per_filter *= int(size)
    if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters <= 0:
        raise ValueError(f"conv_params: filters={filters!r} is not a positive integer")
    return (per_filter + int(bool(use_bias))) * int(filters)
""",
    ),
    # conv1x1 ----------------------------------------------------------------------------------
    dict(
        cell="conv1x1",
        name="np.einsum over the channel axis",
        code="""
def conv1x1(X, W, b=None):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    if W.ndim != 4 or W.shape[0] != 1 or W.shape[1] != 1:
        raise ValueError(f"W must have shape (1, 1, C, F), not {W.shape}")
    if X.ndim != 3 or X.shape[-1] != W.shape[2]:
        raise ValueError(f"X {X.shape} does not have the {W.shape[2]} channels W expects")
    out = np.einsum("hwc,cf->hwf", X, W[0, 0])
    if b is not None:
        b = np.asarray(b, dtype=float)
        if b.shape != (W.shape[3],):
            raise ValueError(f"b must have shape ({W.shape[3]},)")
        out = out + b
    return out
""",
    ),
    dict(
        cell="conv1x1",
        name="pixels as rows: reshape to (H*W, C), one matrix product, reshape back",
        code="""
def conv1x1(X, W, b=None):
    X, W = np.asarray(X), np.asarray(W)
    if X.ndim != 3:
        raise ValueError("X must be (H, W, C)")
    if W.shape[:2] != (1, 1) or W.ndim != 4:
        raise ValueError("W must be a 1x1 kernel (1, 1, C, F)")
    H, Wd, C = X.shape
    if W.shape[2] != C:
        raise ValueError("channel counts differ")
    F = W.shape[3]
    b = np.zeros(F) if b is None else np.asarray(b)
    if b.shape != (F,):
        raise ValueError("b must have one entry per filter")
    rows = X.reshape(H * Wd, C).astype(float)
    return (rows @ W.reshape(C, F) + b).reshape(H, Wd, F)
""",
    ),
    # conv3d -----------------------------------------------------------------------------------
    dict(
        cell="conv3d",
        name="three loops over the output with np.vdot",
        code="""
def conv3d(V, W):
    V = np.asarray(V, dtype=float)
    W = np.asarray(W, dtype=float)
    if V.ndim != 3 or W.ndim != 3:
        raise ValueError("conv3d needs 3D V and W; handle channels outside, one at a time")
    if any(k > n or k < 1 for n, k in zip(V.shape, W.shape)):
        raise ValueError("the kernel does not fit in the volume")
    kd, kh, kw = W.shape
    out = np.zeros([n - k + 1 for n, k in zip(V.shape, W.shape)])
    for d, i, j in np.ndindex(*out.shape):
        out[d, i, j] = np.vdot(V[d : d + kd, i : i + kh, j : j + kw], W)
    return out
""",
    ),
    dict(
        cell="conv3d",
        name="a loop over the kernel's taps, shifted sub-volumes summed",
        code="""
def conv3d(V, W):
    V, W = np.asarray(V), np.asarray(W)
    if (V.ndim, W.ndim) != (3, 3):
        raise ValueError(
            f"V {V.shape} and W {W.shape} must both be 3D (one channel: do channels outside)"
        )
    D, H, Wd = (n - k + 1 for n, k in zip(V.shape, W.shape))
    if min(D, H, Wd) < 1:
        raise ValueError("the kernel is larger than the volume")
    out = np.zeros((D, H, Wd))
    for s in range(W.shape[0]):
        for u in range(W.shape[1]):
            for v in range(W.shape[2]):
                out += W[s, u, v] * V[s : s + D, u : u + H, v : v + Wd]
    return out
""",
    ),
]
