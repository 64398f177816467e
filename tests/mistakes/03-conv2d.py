"""Plausible wrong answers for 03-conv2d (see README.md in this folder)."""

MISTAKES = [
    # conv2d_valid ---------------------------------------------------------------------------------
    dict(
        cell="conv2d_valid",
        name="flipped kernel: a true (mathematical) convolution",
        code="""
def conv2d_valid(X, W):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    if X.ndim != 2 or W.ndim != 2 or W.shape[0] > X.shape[0] or W.shape[1] > X.shape[1]:
        raise ValueError("bad shapes")
    kh, kw = W.shape
    Wf = W[::-1, ::-1]
    out = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(X[i : i + kh, j : j + kw] * Wf)
    return out
""",
        loses=["test_conv2d_valid"],
        feedback="flipped kernel",
    ),
    dict(
        cell="conv2d_valid",
        name="off by one: output (n - k) x (n - k)",
        base="flipped kernel: a true (mathematical) convolution",
        replace=[
            (
                """    Wf = W[::-1, ::-1]
    out = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(X[i : i + kh, j : j + kw] * Wf)""",
                """    out = np.zeros((X.shape[0] - kh, X.shape[1] - kw))
    for i in range(X.shape[0] - kh):
        for j in range(X.shape[1] - kw):
            out[i, j] = np.sum(X[i : i + kh, j : j + kw] * W)""",
            ),
        ],
        loses=["test_conv2d_valid"],
        feedback="off by one",
    ),
    dict(
        cell="conv2d_valid",
        name="transposed output: out[j, i] filled instead of out[i, j]",
        base="off by one: output (n - k) x (n - k)",
        replace=[
            (
                """    out = np.zeros((X.shape[0] - kh, X.shape[1] - kw))
    for i in range(X.shape[0] - kh):
        for j in range(X.shape[1] - kw):
            out[i, j] = np.sum(X[i : i + kh, j : j + kw] * W)""",
                """    oh, ow = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    out = np.zeros((ow, oh))
    for i in range(oh):
        for j in range(ow):
            out[j, i] = np.sum(X[i : i + kh, j : j + kw] * W)""",
            ),
        ],
        loses=["test_conv2d_valid"],
        feedback="transposed output",
    ),
    dict(
        cell="conv2d_valid",
        name="square input assumed: the row count used for both axes",
        base="off by one: output (n - k) x (n - k)",
        replace=[
            (
                """    kh, kw = W.shape
    out = np.zeros((X.shape[0] - kh, X.shape[1] - kw))
    for i in range(X.shape[0] - kh):
        for j in range(X.shape[1] - kw):
            out[i, j] = np.sum(X[i : i + kh, j : j + kw] * W)""",
                """    n, k = X.shape[0], W.shape[0]
    out = np.zeros((n - k + 1, n - k + 1))
    for i in range(n - k + 1):
        for j in range(n - k + 1):
            out[i, j] = np.sum(X[i : i + k, j : j + k] * W)""",
            ),
        ],
        loses=["test_conv2d_valid"],
        feedback="square input",
    ),
    # pad2d ----------------------------------------------------------------------------------------
    dict(
        cell="pad2d",
        name="padding only one side: all zeros before (top/left)",
        code="""
def pad2d(X, pad):
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError("X must be 2D")
    if isinstance(pad, int):
        pad = ((pad, pad), (pad, pad))
    (top, bottom), (left, right) = pad
    if min(top, bottom, left, right) < 0:
        raise ValueError("negative padding")
    h, w = X.shape
    out = np.zeros((h + top + bottom, w + left + right), dtype=X.dtype)
    out[top + bottom :, left + right :] = X
    return out
""",
        loses=["test_pad2d"],
        feedback="only one side padded",
    ),
    dict(
        cell="pad2d",
        name="wrong axis: (top, bottom) applied to the columns",
        base="padding only one side: all zeros before (top/left)",
        replace=[
            (
                """    out = np.zeros((h + top + bottom, w + left + right), dtype=X.dtype)
    out[top + bottom :, left + right :] = X""",
                """    out = np.zeros((h + left + right, w + top + bottom), dtype=X.dtype)
    out[left : left + h, top : top + w] = X""",
            ),
        ],
        loses=["test_pad2d"],
        feedback="wrong axis",
    ),
    dict(
        cell="pad2d",
        name="float zeros: the padded array loses the input's dtype",
        base="padding only one side: all zeros before (top/left)",
        replace=[
            (
                """    out = np.zeros((h + top + bottom, w + left + right), dtype=X.dtype)
    out[top + bottom :, left + right :] = X""",
                """    out = np.zeros((h + top + bottom, w + left + right))
    out[top : top + h, left : left + w] = X""",
            ),
        ],
        loses=["test_pad2d"],
        feedback="dtype=X.dtype",
    ),
    # conv2d ---------------------------------------------------------------------------------------
    dict(
        cell="conv2d",
        name="stride ignored: the window always moves one pixel",
        base="flipped kernel: a true (mathematical) convolution",
        replace=[
            (
                "def conv2d_valid(X, W):",
                'def conv2d(X, W, stride=1, padding="valid"):',
            ),
            (
                """    if X.ndim != 2 or W.ndim != 2 or W.shape[0] > X.shape[0] or W.shape[1] > X.shape[1]:
        raise ValueError("bad shapes")""",
                """    if X.ndim != 2 or W.ndim != 2 or np.min(stride) < 1 or padding.lower() not in ("valid", "same"):
        raise ValueError("bad arguments")""",
            ),
            (
                "    Wf = W[::-1, ::-1]",
                """    if padding.lower() == "same":
        X = pad2d(X, (((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)))
    if kh > X.shape[0] or kw > X.shape[1]:
        raise ValueError("kernel larger than input")""",
            ),
            (
                "            out[i, j] = np.sum(X[i : i + kh, j : j + kw] * Wf)",
                "            out[i, j] = np.sum(X[i : i + kh, j : j + kw] * W)",
            ),
        ],
        loses=["test_conv2d"],
        feedback="stride ignored",
    ),
    dict(
        cell="conv2d",
        name="same padding with k // 2 zeros on every side (one too many for even kernels)",
        base="stride ignored: the window always moves one pixel",
        replace=[
            (
                '    if X.ndim != 2 or W.ndim != 2 or np.min(stride) < 1 or padding.lower() not in ("valid", "same"):',
                """    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    if X.ndim != 2 or W.ndim != 2 or min(sh, sw) < 1 or padding.lower() not in ("valid", "same"):""",
            ),
            (
                "        X = pad2d(X, (((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)))",
                "        X = pad2d(X, ((kh // 2, kh // 2), (kw // 2, kw // 2)))",
            ),
            (
                "    out = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))",
                "    out = np.zeros(((X.shape[0] - kh) // sh + 1, (X.shape[1] - kw) // sw + 1))",
            ),
            (
                "            out[i, j] = np.sum(X[i : i + kh, j : j + kw] * W)",
                "            out[i, j] = np.sum(X[i * sh : i * sh + kh, j * sw : j * sw + kw] * W)",
            ),
        ],
        loses=["test_conv2d"],
        feedback="k // 2 zeros on each side",
    ),
    dict(
        cell="conv2d",
        name="same padding puts the extra zero top/left",
        base="same padding with k // 2 zeros on every side (one too many for even kernels)",
        replace=[
            (
                "        X = pad2d(X, ((kh // 2, kh // 2), (kw // 2, kw // 2)))",
                """        pads = []
        for n, k, s in ((X.shape[0], kh, sh), (X.shape[1], kw, sw)):
            total = max((-(-n // s) - 1) * s + k - n, 0)
            pads.append((total - total // 2, total // 2))
        X = pad2d(X, tuple(pads))""",
            ),
        ],
        loses=["test_conv2d"],
        feedback="the extra zero went top/left",
    ),
    dict(
        cell="conv2d",
        name="same padding ignores the stride (always k - 1 zeros)",
        base="same padding with k // 2 zeros on every side (one too many for even kernels)",
        replace=[
            (
                "        X = pad2d(X, ((kh // 2, kh // 2), (kw // 2, kw // 2)))",
                "        X = pad2d(X, (((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)))",
            ),
        ],
        loses=["test_conv2d"],
        feedback="padding that ignores the stride",
    ),
    dict(
        cell="conv2d",
        name="unknown padding silently treated as valid",
        base="same padding puts the extra zero top/left",
        replace=[
            (
                '    if X.ndim != 2 or W.ndim != 2 or min(sh, sw) < 1 or padding.lower() not in ("valid", "same"):',
                "    if X.ndim != 2 or W.ndim != 2 or min(sh, sw) < 1:",
            ),
            (
                '    if padding.lower() == "same":',
                '    if str(padding).lower() == "same":',
            ),
            (
                "            pads.append((total - total // 2, total // 2))",
                "            pads.append((total // 2, total - total // 2))",
            ),
        ],
        loses=["test_conv2d"],
        feedback='padding="full" should raise ValueError',
    ),
    # conv2d_fast ----------------------------------------------------------------------------------
    dict(
        cell="conv2d_fast",
        name="a Python loop over the output pixels (correct but slow)",
        base="same padding puts the extra zero top/left",
        replace=[
            (
                'def conv2d(X, W, stride=1, padding="valid"):',
                'def conv2d_fast(X, W, stride=1, padding="valid"):',
            ),
            (
                "            pads.append((total - total // 2, total // 2))",
                "            pads.append((total // 2, total - total // 2))",
            ),
            (
                "    out = np.zeros(((X.shape[0] - kh) // sh + 1, (X.shape[1] - kw) // sw + 1))",
                """    windows = sliding_window_view(X, (kh, kw))[::sh, ::sw]
    out = np.zeros(windows.shape[:2])""",
            ),
            (
                "            out[i, j] = np.sum(X[i * sh : i * sh + kh, j * sw : j * sw + kw] * W)",
                "            out[i, j] = np.sum(windows[i, j] * W)",
            ),
        ],
        loses=["test_conv2d_fast"],
        feedback="a Python loop over the output pixels",
    ),
    dict(
        cell="conv2d_fast",
        name="transposed einsum output ('ijkl,kl->ji')",
        base="a Python loop over the output pixels (correct but slow)",
        replace=[
            (
                """    out = np.zeros(windows.shape[:2])
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(windows[i, j] * W)
    return out""",
                '    return np.einsum("ijkl,kl->ji", windows, W)',
            ),
        ],
        loses=["test_conv2d_fast"],
        feedback="transposed output",
    ),
    dict(
        cell="conv2d_fast",
        name="flipped kernel in the einsum",
        base="transposed einsum output ('ijkl,kl->ji')",
        replace=[
            (
                '    return np.einsum("ijkl,kl->ji", windows, W)',
                '    return np.einsum("ijkl,kl->ij", windows, W[::-1, ::-1])',
            ),
        ],
        loses=["test_conv2d_fast"],
        feedback="flipped kernel",
    ),
    dict(
        cell="conv2d_fast",
        name="stride ignored: the windows are not sliced",
        base="transposed einsum output ('ijkl,kl->ji')",
        replace=[
            (
                """    windows = sliding_window_view(X, (kh, kw))[::sh, ::sw]
    return np.einsum("ijkl,kl->ji", windows, W)""",
                '    return np.einsum("ijkl,kl->ij", sliding_window_view(X, (kh, kw)), W)',
            ),
        ],
        loses=["test_conv2d_fast"],
        feedback="stride ignored",
    ),
    dict(
        cell="conv2d_fast",
        name="no conversion to float: uint8 arithmetic wraps around",
        base="transposed einsum output ('ijkl,kl->ji')",
        replace=[
            (
                """    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)""",
                """    X = np.asarray(X)
    W = np.asarray(W)""",
            ),
            (
                '    return np.einsum("ijkl,kl->ji", windows, W)',
                '    return np.einsum("ijkl,kl->ij", windows, W)',
            ),
        ],
        loses=["test_conv2d_fast"],
        feedback="integer overflow",
    ),
    # edge_magnitude -------------------------------------------------------------------------------
    dict(
        cell="edge_magnitude",
        name="no square root: gx**2 + gy**2",
        code="""
def edge_magnitude(image):
    image = np.asarray(image, dtype=float)
    if image.ndim != 2:
        raise ValueError("need a 2D image")
    gx = conv2d_fast(image, SOBEL_X, padding="same")
    gy = conv2d_fast(image, SOBEL_Y, padding="same")
    return gx**2 + gy**2
""",
        loses=["test_edge_magnitude"],
        feedback="no square root",
    ),
    dict(
        cell="edge_magnitude",
        name="|gx| + |gy| instead of the gradient's length",
        base="no square root: gx**2 + gy**2",
        replace=[
            (
                "    return gx**2 + gy**2",
                "    return np.abs(gx) + np.abs(gy)",
            ),
        ],
        loses=["test_edge_magnitude"],
        feedback="absolute values added",
    ),
    dict(
        cell="edge_magnitude",
        name="Sobel x used for both gradients",
        base="no square root: gx**2 + gy**2",
        replace=[
            (
                """    gy = conv2d_fast(image, SOBEL_Y, padding="same")
    return gx**2 + gy**2""",
                """    gy = conv2d_fast(image, SOBEL_X, padding="same")
    return np.sqrt(gx**2 + gy**2)""",
            ),
        ],
        loses=["test_edge_magnitude"],
        feedback="Sobel x twice",
    ),
    dict(
        cell="edge_magnitude",
        name="valid padding: the edge map is smaller than the image",
        base="Sobel x used for both gradients",
        replace=[
            (
                """    gx = conv2d_fast(image, SOBEL_X, padding="same")
    gy = conv2d_fast(image, SOBEL_X, padding="same")""",
                """    gx = conv2d_fast(image, SOBEL_X)
    gy = conv2d_fast(image, SOBEL_Y)""",
            ),
        ],
        loses=["test_edge_magnitude"],
        feedback="valid padding",
    ),
    # What the text forbids (checked since the tests count Python lines and library calls) -------
    dict(
        cell="conv2d_valid",
        name="scipy's correlate2d instead of the loops",
        code="""
def conv2d_valid(X, W):
    from scipy.signal import correlate2d

    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    if X.ndim != 2 or W.ndim != 2 or W.shape[0] > X.shape[0] or W.shape[1] > X.shape[1]:
        raise ValueError("bad shapes")
    return correlate2d(X, W, mode="valid")
""",
        loses=["test_conv2d_valid"],
        feedback="calls SciPy",
    ),
    dict(
        cell="conv2d_valid",
        name="all windows at once (Exercise 4's method) where the text asks for loops",
        code="""
def conv2d_valid(X, W):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    if X.ndim != 2 or W.ndim != 2 or W.shape[0] > X.shape[0] or W.shape[1] > X.shape[1]:
        raise ValueError("bad shapes")
    return np.einsum("ijkl,kl->ij", sliding_window_view(X, W.shape), W)
""",
        loses=["test_conv2d_valid"],
        feedback="no Python loop over the output positions",
    ),
    dict(
        cell="conv2d",
        name="scipy's correlate2d on the padded input, then the stride as a slice",
        code="""
def conv2d(X, W, stride=1, padding="valid"):
    from scipy.signal import correlate2d

    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    if X.ndim != 2 or W.ndim != 2 or min(sh, sw) < 1 or padding.lower() not in ("valid", "same"):
        raise ValueError("bad arguments")
    kh, kw = W.shape
    if padding.lower() == "same":
        pads = []
        for n, k, s in ((X.shape[0], kh, sh), (X.shape[1], kw, sw)):
            total = max((-(-n // s) - 1) * s + k - n, 0)
            pads.append((total // 2, total - total // 2))
        X = pad2d(X, tuple(pads))
    if kh > X.shape[0] or kw > X.shape[1]:
        raise ValueError("kernel larger than input")
    return correlate2d(X, W, mode="valid")[::sh, ::sw]
""",
        loses=["test_conv2d"],
        feedback="calls SciPy",
    ),
    dict(
        cell="conv2d",
        name="all windows at once (Exercise 4's method) where the text asks for loops",
        code="""
def conv2d(X, W, stride=1, padding="valid"):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    if X.ndim != 2 or W.ndim != 2 or min(sh, sw) < 1 or padding.lower() not in ("valid", "same"):
        raise ValueError("bad arguments")
    kh, kw = W.shape
    if padding.lower() == "same":
        pads = []
        for n, k, s in ((X.shape[0], kh, sh), (X.shape[1], kw, sw)):
            total = max((-(-n // s) - 1) * s + k - n, 0)
            pads.append((total // 2, total - total // 2))
        X = pad2d(X, tuple(pads))
    if kh > X.shape[0] or kw > X.shape[1]:
        raise ValueError("kernel larger than input")
    return np.einsum("ijkl,kl->ij", sliding_window_view(X, (kh, kw))[::sh, ::sw], W)
""",
        loses=["test_conv2d"],
        feedback="no Python loop over the output positions",
    ),
    dict(
        cell="conv2d_fast",
        name="scipy's correlate2d instead of the windows and einsum",
        code="""
def conv2d_fast(X, W, stride=1, padding="valid"):
    from scipy.signal import correlate2d

    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    if X.ndim != 2 or W.ndim != 2 or min(sh, sw) < 1 or padding.lower() not in ("valid", "same"):
        raise ValueError("bad arguments")
    kh, kw = W.shape
    if padding.lower() == "same":
        pads = []
        for n, k, s in ((X.shape[0], kh, sh), (X.shape[1], kw, sw)):
            total = max((-(-n // s) - 1) * s + k - n, 0)
            pads.append((total // 2, total - total // 2))
        X = pad2d(X, tuple(pads))
    if kh > X.shape[0] or kw > X.shape[1]:
        raise ValueError("kernel larger than input")
    return correlate2d(X, W, mode="valid")[::sh, ::sw]
""",
        loses=["test_conv2d_fast"],
        feedback="calls SciPy",
    ),
]
