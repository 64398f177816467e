"""Correct answers for 05-training-a-cnn built differently from the master (see README.md)."""

ALTERNATIVES = [
    # pooling ----------------------------------------------------------------------------------
    dict(
        cell="pooling",
        name="sliding_window_view for the windows, np.max and np.average",
        code="""
from numpy.lib.stride_tricks import sliding_window_view


def pool_windows(x, pool_size, stride):
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"pool_windows needs a (N, H, W, C) batch, got shape {x.shape}")
    ph, pw = as_pair(pool_size, "pool_size")
    sh, sw = as_pair(stride, "stride")
    if ph > x.shape[1] or pw > x.shape[2]:
        raise ValueError(f"a {ph}x{pw} pool does not fit in a {x.shape[1]}x{x.shape[2]} input")
    windows = sliding_window_view(x, (ph, pw), axis=(1, 2))[:, ::sh, ::sw]  # (N, Ho, Wo, C, ph, pw)
    n, ho, wo, c = windows.shape[:4]
    return np.moveaxis(windows.reshape(n, ho, wo, c, ph * pw), 4, 3)


def max_pool2d(x, pool_size=2, stride=None):
    return np.max(pool_windows(x, pool_size, pool_size if stride is None else stride), axis=3)


def avg_pool2d(x, pool_size=2, stride=None):
    return np.average(pool_windows(x, pool_size, pool_size if stride is None else stride), axis=3)
""",
    ),
    dict(
        cell="pooling",
        name="a preallocated window array filled tap by tap, np.maximum.reduce, sum / taps",
        code="""
def pool_windows(x, pool_size, stride):
    x = np.asarray(x)
    if len(x.shape) != 4:
        raise ValueError("x must be 4D: (batch, height, width, channels)")
    ph, pw = as_pair(pool_size, "pool_size")
    sh, sw = as_pair(stride, "stride")
    N, H, W, C = x.shape
    if H < ph or W < pw:
        raise ValueError("the pooling window is larger than the input")
    ho, wo = 1 + (H - ph) // sh, 1 + (W - pw) // sw
    out = np.empty((N, ho, wo, ph * pw, C), dtype=x.dtype)
    tap = 0
    for i in range(ph):
        for j in range(pw):
            rows = slice(i, i + (ho - 1) * sh + 1, sh)
            out[:, :, :, tap, :] = x[:, rows, j : j + (wo - 1) * sw + 1 : sw]
            tap += 1
    return out


def max_pool2d(x, pool_size=2, stride=None):
    if stride is None:
        stride = pool_size
    return np.maximum.reduce(pool_windows(x, pool_size, stride), axis=3)


def avg_pool2d(x, pool_size=2, stride=None):
    if stride is None:
        stride = pool_size
    windows = pool_windows(x, pool_size, stride)
    return windows.sum(axis=3) / windows.shape[3]
""",
    ),
    # numerical_gradient -----------------------------------------------------------------------
    dict(
        cell="numerical_gradient",
        name="a flat view of the copy, one loop over flat indices",
        code="""
def numerical_gradient(f, x, h=1e-5):
    if h <= 0:
        raise ValueError("h must be > 0")
    x = np.array(x, dtype=np.float64, copy=True)
    flat = x.reshape(-1)  # a view: changing flat changes x
    grad = np.empty(flat.size)
    for k in range(flat.size):
        saved = flat[k]
        flat[k] = saved + h
        up = np.asarray(f(x))
        flat[k] = saved - h
        down = np.asarray(f(x))
        flat[k] = saved
        if up.ndim or down.ndim:
            raise ValueError("f must return a scalar")
        grad[k] = (up - down) / (2.0 * h)
    return grad.reshape(x.shape)
""",
    ),
    dict(
        cell="numerical_gradient",
        name="np.nditer with multi_index, the scalar check on the first call",
        code="""
def numerical_gradient(f, x, h=1e-5):
    if not (np.isscalar(h) and h > 0):
        raise ValueError(f"numerical_gradient: h={h!r} must be a positive number")
    x = np.asarray(x, dtype=np.float64).copy()
    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        keep = x[idx].copy()
        x[idx] = keep + h
        fp = f(x)
        x[idx] = keep - h
        fm = f(x)
        x[idx] = keep
        if np.shape(fp) != () or np.shape(fm) != ():
            raise ValueError("numerical_gradient: f must return a single number")
        grad[idx] = (fp - fm) / (2 * h)
    return grad
""",
    ),
    # conv2d_backward --------------------------------------------------------------------------
    dict(
        cell="conv2d_backward",
        name="dw from sliding windows and einsum; dx by the tap loop with einsum",
        code="""
from numpy.lib.stride_tricks import sliding_window_view


def conv2d_backward(dout, cache):
    x, w, b, stride = cache
    x, w, dout = np.asarray(x), np.asarray(w), np.asarray(dout)
    kh, kw, C, F = w.shape
    sh, sw = as_pair(stride, "stride")
    N, H, W, _ = x.shape
    ho, wo = (H - kh) // sh + 1, (W - kw) // sw + 1
    if dout.shape != (N, ho, wo, F):
        raise ValueError(f"dout should have shape {(N, ho, wo, F)}, not {dout.shape}")
    dtype = np.result_type(x, w, dout, np.float32)
    windows = sliding_window_view(x.astype(dtype), (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
    dw = np.einsum("nhwcij,nhwf->ijcf", windows, dout.astype(dtype))
    dx = np.zeros(x.shape, dtype=dtype)
    for i in range(kh):
        for j in range(kw):
            dx[:, i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw] += np.einsum(
                "nhwf,cf->nhwc", dout, w[i, j]
            )
    db = np.einsum("nhwf->f", dout).astype(dtype)
    return dx, dw, db
""",
    ),
    dict(
        cell="conv2d_backward",
        name="the tap loop with dout flattened to a matrix of positions",
        code="""
def conv2d_backward(dout, cache):
    x, w, b, stride = cache
    n, height, width, channels = x.shape
    kh, kw, _, filters = w.shape
    sh, sw = as_pair(stride, "stride")
    h_out, w_out = (height - kh) // sh + 1, (width - kw) // sw + 1
    dout = np.asarray(dout)
    if dout.shape != (n, h_out, w_out, filters):
        raise ValueError("dout does not have the shape of the layer's output")
    dtype = np.result_type(x.dtype, w.dtype, dout.dtype, np.float32)
    g = dout.reshape(-1, filters).astype(dtype)  # one row per (image, row, column)
    dx = np.zeros(x.shape, dtype=dtype)
    dw = np.zeros(w.shape, dtype=dtype)
    for i in range(kh):
        for j in range(kw):
            rs = slice(i, i + sh * (h_out - 1) + 1, sh)
            cs = slice(j, j + sw * (w_out - 1) + 1, sw)
            patch = x[:, rs, cs, :].reshape(-1, channels)
            dw[i, j] = patch.T @ g
            dx[:, rs, cs, :] += (g @ w[i, j].T).reshape(n, h_out, w_out, channels)
    return dx, dw, g.sum(axis=0)
""",
    ),
    # pool_backward ----------------------------------------------------------------------------
    dict(
        cell="pool_backward",
        name="np.add.at to the winners' coordinates; avg by np.add.at of every tap",
        code="""
def _pool_targets(x, pool_size, stride, dout):
    stride = pool_size if stride is None else stride
    windows = pool_windows(x, pool_size, stride)
    N, ho, wo, taps, C = windows.shape
    dout = np.asarray(dout)
    if dout.shape != (N, ho, wo, C):
        raise ValueError(f"dout must have the pooled shape {(N, ho, wo, C)}, got {dout.shape}")
    ph, pw = as_pair(pool_size, "pool_size")
    sh, sw = as_pair(stride, "stride")
    n, r, c, ch = np.meshgrid(*(np.arange(d) for d in (N, ho, wo, C)), indexing="ij")
    return windows, dout, pw, ph, sh, sw, n, r, c, ch


def max_pool2d_backward(dout, x, pool_size=2, stride=None):
    windows, dout, pw, ph, sh, sw, n, r, c, ch = _pool_targets(x, pool_size, stride, dout)
    k = windows.argmax(axis=3)
    dx = np.zeros(np.shape(x), dtype=np.result_type(dout.dtype, np.float32))
    np.add.at(dx, (n, r * sh + k // pw, c * sw + k % pw, ch), dout)
    return dx


def avg_pool2d_backward(dout, x, pool_size=2, stride=None):
    windows, dout, pw, ph, sh, sw, n, r, c, ch = _pool_targets(x, pool_size, stride, dout)
    dx = np.zeros(np.shape(x), dtype=np.result_type(dout.dtype, np.float32))
    for k in range(ph * pw):
        np.add.at(dx, (n, r * sh + k // pw, c * sw + k % pw, ch), dout / (ph * pw))
    return dx
""",
    ),
    dict(
        cell="pool_backward",
        name="a one-hot mask of the winning taps, then the tap loop",
        code="""
def max_pool2d_backward(dout, x, pool_size=2, stride=None):
    stride = pool_size if stride is None else stride
    windows = pool_windows(x, pool_size, stride)
    dout = np.asarray(dout)
    if dout.shape != windows.shape[:3] + windows.shape[4:]:
        raise ValueError(f"dout has shape {dout.shape}, not the pooled output's shape")
    taps = windows.shape[3]
    one_hot = np.arange(taps)[:, None] == windows.argmax(axis=3)[..., None, :]  # (N,Ho,Wo,taps,C)
    routed = one_hot * dout[:, :, :, None, :]
    (ph, pw), (sh, sw) = as_pair(pool_size, "pool_size"), as_pair(stride, "stride")
    ho, wo = dout.shape[1:3]
    dx = np.zeros(np.shape(x), dtype=float)
    for k in range(taps):
        i, j = k // pw, k % pw
        rows, cols = slice(i, i + sh * (ho - 1) + 1, sh), slice(j, j + sw * (wo - 1) + 1, sw)
        dx[:, rows, cols, :] += routed[:, :, :, k]
    return dx


def avg_pool2d_backward(dout, x, pool_size=2, stride=None):
    stride = pool_size if stride is None else stride
    windows = pool_windows(x, pool_size, stride)
    dout = np.asarray(dout, dtype=float)
    if dout.shape != windows.shape[:3] + windows.shape[4:]:
        raise ValueError("dout does not have the shape of the pooled output")
    (ph, pw), (sh, sw) = as_pair(pool_size, "pool_size"), as_pair(stride, "stride")
    ho, wo = dout.shape[1:3]
    dx = np.zeros(np.shape(x), dtype=float)
    share = dout * (1.0 / (ph * pw))
    for i in range(ph):
        for j in range(pw):
            dx[:, i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw, :] += share
    return dx
""",
    ),
    # tiny_cnn ---------------------------------------------------------------------------------
    dict(
        cell="tiny_cnn",
        name="one-hot labels and softmax probabilities; sgd_update copies the dict and loops",
        code="""
def tiny_cnn_loss(params, x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=int)
    n = len(x)
    conv, cache = conv2d_forward(x, params["W1"], params["b1"])
    relu = np.where(conv > 0, conv, 0.0)
    pooled = max_pool2d(relu, 2)
    flat = pooled.reshape(n, -1)
    scores = flat @ params["W2"] + params["b2"]
    scores = scores - scores.max(axis=1, keepdims=True)
    log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    probs = np.exp(log_probs)
    one_hot = np.eye(scores.shape[1])[y]
    loss = float(-(one_hot * log_probs).sum() / n)
    dscores = (probs - one_hot) / n
    grads = {"W2": flat.T @ dscores, "b2": dscores.sum(axis=0)}
    dflat = dscores @ params["W2"].T
    drelu = max_pool2d_backward(dflat.reshape(pooled.shape), relu, 2)
    dconv = np.where(conv > 0, drelu, 0.0)
    grads["W1"], grads["b1"] = conv2d_backward(dconv, cache)[1:]
    return loss, grads


def sgd_update(params, grads, lr):
    if lr <= 0:
        raise ValueError("lr must be a positive learning rate")
    if grads.keys() != params.keys():
        raise ValueError("grads and params must have the same keys")
    new = dict(params)
    for key in new:
        new[key] = new[key] - lr * grads[key]
    return new
""",
    ),
    dict(
        cell="tiny_cnn",
        name="loss as a NumPy float64, np.subtract for the update, sorted keys compared",
        replace=[
            (
                "    loss = float(-log_probs[np.arange(n), y].mean())",
                "    loss = -np.mean(log_probs[np.arange(n), y])  # np.float64 is a float",
            ),
            (
                "    return {name: value - lr * grads[name] for name, value in params.items()}",
                "    return {name: np.subtract(params[name], lr * grads[name]) for name in params}",
            ),
            ("    if set(grads) != set(params):", "    if sorted(grads) != sorted(params):"),
        ],
    ),
]
