"""Test helpers for lesson 07 (classic architectures): checks, no solutions.

Each check takes the student's function, builds a small model with it, sets random weights and
compares the output with the same computation written with ``tf.nn`` operations, naming the
likely mistake on failure.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from cnncourse import checks


def check_inception(
    inception_module: Callable[..., Any], shape: tuple[int, int, int], filters: tuple, seed: int = 0
) -> Any:
    """Build the student's module on `shape`; compare its output with one computed by hand."""
    import keras
    import tensorflow as tf
    from keras import layers

    f1, r3, f3, r5, f5, pp = filters
    h, w, c = shape
    x_in = keras.Input(shape=shape)
    call = f"inception_module(keras.Input(shape={shape}), *{filters})"
    try:
        out = inception_module(x_in, *filters)
    except ValueError as error:
        if "concatenat" in str(error).lower():
            sizes = {m for m in re.findall(r"\(None, (\d+), (\d+), \d+\)", str(error))}
            cause = (
                "the branches' maps differ in height or width: every convolution and the pooling "
                "need stride 1 and padding='same'"
                if len(sizes) > 1
                else "wrong concatenation axis: the four branches share height and width and "
                "differ in depth, so they are stacked along the channels (axis=-1)"
            )
            raise AssertionError(
                f"{call} failed in its concatenation: {error}\nLikely cause: {cause}."
            ) from None
        raise
    depth = f1 + f3 + f5 + pp
    checks.check_equal(
        f"the output shape of {call}",
        tuple(out.shape),
        (None, h, w, depth),
        hint="Stride 1 and padding='same' everywhere keep H x W; the depths add up.",
        likely={
            "wrong concatenation axis: stack the branches along the channels (axis=-1)": (
                None,
                4 * h,
                w,
                f1,
            )
        },
    )
    module = keras.Model(x_in, out)
    convs = [layer for layer in module.layers if isinstance(layer, layers.Conv2D)]
    found = {
        (layer.kernel_size[0], int(layer.kernel.shape[2]), layer.filters): layer for layer in convs
    }
    if (3, c, f3) in found or (5, c, f5) in found:
        raise AssertionError(
            f"{call}: a 3x3 or 5x5 convolution reads the {c} input maps directly.\n"
            "Likely cause: 1x1 reduction skipped: the 3x3 and 5x5 convolutions read the output of "
            "their 1x1 reduction (f3x3_reduce, f5x5_reduce maps), not the input."
        )
    roles = {
        "1x1 branch": (1, c, f1),
        "3x3 reduction": (1, c, r3),
        "3x3 convolution": (3, r3, f3),
        "5x5 reduction": (1, c, r5),
        "5x5 convolution": (5, r5, f5),
        "pool projection": (1, c, pp),
    }
    for role, (k, c_in, c_out) in roles.items():
        if (k, c_in, c_out) not in found:
            raise AssertionError(
                f"{call}: no Conv2D for the {role} (a {k}x{k} kernel from {c_in} to {c_out} "
                "maps).\n"
                f"Your Conv2D layers: {sorted(found)} as (kernel, input maps, filters)."
            )
    checks.check_equal(f"the number of Conv2D layers in {call}", len(convs), 6)
    rng = np.random.default_rng(seed)
    weights = {}
    for role, key in roles.items():
        layer = found[key]
        kernel = rng.normal(0, 0.3, size=tuple(layer.kernel.shape)).astype("float32")
        bias = rng.normal(0, 0.3, size=(layer.filters,)).astype("float32")
        layer.set_weights([kernel, bias] if layer.use_bias else [kernel])
        weights[role] = (kernel, bias if layer.use_bias else np.zeros_like(bias))
    x = rng.normal(size=(2, *shape)).astype("float32")
    got = np.asarray(module(x, training=False))

    def conv(t, role, relu=True):
        kernel, bias = weights[role]
        y = tf.nn.conv2d(t, kernel, 1, "SAME") + bias
        return tf.nn.relu(y) if relu else y

    def reference(relu=True, reduce_relu=True, pool=tf.nn.max_pool2d, order=(0, 1, 2, 3)):
        branches = [
            conv(x, "1x1 branch", relu),
            conv(conv(x, "3x3 reduction", reduce_relu and relu), "3x3 convolution", relu),
            conv(conv(x, "5x5 reduction", reduce_relu and relu), "5x5 convolution", relu),
            conv(pool(x, 3, 1, "SAME"), "pool projection", relu),
        ]
        return np.concatenate([np.asarray(branches[i]) for i in order], axis=-1)

    likely = {
        "missing activation: every convolution of the module is followed by a ReLU": reference(
            relu=False
        ),
        "missing activation after the 1x1 reductions: they are followed by a ReLU too": reference(
            reduce_relu=False
        ),
        "pooling type swapped: the pool branch uses max pooling": reference(pool=tf.nn.avg_pool2d),
    }
    names = ["1x1", "3x3", "5x5", "pool projection"]
    for order in [
        (1, 0, 2, 3),
        (0, 2, 1, 3),
        (3, 0, 1, 2),
        (0, 1, 3, 2),
        (3, 2, 1, 0),
        (2, 1, 0, 3),
    ]:
        likely[
            f"branches concatenated in the wrong order ({', '.join(names[i] for i in order)}); "
            "the order is 1x1, 3x3, 5x5, pool projection"
        ] = reference(order=order)
    checks.check_close(
        f"the output of {call} (random weights)",
        got,
        reference(),
        rtol=1e-3,
        atol=1e-3,
        likely=likely,
    )
    return module


def check_residual_unit(
    residual_unit: Callable[..., Any],
    shape: tuple[int, int, int],
    filters: int,
    strides: int,
    seed: int = 0,
) -> Any:
    """Build the student's unit; check its shape, parameters, and output against a reference."""
    import keras
    import tensorflow as tf
    from keras import layers

    h, w, c = shape
    call = f"residual_unit(keras.Input(shape={shape}), filters={filters}, strides={strides})"
    x_in = keras.Input(shape=shape)
    try:
        out = residual_unit(x_in, filters, strides=strides)
    except ValueError as error:
        if "shape" in str(error).lower():
            raise AssertionError(
                f"{call} raised ValueError: {error}\nLikely cause: the shortcut does not match the "
                "main path: when strides > 1 or the number of maps changes, the shortcut must be a "
                "1x1 convolution (projection) with the same strides and `filters` filters."
            ) from None
        raise
    out_h, out_w = -(-h // strides), -(-w // strides)
    checks.check_equal(
        f"the output shape of {call}",
        tuple(out.shape),
        (None, out_h, out_w, filters),
        hint="Only the first 3x3 convolution (and the projection) has the stride; padding='same'.",
        likely={
            "both 3x3 convolutions strided: only the first one has the stride": (
                None,
                -(-out_h // strides),
                -(-out_w // strides),
                filters,
            )
        },
    )
    unit = keras.Model(x_in, out)
    projection = strides > 1 or c != filters
    n_bn = 3 if projection else 2
    expected = (
        9 * c * filters
        + 9 * filters * filters
        + (c * filters if projection else 0)
        + 4 * filters * n_bn
    )
    checks.check_equal(
        f"{call}: count_params()",
        unit.count_params(),
        expected,
        hint="Conv weights k*k*c_in*filters, no biases; each BatchNormalization holds 4 values "
        "per map.",
        likely={
            "projection shortcut where the identity fits: with stride 1 and an unchanged number of "
            "maps, the shortcut is x itself": expected + c * filters + 4 * filters,
            "bias kept in the convolutions: the BatchNormalization after each one makes the bias "
            "redundant (use_bias=False)": expected + filters * (n_bn),
            "batch normalization missing on the projection shortcut": expected - 4 * filters,
            "batch normalization missing": expected - 4 * filters * n_bn,
        },
    )
    convs = [layer for layer in unit.layers if isinstance(layer, layers.Conv2D)]
    norms = [layer for layer in unit.layers if isinstance(layer, layers.BatchNormalization)]
    # (kernel, input maps, filters, stride, reads the unit's input directly) of each convolution
    found = {
        (
            layer.kernel_size[0],
            int(layer.kernel.shape[2]),
            layer.filters,
            layer.strides[0],
            layer.input is x_in,
        ): layer
        for layer in convs
    }
    roles = {
        "first 3x3 convolution": (3, c, filters, strides, True),
        "second 3x3 convolution": (3, filters, filters, 1, False),
    }
    if projection:
        roles["projection"] = (1, c, filters, strides, True)
    for role, key in roles.items():
        if key not in found:
            raise AssertionError(
                f"{call}: no Conv2D for the {role} (kernel {key[0]}x{key[0]}, {key[1]} -> {key[2]} "
                f"maps, stride {key[3]}, reading {'x' if key[4] else 'the main path'}); yours are "
                f"{sorted(found)} as (kernel, in, out, stride, reads x)."
            )
    rng = np.random.default_rng(seed)
    kernels = {}
    for role, key in roles.items():
        layer = found[key]
        kernel = rng.normal(
            0, 1 / np.sqrt(key[0] ** 2 * key[1]), size=tuple(layer.kernel.shape)
        ).astype("float32")
        layer.set_weights([kernel] + [np.zeros(layer.filters, "float32")] * layer.use_bias)
        kernels[role] = kernel
    eps = norms[0].epsilon if norms else 0.0
    x = rng.normal(size=(2, *shape)).astype("float32")
    got = np.asarray(unit(x, training=False))

    def conv(t, role):
        return np.asarray(tf.nn.conv2d(t, kernels[role], roles[role][3], "SAME"))

    def bn(t):  # a fresh BatchNormalization in inference mode: (t - 0) / sqrt(1 + eps) * 1 + 0
        return t / np.sqrt(1 + eps)

    relu = lambda t: np.maximum(t, 0)  # noqa: E731
    main = bn(conv(relu(bn(conv(x, "first 3x3 convolution"))), "second 3x3 convolution"))
    shortcut = bn(conv(x, "projection")) if projection else x
    checks.check_close(
        f"the output of {call} (random weights)",
        got,
        relu(main + shortcut),
        rtol=1e-3,
        atol=1e-3,
        likely={
            "ReLU applied to the main path before the addition: add first, then apply the "
            "ReLU": relu(main) + shortcut,
            "the final ReLU is missing: apply it after the addition": main + shortcut,
            "an extra ReLU on the main path before the addition": relu(relu(main) + shortcut),
            "the shortcut is missing: add the input (or its projection) to the main path": relu(
                main
            ),
        },
    )
    return unit


def modules_called(function: Callable[..., Any], *args: Any) -> tuple[set[str], Any]:
    """The top-level packages whose Python functions ran during ``function(*args)``, and its
    result (a profile hook sees every Python call, however the package was imported)."""
    packages: set[str] = set()

    def profiler(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            name = frame.f_globals.get("__name__", "")
            packages.add(name.split(".")[0])

    previous = sys.getprofile()
    sys.setprofile(profiler)
    try:
        result = function(*args)
    finally:
        sys.setprofile(previous)
    return packages, result


def check_no_keras(name: str, function: Callable[..., Any], *args: Any) -> Any:
    """Fail when ``function(*args)`` runs any Keras or TensorFlow code; return its result."""
    packages, result = modules_called(function, *args)
    used = sorted(packages & {"keras", "tensorflow", "tf_keras"})
    if used:
        raise AssertionError(
            f"{name} ran code from {', '.join(used)}: the exercise asks for the counts from the "
            "formulas, without building a Keras model.\nLikely cause: the model was built (or "
            "layers created) and count_params() read; compute (k*k*c + 1)*f and (m + 1)*u "
            "yourself."
        )
    return result
