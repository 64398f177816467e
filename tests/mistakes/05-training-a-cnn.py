"""Plausible wrong answers for 05-training-a-cnn (see README.md in this folder)."""

MISTAKES = [
    # pooling --------------------------------------------------------------------------------------
    dict(
        cell="pooling",
        name="stride ignored: every window position at step 1",
        code="""
def pool_windows(x, pool_size, stride):
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError("x must be (N, H, W, C)")
    ph, pw = as_pair(pool_size, "pool_size")
    n, height, width, channels = x.shape
    if ph > height or pw > width:
        raise ValueError("the pool is larger than the input")
    h_out, w_out = height - ph + 1, width - pw + 1
    taps = [x[:, i : i + h_out, j : j + w_out, :] for i in range(ph) for j in range(pw)]
    return np.stack(taps, axis=3)

def max_pool2d(x, pool_size=2, stride=None):
    stride = pool_size if stride is None else stride
    return pool_windows(x, pool_size, stride).max(axis=3)


def avg_pool2d(x, pool_size=2, stride=None):
    stride = pool_size if stride is None else stride
    return pool_windows(x, pool_size, stride).mean(axis=3)
""",
        loses=["test_max_pool2d", "test_avg_pool2d"],
        feedback="the window moved 1 pixel",
    ),
    dict(
        cell="pooling",
        name="stride=None taken as 1 instead of the pool size",
        base="stride ignored: every window position at step 1",
        replace=[
            (
                '    ph, pw = as_pair(pool_size, "pool_size")',
                """    ph, pw = as_pair(pool_size, "pool_size")
    sh, sw = as_pair(stride, "stride")""",
            ),
            (
                """    h_out, w_out = height - ph + 1, width - pw + 1
    taps = [x[:, i : i + h_out, j : j + w_out, :] for i in range(ph) for j in range(pw)]""",
                """    h_out = (height - ph) // sh + 1
    w_out = (width - pw) // sw + 1
    taps = [x[:, i : i + sh * (h_out - 1) + 1 : sh, j : j + sw * (w_out - 1) + 1 : sw, :]
            for i in range(ph) for j in range(pw)]""",
            ),
            (
                """    stride = pool_size if stride is None else stride
    return pool_windows(x, pool_size, stride).max(axis=3)""",
                "    return pool_windows(x, pool_size, stride or 1).max(axis=3)",
            ),
            (
                """    stride = pool_size if stride is None else stride
    return pool_windows(x, pool_size, stride).mean(axis=3)""",
                "    return pool_windows(x, pool_size, stride or 1).mean(axis=3)",
            ),
        ],
        loses=["test_max_pool2d", "test_avg_pool2d"],
        feedback="stride=None not read as stride = pool_size",
    ),
    dict(
        cell="pooling",
        name="average pooling sums the window (not divided by the pool area)",
        base="stride=None taken as 1 instead of the pool size",
        replace=[
            (
                "    return pool_windows(x, pool_size, stride or 1).max(axis=3)",
                """    stride = pool_size if stride is None else stride
    return pool_windows(x, pool_size, stride).max(axis=3)""",
            ),
            (
                "    return pool_windows(x, pool_size, stride or 1).mean(axis=3)",
                """    stride = pool_size if stride is None else stride
    return pool_windows(x, pool_size, stride).sum(axis=3)""",
            ),
        ],
        loses=["test_avg_pool2d"],
        feedback="divide by the pool area",
    ),
    dict(
        cell="pooling",
        name="no check that the pool fits: a pool larger than the image returns an empty array",
        base="average pooling sums the window (not divided by the pool area)",
        replace=[
            (
                """    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError("x must be (N, H, W, C)")""",
                "    x = np.asarray(x)",
            ),
            (
                """    if ph > height or pw > width:
        raise ValueError("the pool is larger than the input")
    h_out = (height - ph) // sh + 1
    w_out = (width - pw) // sw + 1
    taps = [x[:, i : i + sh * (h_out - 1) + 1 : sh, j : j + sw * (w_out - 1) + 1 : sw, :]""",
                """    h_out = max((height - ph) // sh + 1, 0)
    w_out = max((width - pw) // sw + 1, 0)
    taps = [x[:, i : i + sh * h_out : sh, j : j + sw * w_out : sw, :][:, :h_out, :w_out]""",
            ),
            (
                "    return pool_windows(x, pool_size, stride).sum(axis=3)",
                "    return pool_windows(x, pool_size, stride).mean(axis=3)",
            ),
        ],
        loses=["test_max_pool2d"],
        feedback="should raise ValueError",
    ),
    # numerical_gradient ---------------------------------------------------------------------------
    dict(
        cell="numerical_gradient",
        name="one-sided difference (f(x + h) - f(x)) / h",
        code="""
def numerical_gradient(f, x, h=1e-5):
    if h <= 0:
        raise ValueError("h must be positive")
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    base = f(x)
    if np.ndim(base) != 0:
        raise ValueError("f must return a number")
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        grad[index] = (f(x) - base) / h
        x[index] = old
    return grad
""",
        loses=["test_numerical_gradient"],
        feedback="one-sided difference",
    ),
    dict(
        cell="numerical_gradient",
        name="centred difference divided by h instead of 2h",
        base="one-sided difference (f(x + h) - f(x)) / h",
        replace=[
            (
                """    grad = np.zeros_like(x)
    base = f(x)
    if np.ndim(base) != 0:
        raise ValueError("f must return a number")""",
                "    grad = np.zeros_like(x)",
            ),
            (
                """        grad[index] = (f(x) - base) / h
        x[index] = old""",
                """        plus = f(x)
        x[index] = old - h
        minus = f(x)
        x[index] = old
        if np.ndim(plus) != 0:
            raise ValueError("f must return a number")
        grad[index] = (plus - minus) / h""",
            ),
        ],
        loses=["test_numerical_gradient"],
        feedback="divided by h instead of 2h",
    ),
    dict(
        cell="numerical_gradient",
        name="nudges the caller's x in place and never restores it",
        base="centred difference divided by h instead of 2h",
        replace=[
            (
                """    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)""",
                "    grad = np.zeros(x.shape)",
            ),
            (
                """        old = x[index]
        x[index] = old + h""",
                "        x[index] += h",
            ),
            (
                """        x[index] = old - h
        minus = f(x)
        x[index] = old""",
                """        x[index] -= 2 * h
        minus = f(x)""",
            ),
            (
                "        grad[index] = (plus - minus) / h",
                "        grad[index] = (plus - minus) / (2 * h)",
            ),
        ],
        loses=["test_numerical_gradient"],
        feedback="restore each entry",
    ),
    # conv2d_backward ------------------------------------------------------------------------------
    dict(
        cell="conv2d_backward",
        name="kernel gradient stored flipped",
        code="""
def conv2d_backward(dout, cache):
    x, w, b, stride = cache
    kh, kw = w.shape[:2]
    sh, sw = as_pair(stride, "stride")
    n, h_out, w_out, f = dout.shape
    if dout.shape != conv2d_forward(x, w, b, stride)[0].shape:
        raise ValueError("dout has the wrong shape")
    dx, dw = np.zeros(x.shape), np.zeros(w.shape)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i, i + sh * (h_out - 1) + 1, sh)
            cols = slice(j, j + sw * (w_out - 1) + 1, sw)
            patch = x[:, rows, cols, :]
            dw[kh - 1 - i, kw - 1 - j] = np.tensordot(patch, dout, axes=([0, 1, 2], [0, 1, 2]))
            dx[:, rows, cols, :] += dout @ w[i, j].T
    return dx, dw, dout.sum(axis=(0, 1, 2))
""",
        loses=["test_conv2d_backward"],
        feedback="the kernel gradient is flipped",
    ),
    dict(
        cell="conv2d_backward",
        name="input gradient through the flipped kernel",
        base="kernel gradient stored flipped",
        replace=[
            (
                "    dx, dw = np.zeros(x.shape), np.zeros(w.shape)",
                """    dx, dw = np.zeros(x.shape), np.zeros(w.shape)
    w_flipped = w[::-1, ::-1]""",
            ),
            (
                """            patch = x[:, rows, cols, :]
            dw[kh - 1 - i, kw - 1 - j] = np.tensordot(patch, dout, axes=([0, 1, 2], [0, 1, 2]))
            dx[:, rows, cols, :] += dout @ w[i, j].T""",
                """            dw[i, j] = np.tensordot(x[:, rows, cols, :], dout, axes=([0, 1, 2], [0, 1, 2]))
            dx[:, rows, cols, :] += dout @ w_flipped[i, j].T""",
            ),
        ],
        loses=["test_conv2d_backward"],
        feedback="dx used the flipped kernel",
    ),
    dict(
        cell="conv2d_backward",
        name="bias gradient summed over the batch only",
        base="kernel gradient stored flipped",
        replace=[
            (
                """            patch = x[:, rows, cols, :]
            dw[kh - 1 - i, kw - 1 - j] = np.tensordot(patch, dout, axes=([0, 1, 2], [0, 1, 2]))""",
                "            dw[i, j] = np.tensordot(x[:, rows, cols, :], dout, axes=([0, 1, 2], [0, 1, 2]))",
            ),
            (
                "    return dx, dw, dout.sum(axis=(0, 1, 2))",
                "    return dx, dw, dout.sum(axis=0)",
            ),
        ],
        loses=["test_conv2d_backward"],
        feedback="sum over the positions too",
    ),
    dict(
        cell="conv2d_backward",
        name="stride ignored in the backward pass",
        base="kernel gradient stored flipped",
        replace=[
            (
                """    kh, kw = w.shape[:2]
    sh, sw = as_pair(stride, "stride")""",
                "    kh, kw = w.shape[:2]",
            ),
            (
                """            rows = slice(i, i + sh * (h_out - 1) + 1, sh)
            cols = slice(j, j + sw * (w_out - 1) + 1, sw)
            patch = x[:, rows, cols, :]
            dw[kh - 1 - i, kw - 1 - j] = np.tensordot(patch, dout, axes=([0, 1, 2], [0, 1, 2]))
            dx[:, rows, cols, :] += dout @ w[i, j].T""",
                """            patch = x[:, i : i + h_out, j : j + w_out, :]
            dw[i, j] = np.tensordot(patch, dout, axes=([0, 1, 2], [0, 1, 2]))
            dx[:, i : i + h_out, j : j + w_out, :] += dout @ w[i, j].T""",
            ),
        ],
        loses=["test_conv2d_backward"],
        feedback="stride ignored",
    ),
    # pool_backward --------------------------------------------------------------------------------
    dict(
        cell="pool_backward",
        name="max-pool gradient sent to every position of the window",
        code="""
def max_pool2d_backward(dout, x, pool_size=2, stride=None):
    stride = pool_size if stride is None else stride
    ph, pw = as_pair(pool_size, "pool_size")
    sh, sw = as_pair(stride, "stride")
    n, h_out, w_out, c = dout.shape
    if dout.shape != max_pool2d(x, pool_size, stride).shape:
        raise ValueError("dout has the wrong shape")
    dx = np.zeros(x.shape)
    for i in range(ph):
        for j in range(pw):
            dx[:, i : i + sh * (h_out - 1) + 1 : sh, j : j + sw * (w_out - 1) + 1 : sw, :] += dout
    return dx


def avg_pool2d_backward(dout, x, pool_size=2, stride=None):
    stride = pool_size if stride is None else stride
    ph, pw = as_pair(pool_size, "pool_size")
    sh, sw = as_pair(stride, "stride")
    n, h_out, w_out, c = dout.shape
    if dout.shape != avg_pool2d(x, pool_size, stride).shape:
        raise ValueError("dout has the wrong shape")
    dx = np.zeros(x.shape)
    for i in range(ph):
        for j in range(pw):
            rows = slice(i, i + sh * (h_out - 1) + 1, sh)
            cols = slice(j, j + sw * (w_out - 1) + 1, sw)
            dx[:, rows, cols, :] += dout / (ph * pw)
    return dx
""",
        loses=["test_max_pool2d_backward"],
        feedback="instead of only the maximum",
    ),
    dict(
        cell="pool_backward",
        name="max-pool gradients of overlapping windows overwritten instead of added",
        base="max-pool gradient sent to every position of the window",
        replace=[
            (
                """def max_pool2d_backward(dout, x, pool_size=2, stride=None):
    stride = pool_size if stride is None else stride
    ph, pw = as_pair(pool_size, "pool_size")""",
                """def max_pool2d_backward(dout, x, pool_size=2, stride=None):
    stride = pool_size if stride is None else stride
    windows = pool_windows(x, pool_size, stride)
    n, h_out, w_out, taps, c = windows.shape
    if dout.shape != (n, h_out, w_out, c):
        raise ValueError("dout has the wrong shape")
    pw = as_pair(pool_size, "pool_size")[1]""",
            ),
            (
                """    n, h_out, w_out, c = dout.shape
    if dout.shape != max_pool2d(x, pool_size, stride).shape:
        raise ValueError("dout has the wrong shape")""",
                "    winner = windows.argmax(axis=3)",
            ),
            (
                """    for i in range(ph):
        for j in range(pw):
            dx[:, i : i + sh * (h_out - 1) + 1 : sh, j : j + sw * (w_out - 1) + 1 : sw, :] += dout""",
                """    for k in range(taps):
        i, j = divmod(k, pw)
        region = dx[:, i : i + sh * (h_out - 1) + 1 : sh, j : j + sw * (w_out - 1) + 1 : sw, :]
        region[winner == k] = dout[winner == k]""",
            ),
        ],
        loses=["test_max_pool2d_backward"],
        feedback="add (+=) their gradients",
    ),
    dict(
        cell="pool_backward",
        name="average-pool gradient not divided by the pool area",
        base="max-pool gradients of overlapping windows overwritten instead of added",
        replace=[
            (
                """        region = dx[:, i : i + sh * (h_out - 1) + 1 : sh, j : j + sw * (w_out - 1) + 1 : sw, :]
        region[winner == k] = dout[winner == k]""",
                """        rows = slice(i, i + sh * (h_out - 1) + 1, sh)
        cols = slice(j, j + sw * (w_out - 1) + 1, sw)
        dx[:, rows, cols, :] += np.where(winner == k, dout, 0)""",
            ),
            (
                """            rows = slice(i, i + sh * (h_out - 1) + 1, sh)
            cols = slice(j, j + sw * (w_out - 1) + 1, sw)
            dx[:, rows, cols, :] += dout / (ph * pw)""",
                "            dx[:, i : i + sh * (h_out - 1) + 1 : sh, j : j + sw * (w_out - 1) + 1 : sw, :] += dout",
            ),
        ],
        loses=["test_avg_pool2d_backward"],
        feedback="not divided by the pool area",
    ),
    # tiny_cnn -------------------------------------------------------------------------------------
    dict(
        cell="tiny_cnn",
        name="ReLU left out of the backward pass",
        code="""
def tiny_cnn_loss(params, x, y):
    n = x.shape[0]
    conv, conv_cache = conv2d_forward(x, params["W1"], params["b1"])
    relu = np.maximum(conv, 0.0)
    pooled = max_pool2d(relu, 2)
    flat = pooled.reshape(n, -1)
    scores = flat @ params["W2"] + params["b2"]
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = float(-np.log(probs[np.arange(n), y]).mean())
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1.0
    dscores /= n
    grads = {"W2": flat.T @ dscores, "b2": dscores.sum(axis=0)}
    dpooled = (dscores @ params["W2"].T).reshape(pooled.shape)
    dconv = max_pool2d_backward(dpooled, relu, 2)
    _, grads["W1"], grads["b1"] = conv2d_backward(dconv, conv_cache)
    return loss, grads

def sgd_update(params, grads, lr):
    if lr <= 0 or set(grads) != set(params):
        raise ValueError("bad learning rate or keys")
    return {k: params[k] - lr * grads[k] for k in params}
""",
        loses=["test_tiny_cnn_loss"],
        feedback="ReLU's backward pass is missing",
    ),
    dict(
        cell="tiny_cnn",
        name="softmax gradient not divided by the batch size",
        base="ReLU left out of the backward pass",
        replace=[
            (
                """    dscores[np.arange(n), y] -= 1.0
    dscores /= n""",
                "    dscores[np.arange(n), y] -= 1.0",
            ),
            (
                "    dconv = max_pool2d_backward(dpooled, relu, 2)",
                "    dconv = max_pool2d_backward(dpooled, relu, 2) * (conv > 0)",
            ),
        ],
        loses=["test_tiny_cnn_loss"],
        feedback="not divided by the batch size",
    ),
    dict(
        cell="tiny_cnn",
        name="gradient ascent: params + lr * grads",
        base="ReLU left out of the backward pass",
        replace=[
            (
                "    dconv = max_pool2d_backward(dpooled, relu, 2)",
                "    dconv = max_pool2d_backward(dpooled, relu, 2) * (conv > 0)",
            ),
            (
                "    return {k: params[k] - lr * grads[k] for k in params}",
                "    return {k: params[k] + lr * grads[k] for k in params}",
            ),
        ],
        loses=["test_sgd_update"],
        feedback="gradient ascent",
    ),
    dict(
        cell="tiny_cnn",
        name="sgd_update changes params in place",
        base="gradient ascent: params + lr * grads",
        replace=[
            (
                "    return {k: params[k] + lr * grads[k] for k in params}",
                """    for k in params:
        params[k] -= lr * grads[k]
    return params""",
            ),
        ],
        loses=["test_sgd_update"],
        feedback="leave params unchanged",
    ),
]
