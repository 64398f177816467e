"""Plausible wrong answers for 02-conv1d (see README.md in this folder)."""

MISTAKES = [
    # conv1d ---------------------------------------------------------------------------------------
    dict(
        cell="conv1d",
        name="kernel flipped (np.convolve's convention instead of a layer's)",
        code="""
def conv1d(x, w, stride=1, padding="valid"):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    if x.ndim != 1 or w.ndim != 1 or x.size == 0 or w.size == 0:
        raise ValueError("x and w must be non-empty 1D arrays")
    n, k = x.size, w.size
    n_out = conv_output_length(n, k, stride, padding)
    if padding == "same":
        total = max((n_out - 1) * stride + k - n, 0)
        x = np.concatenate([np.zeros(total // 2), x, np.zeros(total - total // 2)])
    w = w[::-1]
    return np.array([np.sum(x[i * stride : i * stride + k] * w) for i in range(n_out)])
""",
        loses=["test_conv1d_valid", "test_conv1d_same"],
        feedback="the kernel is flipped",
    ),
    dict(
        cell="conv1d",
        name="off by one: n - k window positions",
        base="kernel flipped (np.convolve's convention instead of a layer's)",
        replace=[
            (
                "    n_out = conv_output_length(n, k, stride, padding)",
                "    conv_output_length(n, k, stride, padding)",
            ),
            (
                "        total = max((n_out - 1) * stride + k - n, 0)",
                "        total = k - 1",
            ),
            (
                """    w = w[::-1]
    return np.array([np.sum(x[i * stride : i * stride + k] * w) for i in range(n_out)])""",
                """    out = []
    for i in range(0, x.size - k, stride):
        out.append(np.sum(x[i : i + k] * w))
    return np.array(out)""",
            ),
        ],
        loses=["test_conv1d_valid"],
        feedback="off by one",
    ),
    dict(
        cell="conv1d",
        name="stride ignored",
        base="kernel flipped (np.convolve's convention instead of a layer's)",
        replace=[
            (
                "    n_out = conv_output_length(n, k, stride, padding)",
                "    conv_output_length(n, k, stride, padding)",
            ),
            (
                """        total = max((n_out - 1) * stride + k - n, 0)
        x = np.concatenate([np.zeros(total // 2), x, np.zeros(total - total // 2)])
    w = w[::-1]
    return np.array([np.sum(x[i * stride : i * stride + k] * w) for i in range(n_out)])""",
                """        x = np.concatenate([np.zeros((k - 1) // 2), x, np.zeros(k - 1 - (k - 1) // 2)])
    return np.array([np.sum(x[i : i + k] * w) for i in range(x.size - k + 1)])""",
            ),
        ],
        loses=["test_conv1d_valid", "test_conv1d_same"],
        feedback="stride ignored",
    ),
    dict(
        cell="conv1d",
        name="the window moves by 1 although the output length uses the stride",
        base="kernel flipped (np.convolve's convention instead of a layer's)",
        replace=[
            (
                """    w = w[::-1]
    return np.array([np.sum(x[i * stride : i * stride + k] * w) for i in range(n_out)])""",
                "    return np.array([np.sum(x[i : i + k] * w) for i in range(n_out)])",
            ),
        ],
        loses=["test_conv1d_valid"],
        feedback="moved by 1 instead of by the stride",
    ),
    dict(
        cell="conv1d",
        name="output created with the input's integer dtype (fractions truncated)",
        base="the window moves by 1 although the output length uses the stride",
        replace=[
            (
                """    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)""",
                """    x = np.asarray(x)
    w = np.asarray(w)""",
            ),
            (
                """        x = np.concatenate([np.zeros(total // 2), x, np.zeros(total - total // 2)])
    return np.array([np.sum(x[i : i + k] * w) for i in range(n_out)])""",
                """        before, after = np.zeros(total // 2, x.dtype), np.zeros(total - total // 2, x.dtype)
        x = np.concatenate([before, x, after])
    y = np.zeros(n_out, dtype=x.dtype)
    for i in range(n_out):
        y[i] = np.sum(x[i * stride : i * stride + k] * w)
    return y""",
            ),
        ],
        loses=["test_conv1d_valid"],
        feedback="fractions were truncated",
    ),
    dict(
        cell="conv1d",
        name="returns a Python list",
        base="the window moves by 1 although the output length uses the stride",
        replace=[
            (
                "    return np.array([np.sum(x[i : i + k] * w) for i in range(n_out)])",
                "    return [float(np.sum(x[i * stride : i * stride + k] * w)) for i in range(n_out)]",
            ),
        ],
        loses=["test_conv1d_valid", "test_conv1d_same"],
        feedback="should return a NumPy array",
    ),
    dict(
        cell="conv1d",
        name="unknown padding silently treated as 'valid' (no validation)",
        base="kernel flipped (np.convolve's convention instead of a layer's)",
        replace=[
            (
                """    w = np.asarray(w, dtype=float)
    if x.ndim != 1 or w.ndim != 1 or x.size == 0 or w.size == 0:
        raise ValueError("x and w must be non-empty 1D arrays")
    n, k = x.size, w.size
    n_out = conv_output_length(n, k, stride, padding)
    if padding == "same":""",
                """    w = np.asarray(w, dtype=float)
    n, k = x.size, w.size
    if padding == "same":
        n_out = -(-n // stride)""",
            ),
            (
                "    w = w[::-1]",
                """    else:
        n_out = (n - k) // stride + 1""",
            ),
        ],
        loses=["test_conv1d_valid"],
        feedback="should raise ValueError",
    ),
    dict(
        cell="conv1d",
        name="'same' padding: all k - 1 zeros after the signal (one side only)",
        base="kernel flipped (np.convolve's convention instead of a layer's)",
        replace=[
            (
                """        total = max((n_out - 1) * stride + k - n, 0)
        x = np.concatenate([np.zeros(total // 2), x, np.zeros(total - total // 2)])
    w = w[::-1]""",
                "        x = np.concatenate([x, np.zeros(k - 1)])",
            ),
        ],
        loses=["test_conv1d_same"],
        feedback="padding on one side only",
    ),
    dict(
        cell="conv1d",
        name="'same' padding: the extra zero of an even kernel before the signal",
        base="kernel flipped (np.convolve's convention instead of a layer's)",
        replace=[
            (
                """        x = np.concatenate([np.zeros(total // 2), x, np.zeros(total - total // 2)])
    w = w[::-1]""",
                """        after = total // 2
        x = np.concatenate([np.zeros(total - after), x, np.zeros(after)])""",
            ),
        ],
        loses=["test_conv1d_same"],
        feedback="the extra zero is before the signal",
    ),
    dict(
        cell="conv1d",
        name="'same' padding with k - 1 zeros whatever the stride",
        base="'same' padding: all k - 1 zeros after the signal (one side only)",
        replace=[
            (
                "        x = np.concatenate([x, np.zeros(k - 1)])",
                """        total = k - 1
        x = np.concatenate([np.zeros(total // 2), x, np.zeros(total - total // 2)])""",
            ),
        ],
        loses=["test_conv1d_same"],
        feedback="right only for stride 1",
    ),
    # conv_output_length ---------------------------------------------------------------------------
    dict(
        cell="conv_output_length",
        name="off by one: n - k positions",
        code="""
def conv_output_length(n, k, stride=1, padding="valid"):
    if n < 1 or k < 1 or stride < 1 or padding not in ("valid", "same"):
        raise ValueError("bad arguments")
    if padding == "same":
        return -(-n // stride)
    if k > n:
        raise ValueError("kernel longer than input")
    return (n - k) // stride
""",
        loses=["test_conv_output_length"],
        feedback="one window too few",
    ),
    dict(
        cell="conv_output_length",
        name="'same' keeps the length even with a stride",
        base="off by one: n - k positions",
        replace=[
            (
                "        return -(-n // stride)",
                "        return n",
            ),
            (
                "    return (n - k) // stride",
                "    return (n - k) // stride + 1",
            ),
        ],
        loses=["test_conv_output_length"],
        feedback="'same' keeps the length only at stride 1",
    ),
    dict(
        cell="conv_output_length",
        name="'same' with floor instead of ceil",
        base="'same' keeps the length even with a stride",
        replace=[
            (
                "        return n",
                "        return n // stride",
            ),
        ],
        loses=["test_conv_output_length"],
        feedback="floor instead of ceil",
    ),
    dict(
        cell="conv_output_length",
        name="the + 1 inside the floor division",
        base="off by one: n - k positions",
        replace=[
            (
                "    return (n - k) // stride",
                "    return (n - k + 1) // stride",
            ),
        ],
        loses=["test_conv_output_length"],
        feedback="the + 1 ended up inside the floor division",
    ),
    dict(
        cell="conv_output_length",
        name="true division returns a float",
        base="off by one: n - k positions",
        replace=[
            (
                "    return (n - k) // stride",
                "    return (n - k) / stride + 1",
            ),
        ],
        loses=["test_conv_output_length"],
        feedback="should be int",
    ),
    dict(
        cell="conv_output_length",
        name="any padding other than 'same' treated as 'valid'",
        base="off by one: n - k positions",
        replace=[
            (
                '    if n < 1 or k < 1 or stride < 1 or padding not in ("valid", "same"):',
                "    if n < 1 or k < 1 or stride < 1:",
            ),
            (
                "    return (n - k) // stride",
                "    return (n - k) // stride + 1",
            ),
        ],
        loses=["test_conv_output_length"],
        feedback="should raise ValueError",
    ),
    # true_convolution -----------------------------------------------------------------------------
    dict(
        cell="true_convolution",
        name="kernel not flipped (returns the cross-correlation)",
        code="""
def true_convolution(x, w):
    return conv1d(x, w)
""",
        loses=["test_true_convolution"],
        feedback="the kernel was not flipped",
    ),
    dict(
        cell="true_convolution",
        name="the signal flipped instead of the kernel",
        base="kernel not flipped (returns the cross-correlation)",
        replace=[
            (
                "    return conv1d(x, w)",
                "    return conv1d(np.asarray(x)[::-1], w)",
            ),
        ],
        loses=["test_true_convolution"],
        feedback="the signal was flipped instead of the kernel",
    ),
    dict(
        cell="true_convolution",
        name="kernel flipped but 'same' padding",
        base="kernel not flipped (returns the cross-correlation)",
        replace=[
            (
                "    return conv1d(x, w)",
                '    return conv1d(x, np.asarray(w)[::-1], padding="same")',
            ),
        ],
        loses=["test_true_convolution"],
        feedback="'valid' mode means no padding",
    ),
    # locate_pattern -------------------------------------------------------------------------------
    dict(
        cell="locate_pattern",
        name="np.convolve flips the pattern: finds its mirror image",
        base="kernel not flipped (returns the cross-correlation)",
        replace=[
            (
                """def true_convolution(x, w):
    return conv1d(x, w)""",
                """def locate_pattern(x, pattern):
    pattern = np.asarray(pattern, dtype=float)
    if pattern.ndim != 1 or pattern.size == 0 or np.ptp(pattern) == 0:
        raise ValueError("bad pattern")
    if pattern.size > np.asarray(x).size:
        raise ValueError("pattern longer than the signal")
    return int(np.argmax(np.convolve(x, pattern - pattern.mean(), "valid")))""",
            ),
        ],
        loses=["test_locate_pattern"],
        feedback="found the blip's mirror image",
    ),
    dict(
        cell="locate_pattern",
        name="'same' padding: returns the window's centre",
        base="np.convolve flips the pattern: finds its mirror image",
        replace=[
            (
                '    return int(np.argmax(np.convolve(x, pattern - pattern.mean(), "valid")))',
                '    return int(np.argmax(conv1d(x, pattern - pattern.mean(), padding="same")))',
            ),
        ],
        loses=["test_locate_pattern"],
        feedback="the window's centre",
    ),
    dict(
        cell="locate_pattern",
        name="pattern's mean not subtracted",
        base="np.convolve flips the pattern: finds its mirror image",
        replace=[
            (
                """    if pattern.size > np.asarray(x).size:
        raise ValueError("pattern longer than the signal")
    return int(np.argmax(np.convolve(x, pattern - pattern.mean(), "valid")))""",
                "    return int(np.argmax(conv1d(x, pattern)))",
            ),
        ],
        loses=["test_locate_pattern"],
        feedback="did not subtract the pattern's mean",
    ),
    dict(
        cell="locate_pattern",
        name="returns the best score instead of its position",
        base="pattern's mean not subtracted",
        replace=[
            (
                "    return int(np.argmax(conv1d(x, pattern)))",
                "    return np.max(conv1d(x, pattern - pattern.mean()))",
            ),
        ],
        loses=["test_locate_pattern"],
        feedback="should be int",
    ),
    # What the text forbids (checked by the library calls the answer makes) ----------------------
    dict(
        cell="conv1d",
        name="np.correlate on the padded signal instead of a hand-written loop",
        code="""
def conv1d(x, w, stride=1, padding="valid"):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    if x.ndim != 1 or w.ndim != 1 or x.size == 0 or w.size == 0:
        raise ValueError("x and w must be non-empty 1D arrays")
    n, k = x.size, w.size
    n_out = conv_output_length(n, k, stride=stride, padding=padding)
    if padding == "same":
        total = max((n_out - 1) * stride + k - n, 0)
        x = np.concatenate([np.zeros(total // 2), x, np.zeros(total - total // 2)])
    return np.correlate(x, w, "valid")[::stride]
""",
        loses=["test_conv1d_valid"],
        feedback="calls np.correlate",
    ),
    dict(
        cell="true_convolution",
        name="np.convolve instead of conv1d",
        code="""
def true_convolution(x, w):
    x = np.asarray(x)
    w = np.asarray(w)
    if x.ndim != 1 or w.ndim != 1 or w.size == 0 or w.size > x.size:
        raise ValueError("need 1D x and w with a kernel no longer than the signal")
    return np.convolve(x, w, "valid")
""",
        loses=["test_true_convolution"],
        feedback="calls np.convolve",
    ),
]
