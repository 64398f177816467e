"""Correct answers for 08-localization built differently from the master (see README.md)."""

ALTERNATIVES = [
    # convert_boxes ----------------------------------------------------------------------------
    dict(
        cell="convert_boxes",
        name="np.moveaxis to unpack the four coordinates, then np.stack",
        code="""
def _check(boxes):
    boxes = np.asarray(boxes, dtype=float)
    if np.ndim(boxes) < 1 or np.shape(boxes)[-1] != 4:
        raise ValueError(f"expected boxes with a last axis of 4, got shape {np.shape(boxes)}")
    return boxes


def corners_to_centre(boxes):
    x0, y0, x1, y1 = np.moveaxis(_check(boxes), -1, 0)
    return np.stack((0.5 * (x0 + x1), 0.5 * (y0 + y1), x1 - x0, y1 - y0), axis=-1)


def centre_to_corners(boxes):
    cx, cy, w, h = np.moveaxis(_check(boxes), -1, 0)
    return np.stack((cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h), axis=-1)
""",
    ),
    dict(
        cell="convert_boxes",
        name="corner and size pairs as slices [..., :2] and [..., 2:], np.concatenate",
        code="""
def corners_to_centre(boxes):
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.shape[-1:] != (4,):
        raise ValueError("the last axis must hold (x_min, y_min, x_max, y_max)")
    low, high = boxes[..., :2], boxes[..., 2:]
    return np.concatenate([(low + high) / 2, high - low], axis=-1)


def centre_to_corners(boxes):
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.shape[-1:] != (4,):
        raise ValueError("the last axis must hold (cx, cy, w, h)")
    centre, size = boxes[..., :2], boxes[..., 2:]
    return np.concatenate([centre - size / 2, centre + size / 2], axis=-1)
""",
    ),
    # normalise_boxes --------------------------------------------------------------------------
    dict(
        cell="normalise_boxes",
        name="strided slices [..., 0::2] and [..., 1::2] on a float copy",
        code="""
def _checked(boxes, height, width):
    boxes = np.array(boxes, dtype=float)  # a copy
    if boxes.ndim < 1 or boxes.shape[-1] != 4:
        raise ValueError(f"boxes need 4 numbers on the last axis, not shape {boxes.shape}")
    for side in (height, width):
        if isinstance(side, bool) or not isinstance(side, (int, float, np.number)) or side <= 0:
            raise ValueError(f"height and width must be positive numbers, got {side!r}")
    return boxes


def normalise_boxes(boxes, height, width):
    boxes = _checked(boxes, height, width)
    boxes[..., 0::2] /= width
    boxes[..., 1::2] /= height
    return boxes


def pixel_boxes(boxes, height, width):
    boxes = _checked(boxes, height, width)
    boxes[..., 0::2] *= width
    boxes[..., 1::2] *= height
    return boxes
""",
    ),
    dict(
        cell="normalise_boxes",
        name="one scale vector from np.tile, pixel_boxes as the inverse of normalise_boxes",
        code="""
def normalise_boxes(boxes, height, width):
    boxes = np.asarray(boxes) * 1.0
    if not boxes.shape or boxes.shape[-1] != 4:
        raise ValueError("normalise_boxes: the last axis must be 4 long")
    if not (np.isscalar(height) and np.isscalar(width)) or bool in (type(height), type(width)):
        raise ValueError("normalise_boxes: height and width must be numbers")
    if not (height > 0 and width > 0):
        raise ValueError("normalise_boxes: height and width must be positive")
    return boxes / np.tile([float(width), float(height)], 2)


def pixel_boxes(boxes, height, width):
    scale = normalise_boxes(np.ones(4), height, width)  # validates height and width
    boxes = np.asarray(boxes) * 1.0
    if not boxes.shape or boxes.shape[-1] != 4:
        raise ValueError("pixel_boxes: the last axis must be 4 long")
    return boxes / scale
""",
    ),
    # iou --------------------------------------------------------------------------------------
    dict(
        cell="iou",
        name="np.where(union > 0, inter / union, 0.0) as the text suggests (warns on 0/0)",
        emits="RuntimeWarning",
        code="""
def iou(boxes_a, boxes_b):
    a = np.asarray(boxes_a, dtype=float)
    b = np.asarray(boxes_b, dtype=float)
    for boxes in (a, b):
        if boxes.ndim == 0 or boxes.shape[-1] != 4:
            raise ValueError(f"corner boxes need a last axis of 4, got {boxes.shape}")
        if (boxes[..., 2] < boxes[..., 0]).any() or (boxes[..., 3] < boxes[..., 1]).any():
            raise ValueError("x_max < x_min or y_max < y_min: are these centre/size boxes?")
    # shapes that do not broadcast make NumPy raise a ValueError below
    w = np.maximum(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0)
    h = np.maximum(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0)
    inter = w * h
    union = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1]) + (b[..., 2] - b[..., 0]) * (
        b[..., 3] - b[..., 1]
    ) - inter
    return np.where(union > 0, inter / union, 0.0)
""",
    ),
    dict(
        cell="iou",
        name="areas from the width/height pairs, 0/0 silenced with np.errstate, then nan_to_num",
        code="""
def iou(boxes_a, boxes_b):
    a, b = np.asarray(boxes_a, dtype=np.float64), np.asarray(boxes_b, dtype=np.float64)
    if a.shape[-1:] != (4,) or b.shape[-1:] != (4,):
        raise ValueError("iou expects corner boxes (..., 4)")
    for boxes in (a, b):
        if np.any(boxes[..., 2:] < boxes[..., :2]):
            raise ValueError("a box has max < min; iou expects (x_min, y_min, x_max, y_max)")
    try:
        low = np.maximum(a[..., :2], b[..., :2])
        high = np.minimum(a[..., 2:], b[..., 2:])
    except ValueError as error:
        raise ValueError(f"shapes {a.shape} and {b.shape} do not broadcast") from error
    sides = np.clip(high - low, 0.0, None)
    inter = sides[..., 0] * sides[..., 1]
    area = lambda boxes: np.prod(boxes[..., 2:] - boxes[..., :2], axis=-1)  # noqa: E731
    union = area(a) + area(b) - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = inter / union
    return np.nan_to_num(ratio, nan=0.0)
""",
    ),
    # build_localizer --------------------------------------------------------------------------
    dict(
        cell="build_localizer",
        name="keras.layers spelled out, Adam(learning_rate=...), heads in a list",
        code="""
def build_localizer(backbone, n_classes, learning_rate=1e-3):
    if not isinstance(n_classes, (int, np.integer)) or isinstance(n_classes, bool):
        raise ValueError(f"n_classes must be an integer, got {n_classes!r}")
    if n_classes < 2:
        raise ValueError("a classifier needs at least 2 classes")
    if len(tuple(backbone.output.shape)) != 4:
        raise ValueError("the backbone must end in 4D feature maps (use include_top=False)")
    pooled = keras.layers.GlobalAveragePooling2D()(backbone.output)
    heads = [
        keras.layers.Dense(n_classes, activation="softmax", name="class")(pooled),
        keras.layers.Dense(4, activation="sigmoid", name="box")(pooled),
    ]
    model = keras.Model(inputs=backbone.input, outputs=heads)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss={"class": "sparse_categorical_crossentropy", "box": "mse"},
        loss_weights={"class": 0.8, "box": 0.2},
        metrics={"class": "accuracy", "box": "mae"},
    )
    return model
""",
    ),
    dict(
        cell="build_localizer",
        name="the settings in dicts built first, compile(**settings)",
        code="""
def build_localizer(backbone, n_classes, learning_rate=1e-3):
    if type(n_classes) is bool or not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"n_classes={n_classes!r}: need an integer >= 2")
    feature_maps = backbone.outputs[0]
    if len(tuple(feature_maps.shape)) != 4:
        raise ValueError(f"backbone output {tuple(feature_maps.shape)} is not (batch, h, w, c)")
    vector = layers.GlobalAveragePooling2D()(feature_maps)
    class_head = layers.Dense(units=n_classes, activation="softmax", name="class")
    box_head = layers.Dense(units=4, activation="sigmoid", name="box")
    model = keras.Model(backbone.input, [class_head(vector), box_head(vector)])
    settings = dict(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=dict(zip(("class", "box"), ("sparse_categorical_crossentropy", "mse"))),
        loss_weights=dict(zip(("class", "box"), (0.8, 0.2))),
        metrics=dict(zip(("class", "box"), ("accuracy", "mae"))),
    )
    model.compile(**settings)
    return model
""",
    ),
    # evaluate_localizer -----------------------------------------------------------------------
    dict(
        cell="evaluate_localizer",
        name="np.count_nonzero for the accuracy, outputs unpacked from a list",
        code="""
def evaluate_localizer(model, images, labels, boxes, batch_size=64):
    boxes = np.asarray(boxes, dtype=float)
    if boxes.ndim != 2 or boxes.shape[-1] != 4:
        raise ValueError("boxes must have shape (N, 4)")
    n = len(images)
    if len(labels) != n or len(boxes) != n:
        raise ValueError("images, labels and boxes must be equally long")
    outputs = model.predict(images, batch_size=batch_size, verbose=0)
    probabilities, predicted_boxes = outputs[0], outputs[1]
    correct = np.count_nonzero(np.argmax(probabilities, axis=-1) == np.asarray(labels))
    ious = iou(centre_to_corners(predicted_boxes), centre_to_corners(boxes))
    return {"accuracy": correct / n, "iou": ious, "mean_iou": float(ious.mean())}
""",
    ),
    dict(
        cell="evaluate_localizer",
        name="NumPy float64 results (floats too), argmax as a method",
        code="""
def evaluate_localizer(model, images, labels, boxes, batch_size=64):
    labels, boxes = np.asarray(labels), np.asarray(boxes, dtype=np.float64)
    if boxes.shape[1:] != (4,) or boxes.ndim != 2:
        raise ValueError(f"boxes: expected (N, 4), got {boxes.shape}")
    if len({len(images), len(labels), len(boxes)}) != 1:
        raise ValueError("one label and one box per image, please")
    probs, pred = model.predict(images, batch_size=batch_size, verbose=0)
    hits = np.asarray(probs).argmax(axis=1) == labels
    per_image = iou(centre_to_corners(pred), centre_to_corners(boxes))
    return dict(accuracy=np.mean(hits), iou=per_image, mean_iou=np.mean(per_image))
""",
    ),
    # unfreeze_top_blocks ----------------------------------------------------------------------
    dict(
        cell="unfreeze_top_blocks",
        name="block numbers by str.split, a threshold, parameters counted per trainable layer",
        code="""
def unfreeze_top_blocks(backbone, n_blocks):
    def number(layer):
        head = layer.name.split("_")[0]
        return int(head[5:]) if head.startswith("block") and head[5:].isdigit() else None

    found = sorted({number(layer) for layer in backbone.layers} - {None})
    if not found:
        raise ValueError("no block<i>_ layers in this backbone")
    if type(n_blocks) is not int or n_blocks < 0 or n_blocks > len(found):
        raise ValueError(f"n_blocks must be between 0 and {len(found)}")
    lowest = found[-n_blocks] if n_blocks else float("inf")
    backbone.trainable = True
    for layer in backbone.layers:
        block = number(layer)
        is_bn = isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = block is not None and block >= lowest and not is_bn
    trainable = sum(layer.count_params() for layer in backbone.layers if layer.trainable)
    return trainable, backbone.count_params()
""",
    ),
    dict(
        cell="unfreeze_top_blocks",
        name="freeze every layer first, then unfreeze the top blocks; numpy sizes",
        code="""
import re


def unfreeze_top_blocks(backbone, n_blocks):
    pattern = re.compile(r"block(\\d+)_")
    for layer in backbone.layers:
        layer.trainable = False
    blocks = {}
    for layer in backbone.layers:
        found = pattern.match(layer.name)
        if found:
            blocks.setdefault(int(found.group(1)), []).append(layer)
    if len(blocks) == 0:
        raise ValueError("backbone without blocks")
    if not isinstance(n_blocks, int) or isinstance(n_blocks, bool):
        raise ValueError("n_blocks must be an int")
    if n_blocks < 0 or n_blocks > len(blocks):
        raise ValueError("n_blocks out of range")
    for number in sorted(blocks, reverse=True)[:n_blocks]:
        for layer in blocks[number]:
            if not isinstance(layer, layers.BatchNormalization):
                layer.trainable = True
    sizes = [np.size(w.numpy()) for w in backbone.trainable_weights]
    return int(np.sum(sizes)), int(np.sum([np.size(w.numpy()) for w in backbone.weights]))
""",
    ),
]
