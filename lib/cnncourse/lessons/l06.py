"""Test helpers for lesson 06 (a Keras CNN on MNIST): checks, no solutions.

They read a student's Keras model back layer by layer and compare it with the lecture's table,
or call the student's function with Keras's warnings silenced (a warning on stderr would cost
points under nbgrader).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from cnncourse import checks

# The lecture's model for 28x28x1 MNIST, as (type, filters/units/rate, kernel or pool size,
# padding, activation, output shape) per layer: the specification the tests read back.
LECTURE_ROWS = [
    ("Conv2D", 64, (7, 7), "same", "relu", (28, 28, 64)),
    ("MaxPooling2D", None, (2, 2), "valid", None, (14, 14, 64)),
    ("Conv2D", 128, (3, 3), "same", "relu", (14, 14, 128)),
    ("Conv2D", 128, (3, 3), "same", "relu", (14, 14, 128)),
    ("MaxPooling2D", None, (2, 2), "valid", None, (7, 7, 128)),
    ("Conv2D", 256, (3, 3), "same", "relu", (7, 7, 256)),
    ("Conv2D", 256, (3, 3), "same", "relu", (7, 7, 256)),
    ("MaxPooling2D", None, (2, 2), "valid", None, (3, 3, 256)),
    ("Flatten", None, None, None, None, (2304,)),
    ("Dense", 128, None, None, "relu", (128,)),
    ("Dropout", 0.5, None, None, None, (128,)),
    ("Dense", 64, None, None, "relu", (64,)),
    ("Dropout", 0.5, None, None, None, (64,)),
    ("Dense", 10, None, None, "softmax", (10,)),
]
_FIELDS = [
    "type",
    "filters/units/rate",
    "kernel or pool size",
    "padding",
    "activation",
    "output shape",
]


def quietly(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``function`` with Python warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def built(build: Callable[..., Any], **kwargs: Any) -> Any:
    """Call the student's model builder; if Keras refuses the layers, say why in plain words."""
    try:
        return quietly(build, **kwargs)
    except NotImplementedError:
        raise
    except Exception as error:
        raise AssertionError(
            f"build_lecture_model({kwargs or ''}) failed: {type(error).__name__}: {error}\n"
            "Likely cause: if your convolutions use padding='valid' (Conv2D's default), every "
            "one of them shrinks the image, and by the third block nothing is left. The "
            "lecture's DefaultConv2D sets padding='same'."
        ) from None


def layer_rows(model: Any) -> list[tuple]:
    """(type, filters/units/rate, kernel, padding, activation, output shape) for each layer."""
    rows = []
    for layer in model.layers:
        c = layer.get_config()
        size = c.get("filters", c.get("units", c.get("rate")))
        kernel = c.get("kernel_size", c.get("pool_size"))
        rows.append(
            (
                type(layer).__name__,
                size,
                kernel and tuple(kernel),
                c.get("padding"),
                c.get("activation"),
                tuple(layer.output.shape[1:]),
            )
        )
    return rows


def check_lecture_rows(model: Any) -> None:
    """Compare a model's layers, field by field, with ``LECTURE_ROWS``; name likely mistakes."""
    rows = layer_rows(model)
    types, expected_types = [r[0] for r in rows], [e[0] for e in LECTURE_ROWS]
    checks.check_equal(
        "the layer types of build_lecture_model()",
        types,
        expected_types,
        likely={
            "the Dropout layers are missing (one after each hidden Dense layer, rate 0.5)": [
                t for t in expected_types if t != "Dropout"
            ],
            "the max-pooling layers are missing": [
                t for t in expected_types if t != "MaxPooling2D"
            ],
            "Flatten is missing between the last pooling and the first Dense layer": [
                t for t in expected_types if t != "Flatten"
            ],
        },
    )
    for i, (row, exp) in enumerate(zip(rows, LECTURE_ROWS)):
        for field, got, want in zip(_FIELDS, row, exp):
            likely: dict[str, Any] = {}
            if i == 0 and field == "kernel or pool size":
                likely = {
                    "the first convolution keeps the default 3x3; the lecture's is kernel_size=7": (
                        3,
                        3,
                    )
                }
            if field == "padding":
                likely = {
                    "padding='valid': Keras's default; the lecture's DefaultConv2D uses "
                    "padding='same'": "valid"
                }
            if i == 0 and field == "output shape":
                likely = {
                    "padding='valid' in the first convolution (28 - 7 + 1 = 22); use "
                    "padding='same'": (22, 22, 64)
                }
            if field == "activation":
                likely = {
                    "no activation (linear): pass activation='relu' (or 'softmax' for the "
                    "last layer)": "linear"
                }
            checks.check_equal(f"layer {i} ({exp[0]}): {field}", got, want, likely=likely)


def probe_model(rng: Any) -> Any:
    """A small Sequential model (conv_a, pool_a, conv_b) on 6x5x1 inputs with random weights."""
    import keras

    model = keras.Sequential(
        [
            keras.Input((6, 5, 1)),
            keras.layers.Conv2D(2, 3, padding="same", activation="relu", name="conv_a"),
            keras.layers.MaxPooling2D(2, name="pool_a"),
            keras.layers.Conv2D(3, 2, name="conv_b"),
        ],
        name="probe_model",
    )
    for layer in model.layers:
        layer.set_weights([rng.normal(size=w.shape).astype("float32") for w in layer.get_weights()])
    return model
