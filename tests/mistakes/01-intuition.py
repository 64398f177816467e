"""Plausible wrong answers for 01-intuition (see README.md in this folder)."""

MISTAKES = [
    # dense_params ---------------------------------------------------------------------------------
    dict(
        cell="dense_params",
        name="bias forgotten: only n_in * n_out weights",
        code="""
def dense_params(n_in, n_out, bias=True):
    if n_in < 1 or n_out < 1:
        raise ValueError("sizes must be positive")
    return n_in * n_out
""",
        loses=["test_dense_params"],
        feedback="the bias was forgotten",
    ),
    dict(
        cell="dense_params",
        name="one bias per input instead of one per neuron",
        base="bias forgotten: only n_in * n_out weights",
        replace=[
            (
                "    return n_in * n_out",
                "    return n_in * n_out + (n_in if bias else 0)",
            ),
        ],
        loses=["test_dense_params"],
        feedback="one bias per INPUT",
    ),
    dict(
        cell="dense_params",
        name="bias=False ignored: the bias is always counted",
        base="bias forgotten: only n_in * n_out weights",
        replace=[
            (
                "    return n_in * n_out",
                "    return (n_in + 1) * n_out",
            ),
        ],
        loses=["test_dense_params"],
        feedback="bias=False was ignored",
    ),
    dict(
        cell="dense_params",
        name="no input validation (a layer with 0 inputs gets 10 parameters)",
        base="bias forgotten: only n_in * n_out weights",
        replace=[
            (
                """    if n_in < 1 or n_out < 1:
        raise ValueError("sizes must be positive")
    return n_in * n_out""",
                "    return n_in * n_out + (n_out if bias else 0)",
            ),
        ],
        loses=["test_dense_params"],
        feedback="should raise ValueError",
    ),
    # conv2d_params --------------------------------------------------------------------------------
    dict(
        cell="conv2d_params",
        name="input channels ignored: a filter counted as k_h * k_w weights",
        base="bias forgotten: only n_in * n_out weights",
        replace=[
            (
                """def dense_params(n_in, n_out, bias=True):
    if n_in < 1 or n_out < 1:""",
                """def conv2d_params(k_h, k_w, c_in, c_out, bias=True):
    if min(k_h, k_w, c_in, c_out) < 1:""",
            ),
            (
                "    return n_in * n_out",
                "    return k_h * k_w * c_out + (c_out if bias else 0)",
            ),
        ],
        loses=["test_conv2d_params"],
        feedback="c_in was ignored",
    ),
    dict(
        cell="conv2d_params",
        name="kernel area squared from k_h only (assumes a square kernel)",
        base="input channels ignored: a filter counted as k_h * k_w weights",
        replace=[
            (
                "    return k_h * k_w * c_out + (c_out if bias else 0)",
                "    return k_h * k_h * c_in * c_out + (c_out if bias else 0)",
            ),
        ],
        loses=["test_conv2d_params"],
        feedback="k_h * k_h",
    ),
    dict(
        cell="conv2d_params",
        name="bias forgotten",
        base="input channels ignored: a filter counted as k_h * k_w weights",
        replace=[
            (
                "    return k_h * k_w * c_out + (c_out if bias else 0)",
                "    return k_h * k_w * c_in * c_out",
            ),
        ],
        loses=["test_conv2d_params"],
        feedback="the bias was forgotten",
    ),
    dict(
        cell="conv2d_params",
        name="one bias per input channel instead of one per filter",
        base="input channels ignored: a filter counted as k_h * k_w weights",
        replace=[
            (
                "    return k_h * k_w * c_out + (c_out if bias else 0)",
                "    return k_h * k_w * c_in * c_out + (c_in if bias else 0)",
            ),
        ],
        loses=["test_conv2d_params"],
        feedback="one bias per INPUT channel",
    ),
    # conv1d_as_matrix -----------------------------------------------------------------------------
    dict(
        cell="conv1d_as_matrix",
        name="kernel flipped (true convolution instead of cross-correlation)",
        base="no input validation (a layer with 0 inputs gets 10 parameters)",
        replace=[
            (
                """def dense_params(n_in, n_out, bias=True):
    return n_in * n_out + (n_out if bias else 0)""",
                """def conv1d_as_matrix(w, n):
    w = np.asarray(w)
    k = len(w)
    if w.ndim != 1 or k == 0 or k > n:
        raise ValueError("bad kernel")
    M = np.zeros((n - k + 1, n), dtype=w.dtype)
    for i in range(n - k + 1):
        M[i, i : i + k] = w[::-1]
    return M""",
            ),
        ],
        loses=["test_conv1d_as_matrix"],
        feedback="the kernel is flipped",
    ),
    dict(
        cell="conv1d_as_matrix",
        name="off by one: n - k rows",
        base="kernel flipped (true convolution instead of cross-correlation)",
        replace=[
            (
                """    M = np.zeros((n - k + 1, n), dtype=w.dtype)
    for i in range(n - k + 1):
        M[i, i : i + k] = w[::-1]""",
                """    M = np.zeros((n - k, n), dtype=w.dtype)
    for i in range(n - k):
        M[i, i : i + k] = w""",
            ),
        ],
        loses=["test_conv1d_as_matrix"],
        feedback="off by one: n - k rows",
    ),
    dict(
        cell="conv1d_as_matrix",
        name="transposed: one row per input, one column per output",
        base="kernel flipped (true convolution instead of cross-correlation)",
        replace=[
            (
                "    M = np.zeros((n - k + 1, n), dtype=w.dtype)",
                "    M = np.zeros((n, n - k + 1), dtype=w.dtype)",
            ),
            (
                "        M[i, i : i + k] = w[::-1]",
                "        M[i : i + k, i] = w",
            ),
        ],
        loses=["test_conv1d_as_matrix"],
        feedback="transposed",
    ),
    dict(
        cell="conv1d_as_matrix",
        name="rows shifted the wrong way with np.roll (the kernel wraps around)",
        base="kernel flipped (true convolution instead of cross-correlation)",
        replace=[
            (
                """    M = np.zeros((n - k + 1, n), dtype=w.dtype)
    for i in range(n - k + 1):
        M[i, i : i + k] = w[::-1]
    return M""",
                """    first = np.zeros(n, dtype=w.dtype)
    first[:k] = w
    return np.array([np.roll(first, -i) for i in range(n - k + 1)])""",
            ),
        ],
        loses=["test_conv1d_as_matrix"],
        feedback="shifted the wrong way",
    ),
    dict(
        cell="conv1d_as_matrix",
        name="always a float matrix (an integer kernel loses its dtype)",
        base="kernel flipped (true convolution instead of cross-correlation)",
        replace=[
            (
                """    if w.ndim != 1 or k == 0 or k > n:
        raise ValueError("bad kernel")
    M = np.zeros((n - k + 1, n), dtype=w.dtype)""",
                """    if w.ndim != 1 or k == 0 or k > n or n < 1 or int(n) != n or isinstance(n, float):
        raise ValueError("bad kernel or length")
    M = np.zeros((n - k + 1, n))""",
            ),
            (
                "        M[i, i : i + k] = w[::-1]",
                "        M[i, i : i + k] = w",
            ),
        ],
        loses=["test_conv1d_as_matrix"],
        feedback="dtype",
    ),
    # receptive_field ------------------------------------------------------------------------------
    dict(
        cell="receptive_field",
        name="stride ignored: r grows by k - 1 per layer",
        base="no input validation (a layer with 0 inputs gets 10 parameters)",
        replace=[
            (
                """def dense_params(n_in, n_out, bias=True):
    return n_in * n_out + (n_out if bias else 0)""",
                """def receptive_field(layers):
    r = 1
    for kind, k, s in layers:
        if kind not in ("conv", "pool") or k < 1 or s < 1:
            raise ValueError(f"bad layer {(kind, k, s)}")
        r += k - 1
    return r""",
            ),
        ],
        loses=["test_receptive_field"],
        feedback="the stride was ignored",
    ),
    dict(
        cell="receptive_field",
        name="adding k instead of k - 1",
        base="stride ignored: r grows by k - 1 per layer",
        replace=[
            (
                "    r = 1",
                "    r, jump = 1, 1",
            ),
            (
                "        r += k - 1",
                """        r += k * jump
        jump *= s""",
            ),
        ],
        loses=["test_receptive_field"],
        feedback="adding k instead of k - 1",
    ),
    dict(
        cell="receptive_field",
        name="jump multiplied by the stride before it is used",
        base="stride ignored: r grows by k - 1 per layer",
        replace=[
            (
                "    r = 1",
                "    r, jump = 1, 1",
            ),
            (
                "        r += k - 1",
                """        jump *= s
        r += (k - 1) * jump""",
            ),
        ],
        loses=["test_receptive_field"],
        feedback="the jump was updated before",
    ),
    dict(
        cell="receptive_field",
        name="no validation: an unknown layer kind is silently accepted",
        base="adding k instead of k - 1",
        replace=[
            (
                """        if kind not in ("conv", "pool") or k < 1 or s < 1:
            raise ValueError(f"bad layer {(kind, k, s)}")
        r += k * jump""",
                "        r += (k - 1) * jump",
            ),
        ],
        loses=["test_receptive_field"],
        feedback="should raise ValueError",
    ),
]
