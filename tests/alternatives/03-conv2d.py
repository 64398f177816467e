"""Correct answers for 03-conv2d built differently from the master (see README.md)."""

ALTERNATIVES = [
    # conv2d_valid -----------------------------------------------------------------------------
    dict(
        cell="conv2d_valid",
        name="two loops over the output, np.vdot of the window and the kernel",
        code="""
def conv2d_valid(X, W):
    X = np.array(X, dtype=np.float64)
    W = np.array(W, dtype=np.float64)
    if X.ndim != 2 or W.ndim != 2:
        raise ValueError(f"need 2D arrays, got shapes {X.shape} and {W.shape}")
    if W.shape[0] > X.shape[0] or W.shape[1] > X.shape[1] or W.size == 0:
        raise ValueError(f"kernel {W.shape} does not fit into input {X.shape}")
    rows, cols = X.shape[0] - W.shape[0] + 1, X.shape[1] - W.shape[1] + 1
    out = np.empty((rows, cols))
    for r in range(rows):
        for c in range(cols):
            out[r, c] = np.vdot(X[r : r + W.shape[0], c : c + W.shape[1]], W)
    return out
""",
    ),
    dict(
        cell="conv2d_valid",
        name="the lecture's formula with all four loops, output as nested lists",
        code="""
def conv2d_valid(X, W):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    if len(X.shape) != 2 or len(W.shape) != 2:
        raise ValueError("conv2d_valid: X and W must both be two-dimensional")
    h, w = X.shape
    kh, kw = W.shape
    if not (0 < kh <= h and 0 < kw <= w):
        raise ValueError("conv2d_valid: the kernel is larger than the input")
    rows = []
    for i in range(h - kh + 1):
        row = []
        for j in range(w - kw + 1):
            total = 0.0
            for a in range(kh):
                for b in range(kw):
                    total += X[i + a, j + b] * W[a, b]
            row.append(total)
        rows.append(row)
    return np.array(rows)
""",
    ),
    # pad2d ------------------------------------------------------------------------------------
    dict(
        cell="pad2d",
        name="np.concatenate of zero blocks, a dict of the amounts",
        code="""
def pad2d(X, pad):
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError("pad2d: X must be 2D")
    if isinstance(pad, (int, np.integer)) and not isinstance(pad, bool):
        pad = ((pad, pad), (pad, pad))
    if not isinstance(pad, (tuple, list)) or len(pad) != 2 or any(
        not isinstance(p, (tuple, list)) or len(p) != 2 for p in pad
    ):
        raise ValueError(f"pad2d: pad must be p or ((top, bottom), (left, right)), got {pad!r}")
    amounts = dict(zip(("top", "bottom", "left", "right"), (*pad[0], *pad[1])))
    for side, n in amounts.items():
        if type(n) is bool or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"pad2d: the {side} amount must be an integer >= 0, got {n!r}")
    h, w = X.shape
    left = np.zeros((h, amounts["left"]), dtype=X.dtype)
    right = np.zeros((h, amounts["right"]), dtype=X.dtype)
    middle = np.concatenate([left, X, right], axis=1)
    width = middle.shape[1]
    top = np.zeros((amounts["top"], width), dtype=X.dtype)
    bottom = np.zeros((amounts["bottom"], width), dtype=X.dtype)
    return np.concatenate([top, middle, bottom], axis=0)
""",
    ),
    dict(
        cell="pad2d",
        name="np.zeros_like on a bigger shape, negative-index slicing, np.ndim checks",
        code="""
def pad2d(X, pad):
    if np.ndim(X) != 2:
        raise ValueError(f"expected a 2D array, got {np.ndim(X)} dimensions")
    X = np.asarray(X)
    try:
        if np.ndim(pad) == 0:
            pad = [[pad, pad], [pad, pad]]
        (t, b), (l, r) = pad
    except (TypeError, ValueError):
        raise ValueError("pad must be an int or ((top, bottom), (left, right))") from None
    for v in (t, b, l, r):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 0:
            raise ValueError(f"pad amounts must be non-negative integers, got {v!r}")
    out = np.zeros((X.shape[0] + t + b, X.shape[1] + l + r), X.dtype)
    out[t : out.shape[0] - b, l : out.shape[1] - r] = X
    return out
""",
    ),
    # conv2d -----------------------------------------------------------------------------------
    dict(
        cell="conv2d",
        name="loops with (window * W).sum(), padding.casefold(), np.broadcast_to for the stride",
        code="""
import math


def conv2d(X, W, stride=1, padding="valid"):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    if X.ndim != 2 or W.ndim != 2:
        raise ValueError(f"conv2d: 2D input and kernel please, got {X.shape} and {W.shape}")
    s = np.broadcast_to(np.asarray(stride, dtype=object), (2,))
    if any(type(v) is bool or not isinstance(v, (int, np.integer)) or v < 1 for v in s):
        raise ValueError(f"conv2d: bad stride {stride!r}")
    sh, sw = int(s[0]), int(s[1])
    mode = padding.casefold() if isinstance(padding, str) else None
    if mode not in ("valid", "same"):
        raise ValueError(f"conv2d: padding is 'valid' or 'same', not {padding!r}")
    kh, kw = W.shape
    if 0 in W.shape:
        raise ValueError("conv2d: empty kernel")
    if mode == "same":
        ph = max((math.ceil(X.shape[0] / sh) - 1) * sh + kh - X.shape[0], 0)
        pw = max((math.ceil(X.shape[1] / sw) - 1) * sw + kw - X.shape[1], 0)
        X = pad2d(X, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2)))
    if kh > X.shape[0] or kw > X.shape[1]:
        raise ValueError("conv2d: the kernel is larger than the input")
    out = np.zeros(((X.shape[0] - kh) // sh + 1, (X.shape[1] - kw) // sw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (X[i * sh : i * sh + kh, j * sw : j * sw + kw] * W).sum()
    return out
""",
    ),
    dict(
        cell="conv2d",
        name="loops over the window corners with range(0, h - kh + 1, s), a helper for the pads",
        code="""
def _same_pads(n, k, s):
    n_out = (n + s - 1) // s
    total = max((n_out - 1) * s + k - n, 0)
    return (total // 2, total - total // 2)


def conv2d(X, W, stride=1, padding="valid"):
    X, W = np.asarray(X, dtype=float), np.asarray(W, dtype=float)
    if (X.ndim, W.ndim) != (2, 2):
        raise ValueError(f"X and W must be 2D; got {X.ndim}D and {W.ndim}D")
    sh, sw = stride if isinstance(stride, (tuple, list)) else (stride, stride)
    for s in (sh, sw):
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1:
            raise ValueError("the stride must be a positive integer (or two)")
    if str(padding).upper() not in ("VALID", "SAME") or not isinstance(padding, str):
        raise ValueError(f"unknown padding {padding!r}")
    kh, kw = W.shape
    if kh * kw == 0:
        raise ValueError("the kernel is empty")
    if padding.upper() == "SAME":
        X = pad2d(X, (_same_pads(X.shape[0], kh, sh), _same_pads(X.shape[1], kw, sw)))
    h, w = X.shape
    if kh > h or kw > w:
        raise ValueError("the kernel does not fit in the (padded) input")
    rows = []
    for top in range(0, h - kh + 1, sh):
        rows.append([np.sum(X[top : top + kh, left : left + kw] * W)
                     for left in range(0, w - kw + 1, sw)])
    return np.array(rows, dtype=float)
""",
    ),
    # conv2d_fast ------------------------------------------------------------------------------
    dict(
        cell="conv2d_fast",
        name="np.tensordot of the strided windows, padding through conv2d's own rules",
        replace=[
            (
                '    return np.einsum("ijkl,kl->ij", windows, W)',
                "    return np.tensordot(windows, W, axes=([2, 3], [0, 1]))",
            ),
        ],
    ),
    dict(
        cell="conv2d_fast",
        name="a loop over the kernel's taps (not the pixels): shifted strided slices summed",
        code="""
def conv2d_fast(X, W, stride=1, padding="valid"):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    if X.ndim != 2 or W.ndim != 2:
        raise ValueError(f"conv2d_fast needs 2D arrays, got {X.shape} and {W.shape}")
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else tuple(stride)
    if any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in (sh, sw)):
        raise ValueError(f"bad stride {stride!r}")
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"bad padding {padding!r}")
    kh, kw = W.shape
    if kh == 0 or kw == 0:
        raise ValueError("empty kernel")
    if padding.lower() == "same":
        th = max((-(-X.shape[0] // sh) - 1) * sh + kh - X.shape[0], 0)
        tw = max((-(-X.shape[1] // sw) - 1) * sw + kw - X.shape[1], 0)
        X = pad2d(X, ((th // 2, th - th // 2), (tw // 2, tw - tw // 2)))
    if kh > X.shape[0] or kw > X.shape[1]:
        raise ValueError("the kernel is larger than the input")
    oh, ow = (X.shape[0] - kh) // sh + 1, (X.shape[1] - kw) // sw + 1
    out = np.zeros((oh, ow))
    for a in range(kh):
        for b in range(kw):
            out += W[a, b] * X[a : a + (oh - 1) * sh + 1 : sh, b : b + (ow - 1) * sw + 1 : sw]
    return out
""",
    ),
    # edge_magnitude ---------------------------------------------------------------------------
    dict(
        cell="edge_magnitude",
        name="np.hypot, 'SAME' in upper case",
        code="""
def edge_magnitude(image):
    if np.ndim(image) != 2:
        raise ValueError("edge_magnitude works on 2D grey images only")
    gx = conv2d_fast(image, SOBEL_X, padding="SAME")
    gy = conv2d_fast(image, SOBEL_Y, 1, "SAME")
    return np.hypot(gx, gy)
""",
    ),
    dict(
        cell="edge_magnitude",
        name="both gradients stacked, np.linalg.norm over the stack",
        code="""
def edge_magnitude(image):
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"expected a 2D image, got shape {image.shape}")
    gradients = np.stack([conv2d_fast(image, k, padding="same") for k in (SOBEL_X, SOBEL_Y)])
    return np.linalg.norm(gradients, axis=0)
""",
    ),
]
