"""Plausible wrong answers for 04-conv3d (see README.md in this folder)."""

MISTAKES = [
    # conv_multichannel ----------------------------------------------------------------------------
    dict(
        cell="conv_multichannel",
        name="bias forgotten",
        code="""
import numpy as np

def conv_multichannel(X, W, b=None):
    X, W = np.asarray(X), np.asarray(W)
    H, Wd, C = X.shape
    kh, kw, kc, F = W.shape
    if kc != C or kh > H or kw > Wd:
        raise ValueError("shapes do not fit")
    out = np.zeros((H - kh + 1, Wd - kw + 1, F))
    for i in range(H - kh + 1):
        for j in range(Wd - kw + 1):
            for f in range(F):
                out[i, j, f] = np.sum(X[i:i + kh, j:j + kw, :] * W[:, :, :, f])
    return out
""",
        loses=["test_conv_multichannel"],
        feedback="bias forgotten",
    ),
    dict(
        cell="conv_multichannel",
        name="kernel flipped (true convolution instead of cross-correlation)",
        base="bias forgotten",
        replace=[
            (
                '        raise ValueError("shapes do not fit")',
                """        raise ValueError("shapes do not fit")
    b = np.zeros(F) if b is None else np.asarray(b)
    if b.shape != (F,):
        raise ValueError("one bias per filter")
    W = W[::-1, ::-1]""",
            ),
            (
                "                out[i, j, f] = np.sum(X[i:i + kh, j:j + kw, :] * W[:, :, :, f])",
                "                out[i, j, f] = np.sum(X[i:i + kh, j:j + kw, :] * W[:, :, :, f]) + b[f]",
            ),
        ],
        loses=["test_conv_multichannel"],
        feedback="kernel flipped",
    ),
    dict(
        cell="conv_multichannel",
        name="channels not summed: one output map per input channel",
        base="kernel flipped (true convolution instead of cross-correlation)",
        replace=[
            (
                """    W = W[::-1, ::-1]
    out = np.zeros((H - kh + 1, Wd - kw + 1, F))""",
                "    out = np.zeros((H - kh + 1, Wd - kw + 1, C, F))",
            ),
            (
                "                out[i, j, f] = np.sum(X[i:i + kh, j:j + kw, :] * W[:, :, :, f]) + b[f]",
                """                products = X[i:i + kh, j:j + kw, :] * W[:, :, :, f]
                out[i, j, :, f] = np.sum(products, axis=(0, 1)) + b[f]""",
            ),
        ],
        loses=["test_conv_multichannel"],
        feedback="channels were not summed",
    ),
    dict(
        cell="conv_multichannel",
        name="channels averaged instead of summed",
        base="kernel flipped (true convolution instead of cross-correlation)",
        replace=[
            (
                """        raise ValueError("one bias per filter")
    W = W[::-1, ::-1]""",
                '        raise ValueError("one bias per filter")',
            ),
            (
                "                out[i, j, f] = np.sum(X[i:i + kh, j:j + kw, :] * W[:, :, :, f]) + b[f]",
                """                per_channel = [np.sum(X[i:i + kh, j:j + kw, c] * W[:, :, c, f]) for c in range(C)]
                out[i, j, f] = np.mean(per_channel) + b[f]""",
            ),
        ],
        loses=["test_conv_multichannel"],
        feedback="averaged instead of summed",
    ),
    dict(
        cell="conv_multichannel",
        name="off by one: range(H - kh)",
        base="kernel flipped (true convolution instead of cross-correlation)",
        replace=[
            (
                """    W = W[::-1, ::-1]
    out = np.zeros((H - kh + 1, Wd - kw + 1, F))
    for i in range(H - kh + 1):
        for j in range(Wd - kw + 1):""",
                """    out = np.zeros((H - kh, Wd - kw, F))
    for i in range(H - kh):
        for j in range(Wd - kw):""",
            ),
        ],
        loses=["test_conv_multichannel"],
        feedback="off by one",
    ),
    dict(
        cell="conv_multichannel",
        name="bias length not checked",
        base="bias forgotten",
        replace=[
            (
                '        raise ValueError("shapes do not fit")',
                """        raise ValueError("shapes do not fit")
    b = np.zeros(F) if b is None else np.asarray(b)""",
            ),
            (
                "                out[i, j, f] = np.sum(X[i:i + kh, j:j + kw, :] * W[:, :, :, f])",
                "                out[i, j, f] = np.sum(X[i:i + kh, j:j + kw, :] * W[:, :, :, f]) + b[f]",
            ),
        ],
        loses=["test_conv_multichannel"],
        feedback="3 biases for 2 filters should raise ValueError",
    ),
    dict(
        cell="conv_multichannel",
        name="output array takes the input's integer dtype",
        base="kernel flipped (true convolution instead of cross-correlation)",
        replace=[
            (
                """    W = W[::-1, ::-1]
    out = np.zeros((H - kh + 1, Wd - kw + 1, F))""",
                "    out = np.zeros((H - kh + 1, Wd - kw + 1, F), dtype=X.dtype)",
            ),
        ],
        loses=["test_conv_multichannel"],
        feedback="uint8 image",
    ),
    # conv_output_shape ----------------------------------------------------------------------------
    dict(
        cell="conv_output_shape",
        name="off by one: n - k",
        code="""
def conv_output_shape(input_shape, kernel_shape):
    *sizes, C = input_shape
    *ks, kc, F = kernel_shape
    too_big = any(k > n for n, k in zip(sizes, ks))
    if kc != C or len(kernel_shape) != len(input_shape) + 1 or too_big:
        raise ValueError("kernel does not fit")
    return tuple(n - k for n, k in zip(sizes, ks)) + (F,)
""",
        loses=["test_conv_output_shape"],
        feedback="off by one",
    ),
    dict(
        cell="conv_output_shape",
        name="input channels kept instead of the number of filters",
        base="off by one: n - k",
        replace=[
            (
                "    return tuple(n - k for n, k in zip(sizes, ks)) + (F,)",
                "    return tuple(n - k + 1 for n, k in zip(sizes, ks)) + (C,)",
            ),
        ],
        loses=["test_conv_output_shape"],
        feedback="number of filters F, not the input's channels C",
    ),
    dict(
        cell="conv_output_shape",
        name="written for 2D only: the depth axis is ignored",
        base="off by one: n - k",
        replace=[
            (
                """    *sizes, C = input_shape
    *ks, kc, F = kernel_shape
    too_big = any(k > n for n, k in zip(sizes, ks))
    if kc != C or len(kernel_shape) != len(input_shape) + 1 or too_big:""",
                """    H, W, C = input_shape[-3:]
    kh, kw, kc, F = kernel_shape[-4:]
    if kc != C or kh > H or kw > W:""",
            ),
            (
                "    return tuple(n - k for n, k in zip(sizes, ks)) + (F,)",
                "    return (H - kh + 1, W - kw + 1, F)",
            ),
        ],
        loses=["test_conv_output_shape"],
        feedback="depth axis ignored",
    ),
    dict(
        cell="conv_output_shape",
        name="channels never checked",
        base="off by one: n - k",
        replace=[
            (
                """    too_big = any(k > n for n, k in zip(sizes, ks))
    if kc != C or len(kernel_shape) != len(input_shape) + 1 or too_big:
        raise ValueError("kernel does not fit")
    return tuple(n - k for n, k in zip(sizes, ks)) + (F,)""",
                "    return tuple(n - k + 1 for n, k in zip(sizes, ks)) + (F,)",
            ),
        ],
        loses=["test_conv_output_shape"],
        feedback="should raise ValueError",
    ),
    # conv_params ----------------------------------------------------------------------------------
    dict(
        cell="conv_params",
        name="biases forgotten",
        base="channels never checked",
        replace=[
            (
                """def conv_output_shape(input_shape, kernel_shape):
    *sizes, C = input_shape
    *ks, kc, F = kernel_shape
    return tuple(n - k + 1 for n, k in zip(sizes, ks)) + (F,)""",
                """import numpy as np

def conv_params(kernel_size, in_channels, filters, use_bias=True):
    if min(kernel_size) < 1 or in_channels < 1 or filters < 1:
        raise ValueError("sizes must be positive")
    return int(np.prod(kernel_size)) * in_channels * filters""",
            ),
        ],
        loses=["test_conv_params"],
        feedback="biases forgotten",
    ),
    dict(
        cell="conv_params",
        name="input channels forgotten",
        base="biases forgotten",
        replace=[
            (
                "    return int(np.prod(kernel_size)) * in_channels * filters",
                "    return int(np.prod(kernel_size)) * filters + (filters if use_bias else 0)",
            ),
        ],
        loses=["test_conv_params"],
        feedback="input channels forgotten",
    ),
    dict(
        cell="conv_params",
        name="one bias for the whole layer",
        base="biases forgotten",
        replace=[
            (
                "    return int(np.prod(kernel_size)) * in_channels * filters",
                "    return int(np.prod(kernel_size)) * in_channels * filters + (1 if use_bias else 0)",
            ),
        ],
        loses=["test_conv_params"],
        feedback="one bias for the whole layer",
    ),
    dict(
        cell="conv_params",
        name="use_bias ignored",
        base="biases forgotten",
        replace=[
            (
                "    return int(np.prod(kernel_size)) * in_channels * filters",
                "    return int(np.prod(kernel_size)) * in_channels * filters + filters",
            ),
        ],
        loses=["test_conv_params"],
        feedback="use_bias=False ignored",
    ),
    # conv1x1 --------------------------------------------------------------------------------------
    dict(
        cell="conv1x1",
        name="weight matrix transposed (channels mixed up)",
        base="biases forgotten",
        replace=[
            (
                """def conv_params(kernel_size, in_channels, filters, use_bias=True):
    if min(kernel_size) < 1 or in_channels < 1 or filters < 1:
        raise ValueError("sizes must be positive")
    return int(np.prod(kernel_size)) * in_channels * filters""",
                """def conv1x1(X, W, b=None):
    X, W = np.asarray(X), np.asarray(W)
    if W.ndim != 4 or W.shape[:2] != (1, 1):
        raise ValueError("W must be (1, 1, C, F)")
    b = np.zeros(W.shape[3]) if b is None else np.asarray(b)
    return X @ W[0, 0].T + b""",
            ),
        ],
        loses=["test_conv1x1"],
        feedback="transposed (channels mixed up)",
    ),
    dict(
        cell="conv1x1",
        name="bias forgotten",
        base="weight matrix transposed (channels mixed up)",
        replace=[
            (
                """    b = np.zeros(W.shape[3]) if b is None else np.asarray(b)
    return X @ W[0, 0].T + b""",
                "    return (X @ W[0, 0]).astype(float)",
            ),
        ],
        loses=["test_conv1x1"],
        feedback="bias forgotten",
    ),
    dict(
        cell="conv1x1",
        name="channels-first reshape scrambles the pixels",
        base="bias forgotten",
        replace=[
            (
                "    return (X @ W[0, 0]).astype(float)",
                """    H, Wd, C = X.shape
    F = W.shape[3]
    b = np.zeros(F) if b is None else np.asarray(b)
    columns = X.reshape(C, H * Wd)                  # (C, pixels)
    mixed = W[0, 0].T @ columns                     # (F, pixels)
    return mixed.T.reshape(H, Wd, F) + b""",
            ),
        ],
        loses=["test_conv1x1"],
        feedback="channels-first reshape",
    ),
    dict(
        cell="conv1x1",
        name="right values, but a Python loop over the pixels (the text asks for none)",
        code="""
import numpy as np

def conv1x1(X, W, b=None):
    X, W = np.asarray(X), np.asarray(W)
    if X.ndim != 3 or W.ndim != 4 or W.shape[:2] != (1, 1) or X.shape[2] != W.shape[2]:
        raise ValueError("X must be (H, W, C) and W (1, 1, C, F)")
    F = W.shape[3]
    b = np.zeros(F) if b is None else np.asarray(b)
    if b.shape != (F,):
        raise ValueError("b must have shape (F,)")
    out = np.zeros(X.shape[:2] + (F,))
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            out[i, j] = X[i, j] @ W[0, 0] + b
    return out
""",
        loses=["test_conv1x1"],
        feedback="a Python loop over the pixels",
    ),
    dict(
        cell="conv1x1",
        name="any kernel accepted: W[0, 0] of a 3x3 kernel used silently",
        base="bias forgotten",
        replace=[
            (
                """    if W.ndim != 4 or W.shape[:2] != (1, 1):
        raise ValueError("W must be (1, 1, C, F)")
    return (X @ W[0, 0]).astype(float)""",
                """    b = np.zeros(W.shape[3]) if b is None else np.asarray(b)
    return (X @ W[0, 0] + b).astype(float)""",
            ),
        ],
        loses=["test_conv1x1"],
        feedback="3x3 kernel (it must be 1x1) should raise ValueError",
    ),
    # conv3d ---------------------------------------------------------------------------------------
    dict(
        cell="conv3d",
        name="kernel flipped (scipy.signal.convolve)",
        base="channels never checked",
        replace=[
            (
                """def conv_output_shape(input_shape, kernel_shape):
    *sizes, C = input_shape
    *ks, kc, F = kernel_shape
    return tuple(n - k + 1 for n, k in zip(sizes, ks)) + (F,)""",
                """import numpy as np
from scipy import signal

def conv3d(V, W):
    V, W = np.asarray(V, dtype=float), np.asarray(W, dtype=float)
    if V.ndim != 3 or W.ndim != 3 or any(k > n for n, k in zip(V.shape, W.shape)):
        raise ValueError("need a 3D volume and a 3D kernel that fits")
    return signal.convolve(V, W, mode="valid")""",
            ),
        ],
        loses=["test_conv3d"],
        feedback="kernel flipped",
    ),
    dict(
        cell="conv3d",
        name="depth axis ignored: the kernel slides only across height and width",
        base="kernel flipped (scipy.signal.convolve)",
        replace=[
            (
                """import numpy as np
from scipy import signal""",
                "import numpy as np",
            ),
            (
                "    V, W = np.asarray(V, dtype=float), np.asarray(W, dtype=float)",
                "    V, W = np.asarray(V), np.asarray(W)",
            ),
            (
                '    return signal.convolve(V, W, mode="valid")',
                """    kd, kh, kw = W.shape
    D, H, Wd = V.shape
    out = np.zeros((H - kh + 1, Wd - kw + 1))
    for i in range(H - kh + 1):
        for j in range(Wd - kw + 1):
            out[i, j] = np.sum(V[:kd, i:i + kh, j:j + kw] * W)
    return out""",
            ),
        ],
        loses=["test_conv3d"],
        feedback="depth axis ignored",
    ),
    dict(
        cell="conv3d",
        name="off by one on every axis",
        base="depth axis ignored: the kernel slides only across height and width",
        replace=[
            (
                """    out = np.zeros((H - kh + 1, Wd - kw + 1))
    for i in range(H - kh + 1):
        for j in range(Wd - kw + 1):
            out[i, j] = np.sum(V[:kd, i:i + kh, j:j + kw] * W)""",
                """    out = np.zeros((D - kd, H - kh, Wd - kw))
    for d in range(D - kd):
        for i in range(H - kh):
            for j in range(Wd - kw):
                out[d, i, j] = np.sum(V[d:d + kd, i:i + kh, j:j + kw] * W)""",
            ),
        ],
        loses=["test_conv3d"],
        feedback="off by one",
    ),
    dict(
        cell="conv3d",
        name="depth slides but every slice reuses the first kd slices",
        base="depth axis ignored: the kernel slides only across height and width",
        replace=[
            (
                """    out = np.zeros((H - kh + 1, Wd - kw + 1))
    for i in range(H - kh + 1):
        for j in range(Wd - kw + 1):
            out[i, j] = np.sum(V[:kd, i:i + kh, j:j + kw] * W)""",
                """    out = np.zeros((D - kd + 1, H - kh + 1, Wd - kw + 1))
    for d in range(D - kd + 1):
        for i in range(H - kh + 1):
            for j in range(Wd - kw + 1):
                out[d, i, j] = np.sum(V[0:kd, i:i + kh, j:j + kw] * W)""",
            ),
        ],
        loses=["test_conv3d"],
        feedback="every output slice used the first kd input slices",
    ),
]
