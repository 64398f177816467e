"""Test helpers for lesson 05 (pooling, backpropagation, a tiny CNN): checks, no solutions.

Each ``check_*`` takes the student's function, runs it, and compares the result with
TensorFlow's own layer or ``tf.GradientTape`` (computed here, never returned), naming the
likely mistake on failure. The reference values stay inside the checks, so the visible tests
do not hand out a function that would pass as an answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from cnncourse import checks


def _pair(value: Any) -> tuple[int, int]:
    """(rows, cols) from an int or a pair (the notebook's as_pair, without its validation)."""
    return (int(value), int(value)) if np.ndim(value) == 0 else (int(value[0]), int(value[1]))


def _pool(kind: str, x: np.ndarray, pool_size: Any, stride: Any = None) -> np.ndarray:
    """Keras's own pooling layer applied to x, computed in x's float type."""
    import tensorflow as tf

    layer = {"max": tf.keras.layers.MaxPooling2D, "avg": tf.keras.layers.AveragePooling2D}[kind]
    dtype = "float64" if x.dtype == np.float64 else "float32"
    pooled = layer(pool_size, strides=stride, padding="valid", dtype=dtype)(x.astype(dtype))
    return np.asarray(pooled)


def check_pool(
    kind: str,
    pool_fn: Callable[..., Any],
    x: np.ndarray,
    pool_size: Any,
    stride: Any = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    hint: str = "",
) -> None:
    """Check ``pool_fn(x, pool_size, stride)`` (kind "max" or "avg") against Keras's layer."""
    name = f"{kind}_pool2d(x, {pool_size}, {stride}) with x of shape {x.shape}"
    area = _pair(pool_size)[0] * _pair(pool_size)[1]
    other = "avg" if kind == "max" else "max"
    likely = {
        "the window moved 1 pixel, not stride pixels (stride ignored, or stride=None not "
        "read as stride = pool_size)": _pool(kind, x, pool_size, 1),
        "stride=None should mean stride = pool_size": _pool(kind, x, pool_size, pool_size),
        f"you took the {'mean' if kind == 'max' else 'maximum'}, not the "
        f"{'maximum' if kind == 'max' else 'mean'}": _pool(other, x, pool_size, stride),
    }
    if kind == "avg":
        likely = {
            "the window sum, not its mean: divide by the pool area": area
            * _pool("avg", x, pool_size, stride),
            **likely,
        }
    checks.check_close(
        name,
        pool_fn(x, pool_size, stride),
        _pool(kind, x, pool_size, stride),
        rtol=rtol,
        atol=atol,
        hint=hint
        or "Output size (H - p_h) // s_h + 1 by (W - p_w) // s_w + 1; channels pooled separately.",
        likely=likely,
    )


def _conv_grads(x, w, b, stride, dout) -> list[np.ndarray]:
    """dL/dx, dL/dw, dL/db from tf.GradientTape, for L = sum(conv(x, w) + b) * dout)."""
    import tensorflow as tf

    xv, wv, bv = tf.Variable(x), tf.Variable(w), tf.Variable(b)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum((tf.nn.conv2d(xv, wv, stride, "VALID") + bv) * dout)
    return [g.numpy() for g in tape.gradient(loss, [xv, wv, bv])]


def check_conv_backward(
    forward: Callable[..., Any],
    backward: Callable[..., Any],
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    stride: Any,
    rtol: float = 1e-7,
    atol: float = 1e-9,
) -> None:
    """Check ``backward(dout, cache)`` for ``out, cache = forward(x, w, b, stride)``."""
    rng = np.random.default_rng(x.size)
    out, cache = forward(x, w, b, stride)
    dout = rng.normal(size=out.shape).astype(out.dtype)
    got = backward(dout, cache)
    checks.check_type(
        "conv2d_backward(dout, cache)",
        got,
        (tuple, list),
        hint="Return the three gradients as a tuple (dx, dw, db).",
    )
    checks.check_equal("the number of gradients conv2d_backward returned", len(got), 3)
    dx, dw, db = got
    rdx, rdw, rdb = _conv_grads(x, w, b, stride, dout)
    flipped_dx = _conv_grads(x, w[::-1, ::-1], b, stride, dout)[0]
    if _pair(stride) != (1, 1):  # a stride-s layer differentiated as if its stride were 1
        full_shape = (x.shape[0], x.shape[1] - w.shape[0] + 1, x.shape[2] - w.shape[1] + 1)
        full = np.zeros((*full_shape, w.shape[3]), dtype=x.dtype)
        full[:, : dout.shape[1], : dout.shape[2]] = dout
        ignored = _conv_grads(x, w, b, 1, full)
    else:
        ignored = [None, None]
    what = f"for x {x.shape}, w {w.shape}, stride {stride}"
    stride_ignored = "stride ignored: slice the input with step = stride"
    checks.check_close(
        f"db {what}",
        db,
        rdb,
        rtol=rtol,
        atol=atol,
        hint="b is added at every position of every image: sum dout over axes 0, 1 and 2.",
        likely={
            "bias gradient summed over the batch only; sum over the positions too": dout.sum(
                axis=0
            ),
            "bias gradient summed over the positions only; sum over the batch too": dout.sum(
                axis=(1, 2)
            ),
            "bias gradient averaged; the bias is added, so sum": dout.mean(axis=(0, 1, 2)),
        },
    )
    dw_likely = {
        "the kernel gradient is flipped (dw[::-1, ::-1]); the forward pass has no flip, so "
        "neither has dw": rdw[::-1, ::-1]
    }
    if ignored[1] is not None:
        dw_likely[stride_ignored] = ignored[1]
    checks.check_close(
        f"dw {what}",
        dw,
        rdw,
        rtol=rtol,
        atol=atol,
        hint="dw[i, j] correlates the slice tap (i, j) saw with dout: no flip.",
        likely=dw_likely,
    )
    dx_likely = {
        "dx used the flipped kernel: with the tap loop, tap (i, j) sends its gradient back "
        "through w[i, j] itself": flipped_dx
    }
    if ignored[0] is not None:
        dx_likely[stride_ignored] = ignored[0]
    checks.check_close(
        f"dx {what}",
        dx,
        rdx,
        rtol=rtol,
        atol=atol,
        hint="Tap (i, j) sends dout @ w[i, j].T back into the strided slice it read; add with +=.",
        likely=dx_likely,
    )


def _pool_grad(kind: str, x, pool_size, stride, dout) -> np.ndarray:
    """dL/dx from tf.GradientTape for L = sum(pool(x) * dout)."""
    import tensorflow as tf

    stride = pool_size if stride is None else stride
    pool = {"max": tf.nn.max_pool2d, "avg": tf.nn.avg_pool2d}[kind]
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(pool(xv, _pair(pool_size), _pair(stride), "VALID") * dout)
    return tape.gradient(loss, xv).numpy()


def pooled_shape(x: np.ndarray, pool_size: Any, stride: Any = None) -> tuple[int, ...]:
    """Shape of the pooled output of a (N, H, W, C) batch, 'valid' padding."""
    stride = pool_size if stride is None else stride
    (ph, pw), (sh, sw) = _pair(pool_size), _pair(stride)
    return (x.shape[0], (x.shape[1] - ph) // sh + 1, (x.shape[2] - pw) // sw + 1, x.shape[3])


def check_pool_backward(
    kind: str,
    backward: Callable[..., Any],
    x: np.ndarray,
    pool_size: Any,
    stride: Any = None,
    rtol: float = 1e-7,
    atol: float = 1e-9,
) -> None:
    """Check ``backward(dout, x, pool_size, stride)`` (kind "max" or "avg") against TensorFlow."""
    shape = pooled_shape(x, pool_size, stride)
    dout = np.random.default_rng(x.size).normal(size=shape).astype(x.dtype)
    area = _pair(pool_size)[0] * _pair(pool_size)[1]
    expected = _pool_grad(kind, x, pool_size, stride, dout)
    spread = _pool_grad("avg", x, pool_size, stride, dout)
    if kind == "max":
        hint = (
            "Only the maximum of each window gets that window's dout; where windows overlap, "
            "add (+=) their gradients."
        )
        likely = {
            "gradient sent to every position of the window instead of only the maximum "
            "(the argmax)": area * spread,
            "gradient spread over the window like average-pooling instead of sent to the "
            "maximum": spread,
        }
    else:
        hint = (
            "Every pixel of a window gets dout / (p_h * p_w); where windows overlap, add (+=) "
            "their shares."
        )
        likely = {
            "the gradient was not divided by the pool area p_h * p_w": area * expected,
            "gradient sent only to the maximum, as in max-pooling": _pool_grad(
                "max", x, pool_size, stride, dout
            ),
        }
    checks.check_close(
        f"{kind}_pool2d_backward(dout, x, {pool_size}, {stride}) for x of shape {x.shape}",
        backward(dout, x, pool_size, stride),
        expected,
        rtol=rtol,
        atol=atol,
        hint=hint,
        likely=likely,
    )


def _tiny_cnn(params: dict, x, y, mask: bool = True) -> tuple[float, dict]:
    """The lesson's tiny CNN in TensorFlow: loss and gradients from tf.GradientTape.

    ``mask=False`` gives the gradients of a ReLU whose backward pass forgets its mask (to
    name that mistake).
    """
    import tensorflow as tf

    @tf.custom_gradient
    def relu_without_mask(z):
        return tf.nn.relu(z), lambda dz: dz

    relu = tf.nn.relu if mask else relu_without_mask
    variables = {name: tf.Variable(value) for name, value in params.items()}
    with tf.GradientTape() as tape:
        conv = tf.nn.conv2d(x, variables["W1"], 1, "VALID") + variables["b1"]
        pooled = tf.nn.max_pool2d(relu(conv), 2, 2, "VALID")
        scores = tf.reshape(pooled, (x.shape[0], -1)) @ variables["W2"] + variables["b2"]
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, scores))
    grads = tape.gradient(loss, variables)
    return float(loss), {name: g.numpy() for name, g in grads.items()}


def check_tiny_cnn(loss_fn: Callable[..., Any], params: dict, x, y) -> None:
    """Check ``loss_fn(params, x, y) -> (loss, grads)`` against the network in TensorFlow."""
    result = loss_fn(params, x, y)
    checks.check_type(
        "tiny_cnn_loss(params, x, y)", result, (tuple, list), hint="Return the pair (loss, grads)."
    )
    loss, grads = result
    ref_loss, ref_grads = _tiny_cnn(params, x, y)
    _, no_mask = _tiny_cnn(params, x, y, mask=False)
    n = len(x)
    what = f"for a batch of {n} images of {x.shape[1]}x{x.shape[2]}"
    checks.check_type("the loss returned by tiny_cnn_loss", loss, (float, np.floating))
    checks.check_close(
        f"the loss {what}",
        loss,
        ref_loss,
        rtol=1e-7,
        likely={"the loss is summed over the batch, not averaged": n * ref_loss},
    )
    checks.check_type("grads", grads, dict)
    checks.check_equal("the keys of grads", sorted(grads), sorted(params))
    for name in ("W2", "b2", "b1", "W1"):
        checks.check_close(
            f"grads[{name!r}] {what}",
            grads[name],
            ref_grads[name],
            rtol=1e-6,
            atol=1e-9,
            hint="dscores = (softmax - one_hot(y)) / N, then back through dense, reshape, pool, "
            "ReLU, conv.",
            likely={
                "the softmax gradient was not divided by the batch size N (the loss is a mean)": n
                * ref_grads[name],
                "the ReLU's backward pass is missing: multiply by (conv > 0)": no_mask[name],
            },
        )


def check_loss_falls(losses: list[float], steps: int) -> None:
    """Fail unless the loss fell by at least 20% over ``steps`` SGD steps."""
    if not losses[-1] < 0.8 * losses[0]:
        cause = (
            "\nLikely cause: the loss rose, so the steps go uphill (gradient ascent)"
            if losses[-1] > losses[0]
            else ""
        )
        raise AssertionError(
            f"After {steps} SGD steps the loss went from {losses[0]:.4f} to {losses[-1]:.4f}; "
            f"it should have fallen by at least 20%.{cause}"
        )
