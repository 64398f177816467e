"""Lesson 09 (segmentation): helpers for the visible test cells. No solutions live here.

Shapes to test with (:func:`disc`, :func:`box`), and checkers that explain a failure: a
NaN from 0/0 (:func:`check_no_nan`), instance labels (:func:`check_objects`), split touching
objects (:func:`check_split`), and the lecture's U-Net, layer by layer
(:func:`check_unet_structure`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cnncourse import checks


def check_no_nan(name: str, value: Any) -> None:
    """Fail when ``value`` holds a NaN, the mark of 0/0 for two empty masks."""
    if np.any(np.isnan(np.asarray(value, dtype=float))):
        raise AssertionError(
            f"{name} is nan: 0/0, a division by zero when both masks are empty. "
            "Both masks empty means the prediction is exactly right: return 1.0 there."
        )


def box(shape: tuple[int, int], rows: slice, cols: slice) -> np.ndarray:
    """A boolean mask of ``shape`` that is True on ``[rows, cols]``."""
    mask = np.zeros(shape, dtype=bool)
    mask[rows, cols] = True
    return mask


def disc(shape: tuple[int, int], cy: float, cx: float, r: float) -> np.ndarray:
    """A boolean mask of ``shape``: the disc of radius ``r`` around row ``cy``, column ``cx``."""
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2


def check_objects(name: str, labels: Any, objects: Any, hint: str = "") -> None:
    """``labels`` must give each true object (a boolean mask) one label of its own, background 0."""
    checks.check_type(
        name,
        labels,
        np.ndarray,
        hint="scipy.ndimage.label returns (labels, count): return only the labels.",
    )
    union = np.any(objects, axis=0)
    checks.check_shape(name, labels, union.shape)
    labels = np.asarray(labels)  # a plain array: a subclass's own comparisons do not count
    if (labels[~union] != 0).any():
        raise AssertionError(
            f"{name} labels {int((labels[~union] != 0).sum())} background "
            "pixels; the background must stay 0."
        )
    found = sorted(int(v) for v in np.unique(labels[union]))
    if 0 in found:
        raise AssertionError(f"{name} leaves {int((labels[union] == 0).sum())} object pixels at 0.")
    per_object = [np.unique(labels[obj]) for obj in objects]
    if len(found) > len(objects):
        causes = (
            "\nLikely cause: 4-connectivity: pixels that touch only at a corner were "
            "split; use 8-connectivity (connectivity=2, or structure=np.ones((3, 3)))"
        )
        raise AssertionError(f"{name} finds {len(found)} objects, expected {len(objects)}.{causes}")
    split = [k for k, v in enumerate(per_object) if len(v) > 1]
    shared = len({tuple(v) for v in per_object}) < len(objects)
    if split or shared:
        cause = (
            "every object has label 1: number the components 1, 2, ..., k"
            if found == [1]
            else "objects merged or split"
        )
        raise AssertionError(
            f"{name} does not give each object its own label.\n"
            f"Likely cause: {cause}" + (f"\nHint: {hint}" if hint else "")
        )
    checks.check_equal(
        f"the labels used by {name}",
        found,
        list(range(1, len(objects) + 1)),
        hint="Number the objects 1, 2, ..., k without gaps.",
    )


def check_split(name: str, labels: Any, discs: Any, hint: str = "") -> None:
    """Each true disc must be matched by one label covering it (IoU > 0.8)."""
    checks.check_type(name, labels, np.ndarray)
    mask = np.any(discs, axis=0) if len(discs) else np.zeros(labels.shape, bool)
    checks.check_shape(name, labels, mask.shape)
    labels = np.asarray(labels)  # a plain array: a subclass's own comparisons do not count
    if (labels[~mask] != 0).any():
        raise AssertionError(
            f"{name} labels {int((labels[~mask] != 0).sum())} background pixels.\nLikely cause: "
            "the watershed flooded the background: pass mask=mask to watershed"
        )
    if (labels[mask] == 0).any():
        raise AssertionError(
            f"{name} leaves {int((labels[mask] == 0).sum())} object pixels unlabelled.\nLikely "
            "cause: an object got no marker; a blob at the image border loses its peak unless "
            "peak_local_max(..., exclude_border=False)"
        )
    count = len(np.unique(labels[labels > 0]))
    if count != len(discs):
        cause = (
            "no watershed split: touching objects stay one connected component"
            if count < len(discs)
            else "over-segmentation: one object got several markers"
        )
        raise AssertionError(
            f"{name} finds {count} objects, expected {len(discs)}.\n"
            f"Likely cause: {cause}" + (f"\nHint: {hint}" if hint else "")
        )
    for k, d in enumerate(discs):
        values, counts = np.unique(labels[d], return_counts=True)
        best = values[np.argmax(counts)]
        overlap = np.logical_and(labels == best, d).sum() / np.logical_or(labels == best, d).sum()
        if overlap < 0.8:
            raise AssertionError(
                f"{name}: object {k + 1} is matched by a region with IoU {overlap:.2f} < 0.8; the "
                "border between touching objects is in the wrong place.\nLikely cause: the "
                "watershed must flood the NEGATED distance map, watershed(-distance, ...)"
            )


LEVEL_FILTERS = [16, 32, 64, 128, 256, 128, 64, 32, 16]
EXPECTED_TYPES = (
    ["InputLayer", "Rescaling"]
    + ["Conv2D", "Dropout", "Conv2D", "MaxPooling2D"] * 4
    + ["Conv2D", "Dropout", "Conv2D"]
    + ["Conv2DTranspose", "Concatenate", "Conv2D", "Dropout", "Conv2D"] * 4
    + ["Conv2D"]
)
TYPE_MISTAKES = {
    "Lambda": "a Lambda layer scales the pixels: use keras.layers.Rescaling(1 / 255); Lambda "
    "layers hold Python code that Keras 3 does not load safely",
    "UpSampling2D": "UpSampling2D instead of Conv2DTranspose((2, 2), strides=(2, 2)): the "
    "expansive path must learn its upsampling",
    "Conv2D@1": "no Rescaling(1 / 255) after the input: the network would see pixel values 0-255",
    "Concatenate": "a skip connection is missing: each level of the expansive path concatenates "
    "the upsampled maps with the contracting path's output of the same size",
    "Dropout": "a Dropout is missing or misplaced: one Dropout between the two convolutions "
    "of every level",
    "Add": "Add() instead of concatenate(): the skip connection joins the maps along the "
    "channel axis",
}


def check_unet_structure(model: Any, input_shape: tuple[int, int, int] = (128, 128, 3)) -> None:
    """Check a U-Net against the lecture's table, layer by layer; fail naming the mistake."""
    import keras

    checks.check_type(
        "build_unet(...)", model, keras.Model, hint="Return keras.Model(inputs, outputs)."
    )
    types = [type(layer).__name__ for layer in model.layers]
    if types != EXPECTED_TYPES:
        i = next(
            (k for k, (a, b) in enumerate(zip(types, EXPECTED_TYPES)) if a != b),
            min(len(types), len(EXPECTED_TYPES)),
        )
        got = types[i] if i < len(types) else "the end of the model"
        want = EXPECTED_TYPES[i] if i < len(EXPECTED_TYPES) else "the end of the model"
        cause = TYPE_MISTAKES.get(got) or TYPE_MISTAKES.get(f"{got}@{i}")
        if cause is None and types.count("Concatenate") < 4:
            cause = TYPE_MISTAKES["Concatenate"]
        if cause is None and types.count("Dropout") != 9:
            cause = TYPE_MISTAKES["Dropout"]
        raise AssertionError(
            f"Layer {i} of the model is {got}, expected {want}.\n"
            f"Your layers: {' '.join(types)}\nExpected:    {' '.join(EXPECTED_TYPES)}"
            + (f"\nLikely cause: {cause}" if cause else "")
        )
    scale = model.layers[1].scale
    checks.check_close(
        "the Rescaling layer's scale",
        np.float64(scale),
        1 / 255,
        rtol=1e-6,
        likely={"Rescaling(255) multiplies; scale the pixels by 1 / 255": 255.0},
    )
    concats = [layer for layer in model.layers if type(layer).__name__ == "Concatenate"]
    for k, layer in enumerate(concats):
        if layer.axis not in (-1, 3):
            raise AssertionError(
                f"Concatenation {k + 1} joins the maps along axis {layer.axis}. Likely cause: "
                "concatenation on the wrong axis; join them along the channel axis (-1)."
            )
    convs = [layer for layer in model.layers if type(layer).__name__ == "Conv2D"]
    conv_filters = [c.filters for c in convs]
    checks.check_equal(
        "the filters of the Conv2D layers, in order",
        conv_filters,
        [f for f in LEVEL_FILTERS for _ in (0, 1)] + [1],
        likely={
            "the filters start at 32 instead of 16 (doubled everywhere)": [
                2 * f for f in LEVEL_FILTERS for _ in (0, 1)
            ]
            + [1],
            "the expansive path repeats the contracting path's filters "
            "(16, 32, ...) instead of mirroring them (128, 64, 32, 16)": [
                f for f in LEVEL_FILTERS[:5] + LEVEL_FILTERS[:4] for _ in (0, 1)
            ]
            + [1],
        },
        hint="Two convolutions per level: 16, 32, 64, 128, 256 down, then "
        "128, 64, 32, 16 up, and 1 for the output.",
    )
    dropouts = [layer for layer in model.layers if type(layer).__name__ == "Dropout"]
    rates = [round(float(layer.rate), 3) for layer in dropouts]
    checks.check_equal(
        "the Dropout rates, in order",
        rates,
        [0.1, 0.1, 0.2, 0.2, 0.3, 0.2, 0.2, 0.1, 0.1],
        hint="Contracting 0.1, 0.1, 0.2, 0.2, bottom 0.3, expansive 0.2, 0.2, 0.1, 0.1.",
        likely={
            "the dropout rates of the expansive path are reversed": [
                0.1,
                0.1,
                0.2,
                0.2,
                0.3,
                0.1,
                0.1,
                0.2,
                0.2,
            ]
        },
    )
    for k, layer in enumerate(convs[:-1]):
        where = f"Conv2D number {k + 1} ({layer.filters} filters)"
        checks.check_equal(f"{where}: kernel_size", tuple(layer.kernel_size), (3, 3))
        checks.check_equal(
            f"{where}: padding",
            layer.padding,
            "same",
            hint="'valid' padding shrinks the maps and the paths stop lining up.",
        )
        checks.check_equal(f"{where}: activation", layer.activation.__name__, "relu")
        checks.check_equal(
            f"{where}: kernel_initializer",
            type(layer.kernel_initializer).__name__,
            "HeNormal",
            hint='kernel_initializer="he_normal"',
        )
    last = convs[-1]
    checks.check_equal("the output layer's kernel_size", tuple(last.kernel_size), (1, 1))
    checks.check_equal(
        "the output layer's activation",
        last.activation.__name__,
        "sigmoid",
        likely={"softmax over a single channel is always 1.0; use sigmoid": "softmax"},
    )
    ups = [layer for layer in model.layers if type(layer).__name__ == "Conv2DTranspose"]
    for layer, f in zip(ups, [128, 64, 32, 16]):
        checks.check_equal(f"Conv2DTranspose ({f} filters expected): filters", layer.filters, f)
        checks.check_equal("Conv2DTranspose: kernel_size", tuple(layer.kernel_size), (2, 2))
        checks.check_equal("Conv2DTranspose: strides", tuple(layer.strides), (2, 2))
    pools = [layer for layer in model.layers if type(layer).__name__ == "MaxPooling2D"]
    for layer in pools:
        checks.check_equal("MaxPooling2D: pool_size", tuple(layer.pool_size), (2, 2))
    # Each skip connection joins the upsampled maps with the matching contraction output.
    skip_sources = [convs[7], convs[5], convs[3], convs[1]]
    for k, (layer, source) in enumerate(zip(concats, skip_sources)):
        producers = [t._keras_history[0] for t in layer.input]
        if (
            len(producers) != 2
            or type(producers[0]).__name__ != "Conv2DTranspose"
            or producers[1] is not source
        ):
            names = [f"{type(p).__name__}({getattr(p, 'filters', '')})" for p in producers]
            raise AssertionError(
                f"Concatenation {k + 1} joins {names}; expected [Conv2DTranspose("
                f"{source.filters}), the second Conv2D({source.filters}) of contraction level "
                f"{4 - k}]. Likely cause: a skip connection taken from the wrong place, or "
                "the two inputs in the other order (upsampled maps first)."
            )
    h, w, _ = input_shape
    checks.check_equal("the model's output shape", tuple(model.output.shape), (None, h, w, 1))
