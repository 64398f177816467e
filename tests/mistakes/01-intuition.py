"""Plausible wrong answers for 01-intuition (see README.md in this folder)."""

MISTAKES = [
    # --- Exercise 1: dense_params -------------------------------------------------------------
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
        code="""
def dense_params(n_in, n_out, bias=True):
    if n_in < 1 or n_out < 1:
        raise ValueError("sizes must be positive")
    return n_in * n_out + (n_in if bias else 0)
""",
        loses=["test_dense_params"],
        feedback="one bias per INPUT",
    ),
    dict(
        cell="dense_params",
        name="bias=False ignored: the bias is always counted",
        code="""
def dense_params(n_in, n_out, bias=True):
    if n_in < 1 or n_out < 1:
        raise ValueError("sizes must be positive")
    return (n_in + 1) * n_out
""",
        loses=["test_dense_params"],
        feedback="bias=False was ignored",
    ),
    dict(
        cell="dense_params",
        name="no input validation (a layer with 0 inputs gets 10 parameters)",
        code="""
def dense_params(n_in, n_out, bias=True):
    return n_in * n_out + (n_out if bias else 0)
""",
        loses=["test_dense_params"],
        feedback="should raise ValueError",
    ),
    # --- Exercise 2: conv2d_params ------------------------------------------------------------
    dict(
        cell="conv2d_params",
        name="input channels ignored: a filter counted as k_h * k_w weights",
        code="""
def conv2d_params(k_h, k_w, c_in, c_out, bias=True):
    if min(k_h, k_w, c_in, c_out) < 1:
        raise ValueError("sizes must be positive")
    return k_h * k_w * c_out + (c_out if bias else 0)
""",
        loses=["test_conv2d_params"],
        feedback="c_in was ignored",
    ),
    dict(
        cell="conv2d_params",
        name="kernel area squared from k_h only (assumes a square kernel)",
        code="""
def conv2d_params(k_h, k_w, c_in, c_out, bias=True):
    if min(k_h, k_w, c_in, c_out) < 1:
        raise ValueError("sizes must be positive")
    return k_h * k_h * c_in * c_out + (c_out if bias else 0)
""",
        loses=["test_conv2d_params"],
        feedback="k_h * k_h",
    ),
    dict(
        cell="conv2d_params",
        name="bias forgotten",
        code="""
def conv2d_params(k_h, k_w, c_in, c_out, bias=True):
    if min(k_h, k_w, c_in, c_out) < 1:
        raise ValueError("sizes must be positive")
    return k_h * k_w * c_in * c_out
""",
        loses=["test_conv2d_params"],
        feedback="the bias was forgotten",
    ),
    dict(
        cell="conv2d_params",
        name="one bias per input channel instead of one per filter",
        code="""
def conv2d_params(k_h, k_w, c_in, c_out, bias=True):
    if min(k_h, k_w, c_in, c_out) < 1:
        raise ValueError("sizes must be positive")
    return k_h * k_w * c_in * c_out + (c_in if bias else 0)
""",
        loses=["test_conv2d_params"],
        feedback="one bias per INPUT channel",
    ),
    # --- Exercise 3: conv1d_as_matrix ---------------------------------------------------------
    dict(
        cell="conv1d_as_matrix",
        name="kernel flipped (true convolution instead of cross-correlation)",
        code="""
def conv1d_as_matrix(w, n):
    w = np.asarray(w)
    k = len(w)
    if w.ndim != 1 or k == 0 or k > n:
        raise ValueError("bad kernel")
    M = np.zeros((n - k + 1, n), dtype=w.dtype)
    for i in range(n - k + 1):
        M[i, i : i + k] = w[::-1]
    return M
""",
        loses=["test_conv1d_as_matrix"],
        feedback="the kernel is flipped",
    ),
    dict(
        cell="conv1d_as_matrix",
        name="off by one: n - k rows",
        code="""
def conv1d_as_matrix(w, n):
    w = np.asarray(w)
    k = len(w)
    if w.ndim != 1 or k == 0 or k > n:
        raise ValueError("bad kernel")
    M = np.zeros((n - k, n), dtype=w.dtype)
    for i in range(n - k):
        M[i, i : i + k] = w
    return M
""",
        loses=["test_conv1d_as_matrix"],
        feedback="off by one: n - k rows",
    ),
    dict(
        cell="conv1d_as_matrix",
        name="transposed: one row per input, one column per output",
        code="""
def conv1d_as_matrix(w, n):
    w = np.asarray(w)
    k = len(w)
    if w.ndim != 1 or k == 0 or k > n:
        raise ValueError("bad kernel")
    M = np.zeros((n, n - k + 1), dtype=w.dtype)
    for i in range(n - k + 1):
        M[i : i + k, i] = w
    return M
""",
        loses=["test_conv1d_as_matrix"],
        feedback="transposed",
    ),
    dict(
        cell="conv1d_as_matrix",
        name="rows shifted the wrong way with np.roll (the kernel wraps around)",
        code="""
def conv1d_as_matrix(w, n):
    w = np.asarray(w)
    k = len(w)
    if w.ndim != 1 or k == 0 or k > n:
        raise ValueError("bad kernel")
    first = np.zeros(n, dtype=w.dtype)
    first[:k] = w
    return np.array([np.roll(first, -i) for i in range(n - k + 1)])
""",
        loses=["test_conv1d_as_matrix"],
        feedback="shifted the wrong way",
    ),
    dict(
        cell="conv1d_as_matrix",
        name="always a float matrix (an integer kernel loses its dtype)",
        code="""
def conv1d_as_matrix(w, n):
    w = np.asarray(w)
    k = len(w)
    if w.ndim != 1 or k == 0 or k > n or n < 1 or int(n) != n or isinstance(n, float):
        raise ValueError("bad kernel or length")
    M = np.zeros((n - k + 1, n))
    for i in range(n - k + 1):
        M[i, i : i + k] = w
    return M
""",
        loses=["test_conv1d_as_matrix"],
        feedback="dtype",
    ),
    # --- Exercise 4: receptive_field ----------------------------------------------------------
    dict(
        cell="receptive_field",
        name="stride ignored: r grows by k - 1 per layer",
        code="""
def receptive_field(layers):
    r = 1
    for kind, k, s in layers:
        if kind not in ("conv", "pool") or k < 1 or s < 1:
            raise ValueError(f"bad layer {(kind, k, s)}")
        r += k - 1
    return r
""",
        loses=["test_receptive_field"],
        feedback="the stride was ignored",
    ),
    dict(
        cell="receptive_field",
        name="adding k instead of k - 1",
        code="""
def receptive_field(layers):
    r, jump = 1, 1
    for kind, k, s in layers:
        if kind not in ("conv", "pool") or k < 1 or s < 1:
            raise ValueError(f"bad layer {(kind, k, s)}")
        r += k * jump
        jump *= s
    return r
""",
        loses=["test_receptive_field"],
        feedback="adding k instead of k - 1",
    ),
    dict(
        cell="receptive_field",
        name="jump multiplied by the stride before it is used",
        code="""
def receptive_field(layers):
    r, jump = 1, 1
    for kind, k, s in layers:
        if kind not in ("conv", "pool") or k < 1 or s < 1:
            raise ValueError(f"bad layer {(kind, k, s)}")
        jump *= s
        r += (k - 1) * jump
    return r
""",
        loses=["test_receptive_field"],
        feedback="the jump was updated before",
    ),
    dict(
        cell="receptive_field",
        name="no validation: an unknown layer kind is silently accepted",
        code="""
def receptive_field(layers):
    r, jump = 1, 1
    for kind, k, s in layers:
        r += (k - 1) * jump
        jump *= s
    return r
""",
        loses=["test_receptive_field"],
        feedback="should raise ValueError",
    ),
]
