"""Lesson 08 (localization): test helpers, test backbones and the transfer-learning figure.

Nothing here solves an exercise. The checks compare a student's result with values they
compute from the layers themselves (which layers the exercise's rule names), and name the
plausible mistakes by the values those mistakes would give.

Imports Keras lazily, so importing this module is cheap; call it after the notebook's setup
cell has configured TensorFlow's logging.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from cnncourse import checks

_BLOCK = re.compile(r"block(\d+)_")


# --- Exercise 3: IoU ------------------------------------------------------------------------


def iou_mistakes(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """What two known IoU mistakes give for the corner boxes ``a`` and ``b`` (each ``(4,)``)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    area_a, area_b = np.prod(a[2:] - a[:2]), np.prod(b[2:] - b[:2])
    side_w = min(a[2], b[2]) - max(a[0], b[0])
    side_h = min(a[3], b[3]) - max(a[1], b[1])
    return {
        "the union does not subtract the intersection (it is counted twice)": (
            max(side_w, 0) * max(side_h, 0) / (area_a + area_b)
        ),
        "missing clamp at 0: disjoint boxes have a negative overlap width or height; clamp "
        "each side with max(0, ...) before multiplying": (
            side_w * side_h / (area_a + area_b - side_w * side_h)
        ),
    }


# --- Exercise 4: inspecting a two-headed model ---------------------------------------------


def tiny_backbone(input_shape: tuple[int, int, int] = (32, 32, 3), filters: int = 8) -> Any:
    """A one-convolution stand-in backbone: images -> ``(h, w, filters)`` feature maps."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu")(inputs)
    return keras.Model(inputs, x, name="tiny_backbone")


def head(model: Any, name: str) -> Any:
    """The layer called ``name``, or a failure that says which layers there are."""
    names = [layer.name for layer in model.layers]
    if name not in names:
        raise AssertionError(
            f"The model has no layer named {name!r}; its layers are {names}.\n"
            f"Hint: name the heads, e.g. layers.Dense(..., name={name!r})."
        )
    return model.get_layer(name)


def activation_name(layer: Any) -> str:
    """``'softmax'``, ``'sigmoid'``, ``'linear'``, ... of a Dense layer."""
    return getattr(layer.activation, "__name__", str(layer.activation))


def check_heads(model: Any, n_classes: int, backbone: Any) -> None:
    """Outputs, heads, activations and parameter count of a two-headed model."""
    import keras

    checks.check_type("build_localizer(...)", model, keras.Model)
    outputs = [tuple(o.shape[1:]) for o in model.outputs]
    checks.check_equal(
        "the output shapes (without the batch axis)",
        outputs,
        [(n_classes,), (4,)],
        hint="Two outputs, in this order: the class head, then the box head.",
        likely={"the heads are in the wrong order: class first, then box": [(4,), (n_classes,)]},
    )
    classes, boxes = head(model, "class"), head(model, "box")
    checks.check_equal(
        "the activation of the 'class' head",
        activation_name(classes),
        "softmax",
        hint="The class head outputs probabilities over the classes.",
    )
    checks.check_equal(
        "the activation of the 'box' head",
        activation_name(boxes),
        "sigmoid",
        hint="The box targets are 4 independent numbers in [0, 1]: one sigmoid each.",
        likely={
            "box head with softmax: softmax forces the 4 coordinates to sum to 1, they "
            "cannot all be right; use sigmoid": "softmax",
            "no activation on the box head: this lesson uses a sigmoid so boxes stay in "
            "[0, 1]": "linear",
        },
    )
    features = backbone.output.shape[-1]
    expected = backbone.count_params() + (features + 1) * n_classes + (features + 1) * 4
    flatten = backbone.output.shape[1] * backbone.output.shape[2] * features
    checks.check_equal(
        "model.count_params()",
        model.count_params(),
        expected,
        hint="Backbone + pooling (no parameters) + two Dense heads on the pooled vector.",
        likely={
            "Flatten instead of GlobalAveragePooling2D: the heads see every position's "
            "features": backbone.count_params() + (flatten + 1) * (n_classes + 4)
        },
    )
    kinds = [type(layer).__name__ for layer in model.layers]
    assert "GlobalAveragePooling2D" in kinds, (
        f"The model has no GlobalAveragePooling2D layer; its layers are {kinds}."
    )


def check_compiled(model: Any, n_classes: int, seed: int = 0) -> None:
    """Loss weights, losses and metrics, measured by evaluating the model on a tiny batch."""
    if getattr(model, "optimizer", None) is None or not getattr(model, "compiled", True):
        raise AssertionError(
            "The model is not compiled.\nHint: call model.compile(...) before returning it."
        )
    rng = np.random.default_rng(seed)
    shape = tuple(model.inputs[0].shape[1:])
    x = rng.uniform(0, 1, size=(8, *shape)).astype("float32")
    y_class = rng.integers(0, n_classes, size=8)
    y_box = rng.uniform(0, 1, size=(8, 4)).astype("float32")
    results = model.evaluate(x, (y_class, y_box), verbose=0, return_dict=True)
    names = sorted(results)
    p_class, p_box = (np.asarray(p) for p in model.predict(x, verbose=0))
    for wanted in ("loss", "class_loss", "box_loss"):
        assert wanted in results, (
            f"model.evaluate reports {names}, no {wanted!r}.\nHint: name the output layers "
            "'class' and 'box' and give both a loss."
        )
    cross_entropy = -np.mean(np.log(np.clip(p_class[np.arange(8), y_class], 1e-7, 1)))
    mse = np.mean((p_box - y_box) ** 2)
    checks.check_close(
        "the class loss",
        results["class_loss"],
        cross_entropy,
        rtol=1e-3,
        atol=1e-4,
        hint="The class head's loss is sparse categorical cross-entropy.",
    )
    checks.check_close(
        "the box loss",
        results["box_loss"],
        mse,
        rtol=1e-3,
        atol=1e-5,
        hint="The box head's loss is the mean squared error ('mse').",
        likely={"the box loss is the mean absolute error, not mse": np.mean(np.abs(p_box - y_box))},
    )
    checks.check_close(
        "the total loss",
        results["loss"],
        0.8 * results["class_loss"] + 0.2 * results["box_loss"],
        rtol=1e-3,
        atol=1e-5,
        hint="loss_weights={'class': 0.8, 'box': 0.2}.",
        likely={
            "loss weights swapped: the class loss gets 0.8, the box loss 0.2": 0.2
            * results["class_loss"]
            + 0.8 * results["box_loss"],
            "no loss weights: the two losses are simply added": results["class_loss"]
            + results["box_loss"],
        },
    )
    assert "box_accuracy" not in results, (
        f"model.evaluate reports {names}.\nLikely cause: accuracy on the box head: accuracy "
        "means nothing for four real numbers; use metrics={'class': 'accuracy', 'box': 'mae'}."
    )
    for wanted in ("class_accuracy", "box_mae"):
        assert wanted in results, (
            f"model.evaluate reports {names}, no {wanted!r}.\n"
            "Hint: metrics={'class': 'accuracy', 'box': 'mae'}."
        )


# --- Exercise 5: a stand-in model ------------------------------------------------------------


class FixedPredictions:
    """Answers ``model.predict(images)`` with fixed (class probabilities, boxes), one row each."""

    def __init__(self, probabilities: Any, boxes: Any) -> None:
        self.probabilities = np.asarray(probabilities, dtype="float32")
        self.boxes = np.asarray(boxes, dtype="float32")
        self.calls = 0

    def predict(self, images: Any, batch_size: int | None = None, verbose: int = 0, **_: Any):
        """The first ``len(images)`` rows of the fixed predictions; counts the calls."""
        self.calls += 1
        n = len(images)
        return [self.probabilities[:n], self.boxes[:n]]

    __call__ = predict


# --- Exercise 6: freezing blocks -------------------------------------------------------------


def block_number(name: str) -> int | None:
    """The block a layer belongs to, from its name: ``"block3_sepconv1"`` -> 3, else None."""
    match = _BLOCK.match(name)
    return int(match.group(1)) if match else None


def block_backbone(
    input_shape: tuple[int, int, int] = (16, 16, 3),
    blocks: int = 3,
    width: int = 4,
    name: str = "block_backbone",
) -> Any:
    """A small backbone named like Xception: a stem, then ``block1_`` .. ``block<blocks>_``.

    Each block is a separable convolution with batch normalization and a ReLU, a strided max
    pooling, and a 1x1 strided shortcut with its own batch normalization added back. Every
    layer is trainable when it is returned.
    """
    import keras
    from keras import layers

    if blocks < 1:
        raise ValueError(f"blocks must be at least 1, got {blocks}.")
    inputs = keras.Input(shape=input_shape, name="image")
    x = layers.Rescaling(1 / 127.5, offset=-1.0, name="rescale")(inputs)
    x = layers.Conv2D(width, 3, padding="same", use_bias=False, name="stem_conv")(x)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation("relu", name="stem_relu")(x)
    for i in range(1, blocks + 1):
        filters = width * (i + 1)
        shortcut = layers.Conv2D(filters, 1, strides=2, padding="same", name=f"block{i}_shortcut")(
            x
        )
        shortcut = layers.BatchNormalization(name=f"block{i}_shortcut_bn")(shortcut)
        x = layers.SeparableConv2D(filters, 3, padding="same", name=f"block{i}_sepconv")(x)
        x = layers.BatchNormalization(name=f"block{i}_sepconv_bn")(x)
        x = layers.Activation("relu", name=f"block{i}_relu")(x)
        x = layers.MaxPooling2D(2, padding="same", name=f"block{i}_pool")(x)
        x = layers.Add(name=f"block{i}_add")([x, shortcut])
    return keras.Model(inputs, x, name=name)


_STATISTICS = ("moving_mean", "moving_variance")


def _parameters(layers_: Sequence[Any], tensors: bool = False) -> int:
    """Trainable-by-design parameters (or tensors) of ``layers_``, as if they were unfrozen.

    Whatever the layers' flags are now (a frozen layer's variables say ``trainable=False``):
    every weight counts except batch normalization's moving statistics, which no optimizer
    ever trains.
    """
    variables = [
        v for layer in layers_ for v in layer.weights if v.name.split("/")[-1] not in _STATISTICS
    ]
    if tensors:
        return len(variables)
    return int(sum(int(np.prod(v.shape)) for v in variables))


def _is_batch_norm(layer: Any) -> bool:
    return type(layer).__name__ == "BatchNormalization"


def _layers_where(backbone: Any, keep: Callable[[Any], bool]) -> list[Any]:
    return [layer for layer in backbone.layers if keep(layer)]


def check_unfrozen(backbone: Any, result: Any, n_blocks: int) -> None:
    """Judge ``unfreeze_top_blocks(backbone, n_blocks)``'s return value and the flags it set.

    The rule: the layers of the ``n_blocks`` highest-numbered blocks are trainable, except
    ``BatchNormalization`` layers; every other layer is frozen; the result is
    ``(trainable parameters, total parameters)`` of the backbone.
    """
    numbers = sorted({n for n in map(block_number, (la.name for la in backbone.layers)) if n})
    top = set(numbers[len(numbers) - n_blocks :]) if n_blocks else set()
    bottom = set(numbers[:n_blocks])

    def in_blocks(wanted: set[int], with_bn: bool = False) -> list[Any]:
        return _layers_where(
            backbone,
            lambda la: block_number(la.name) in wanted and (with_bn or not _is_batch_norm(la)),
        )

    as_strings = set(sorted(numbers, key=str)[len(numbers) - n_blocks :]) if n_blocks else set()
    expected = _parameters(in_blocks(top))
    likely = {
        "unfroze the bottom blocks (the wrong end): the top blocks are the last ones, with "
        "the highest numbers, nearest the heads": _parameters(in_blocks(bottom)),
        "BatchNormalization layers unfrozen: keep them frozen so they stay in inference mode "
        "and keep their pretrained statistics": _parameters(in_blocks(top, with_bn=True)),
        "nothing frozen: set every layer outside the top blocks to trainable = False": (
            _parameters(backbone.layers)
        ),
        "the stem unfrozen too: only the top blocks train": _parameters(
            _layers_where(
                backbone,
                lambda la: (
                    (block_number(la.name) in top or block_number(la.name) is None)
                    and not _is_batch_norm(la)
                ),
            )
        ),
        "you counted weight tensors, not parameters: add up the sizes of the trainable "
        "weights (np.prod(w.shape))": _parameters(in_blocks(top), tensors=True),
        "block numbers compared as strings ('block10' sorts before 'block2'): compare them "
        "as integers, int(match.group(1))": _parameters(in_blocks(as_strings)),
        "everything frozen: backbone.trainable = False freezes every layer inside it, "
        "whatever their own flags; leave the backbone's own flag True": 0,
    }
    call = f"unfreeze_top_blocks(backbone, {n_blocks})"
    checks.check_type(call, result, (tuple, list))
    checks.check_equal(f"len({call})", len(result), 2, hint="Return (trainable, total).")
    trainable, total = result
    checks.check_type(f"{call}[0] (trainable)", trainable, (int, np.integer))
    checks.check_equal(
        f"{call}[1] (total)",
        int(total),
        backbone.count_params(),
        hint="The total is backbone.count_params(), frozen or not.",
    )
    hint = "Trainable parameters: sum of np.prod(w.shape) over backbone.trainable_weights."
    checks.check_equal(f"{call}[0] (trainable)", int(trainable), expected, hint, likely)
    actual = int(sum(int(np.prod(v.shape)) for v in backbone.trainable_weights))
    checks.check_equal(
        f"the trainable parameters of the backbone after {call}",
        actual,
        expected,
        hint="Set layer.trainable on the backbone's layers; the counts must describe them.",
        likely=likely,
    )
    unfrozen_bn = [la.name for la in backbone.layers if _is_batch_norm(la) and la.trainable]
    if unfrozen_bn and backbone.trainable:
        raise AssertionError(
            f"After {call} these BatchNormalization layers are trainable: {unfrozen_bn}.\n"
            "Likely cause: BatchNormalization layers unfrozen: keep them frozen so they stay in "
            "inference mode and keep their pretrained statistics."
        )


def batch_norm_statistics(backbone: Any) -> list[np.ndarray]:
    """Copies of every BatchNormalization layer's moving mean and variance, in layer order."""
    return [
        np.array(v.numpy())
        for layer in backbone.layers
        if _is_batch_norm(layer)
        for v in (layer.moving_mean, layer.moving_variance)
    ]


# --- The transfer-learning figure ------------------------------------------------------------


def plot_transfer_curves(
    curves: Mapping[str, Mapping[str, Sequence[float]]],
    unfreeze_epoch: int | None = None,
    title: str = "",
) -> Any:
    """Validation class accuracy and mean IoU per epoch, one line per run, side by side.

    Args:
        curves: run name -> ``{"accuracy": [...], "mean_iou": [...]}``, one value per epoch.
        unfreeze_epoch: epochs completed when the pretrained run unfroze its top blocks; a
            dotted line marks it.
        title: the figure's title.

    Raises:
        ValueError: no runs, or a run without both curves.
    """
    import matplotlib.pyplot as plt

    if not curves:
        raise ValueError("plot_transfer_curves needs at least one run.")
    for name, run in curves.items():
        missing = {"accuracy", "mean_iou"} - set(run)
        if missing:
            raise ValueError(f"run {name!r} lacks {sorted(missing)}; give one value per epoch.")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    for ax, key, label in zip(axes, ("accuracy", "mean_iou"), ("class accuracy", "mean IoU")):
        for name, run in curves.items():
            values = np.asarray(run[key], dtype=float)
            ax.plot(np.arange(1, len(values) + 1), values, marker="o", label=name)
        if unfreeze_epoch:
            ax.axvline(
                unfreeze_epoch + 0.5, color="grey", linestyle=":", label="top blocks unfrozen"
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"validation {label}")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
