"""Plausible wrong answers for 08-localization (see README.md in this folder)."""


def _unfreeze(
    number: str = "int(match.group(1))",
    top: str = "set(blocks[len(blocks) - n_blocks:]) if n_blocks else set()",
    flags: str = "in_top and not isinstance(layer, layers.BatchNormalization)",
    count: str = "sum(int(np.prod(w.shape)) for w in backbone.trainable_weights)",
    outer: str = "backbone.trainable = True",
) -> str:
    return f"""
def unfreeze_top_blocks(backbone, n_blocks):
    numbers = {{}}
    for layer in backbone.layers:
        match = re.match(r"block(\\d+)_", layer.name)
        if match:
            numbers[layer.name] = {number}
    blocks = sorted(set(numbers.values()))
    if not blocks:
        raise ValueError("the backbone has no blocks")
    if not isinstance(n_blocks, int) or not 0 <= n_blocks <= len(blocks):
        raise ValueError("n_blocks must be an integer from 0 to the number of blocks")
    top = {top}
    {outer}
    for layer in backbone.layers:
        in_top = numbers.get(layer.name) in top
        layer.trainable = {flags}
    trainable = {count}
    return trainable, backbone.count_params()
"""


MISTAKES = [
    # convert_boxes --------------------------------------------------------------------------------
    dict(
        cell="convert_boxes",
        name="width computed as x_max - x_min + 1 (inclusive pixel counting)",
        code="""
def corners_to_centre(boxes):
    boxes = np.asarray(boxes, dtype=float)
    if boxes.shape[-1] != 4:
        raise ValueError("need 4 numbers per box")
    x1, y1, x2, y2 = boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 3]
    return np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1 + 1, y2 - y1 + 1], axis=-1)


def centre_to_corners(boxes):
    boxes = np.asarray(boxes, dtype=float)
    if boxes.shape[-1] != 4:
        raise ValueError("need 4 numbers per box")
    cx, cy, w, h = boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 3]
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1)
""",
        loses=["test_convert_boxes"],
        feedback="width computed as x_max - x_min + 1",
    ),
    dict(
        cell="convert_boxes",
        name="x and y swapped: (cy, cx, h, w)",
        base="width computed as x_max - x_min + 1 (inclusive pixel counting)",
        replace=[
            (
                """    x1, y1, x2, y2 = boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 3]
    return np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1 + 1, y2 - y1 + 1], axis=-1)""",
                """    y1, x1, y2, x2 = boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 3]
    return np.stack([(y1 + y2) / 2, (x1 + x2) / 2, y2 - y1, x2 - x1], axis=-1)""",
            ),
            (
                "    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1)",
                "    return np.stack([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2], axis=-1)",
            ),
        ],
        loses=["test_convert_boxes"],
        feedback="x and y swapped",
    ),
    dict(
        cell="convert_boxes",
        name="centre/size confusion: corners a whole width from the centre",
        base="width computed as x_max - x_min + 1 (inclusive pixel counting)",
        replace=[
            (
                "    return np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1 + 1, y2 - y1 + 1], axis=-1)",
                "    return np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], axis=-1)",
            ),
            (
                "    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1)",
                "    return np.stack([cx - w, cy - h, cx + w, cy + h], axis=-1)",
            ),
        ],
        loses=["test_convert_boxes"],
        feedback="half a width from the centre",
    ),
    dict(
        cell="convert_boxes",
        name="centre/size confusion: corner returned as the centre",
        base="width computed as x_max - x_min + 1 (inclusive pixel counting)",
        replace=[
            (
                "    return np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1 + 1, y2 - y1 + 1], axis=-1)",
                "    return np.stack([x1, y1, x2 - x1, y2 - y1], axis=-1)",
            ),
        ],
        loses=["test_convert_boxes"],
        feedback="centre/size confusion",
    ),
    # normalise_boxes ------------------------------------------------------------------------------
    dict(
        cell="normalise_boxes",
        name="x and y swapped: x divided by the height",
        code="""
def normalise_boxes(boxes, height, width):
    if height <= 0 or width <= 0:
        raise ValueError("height and width must be positive")
    return np.asarray(boxes, dtype=float) / np.array([height, width, height, width])


def pixel_boxes(boxes, height, width):
    if height <= 0 or width <= 0:
        raise ValueError("height and width must be positive")
    return np.asarray(boxes, dtype=float) * np.array([width, height, width, height])
""",
        loses=["test_normalise_boxes"],
        feedback="x and y swapped",
    ),
    dict(
        cell="normalise_boxes",
        name="divided by width - 1 and height - 1",
        base="x and y swapped: x divided by the height",
        replace=[
            (
                "    return np.asarray(boxes, dtype=float) / np.array([height, width, height, width])",
                "    return np.asarray(boxes, dtype=float) / np.array([width - 1, height - 1, width - 1, height - 1])",
            ),
        ],
        loses=["test_normalise_boxes"],
        feedback="divided by width - 1",
    ),
    dict(
        cell="normalise_boxes",
        name="no check of the image size: height 0 gives inf",
        base="x and y swapped: x divided by the height",
        replace=[
            (
                """    if height <= 0 or width <= 0:
        raise ValueError("height and width must be positive")
    return np.asarray(boxes, dtype=float) / np.array([height, width, height, width])""",
                "    return np.asarray(boxes, dtype=float) / np.array([width, height, width, height])",
            ),
        ],
        loses=["test_normalise_boxes"],
        feedback="should raise ValueError",
    ),
    # iou ------------------------------------------------------------------------------------------
    dict(
        cell="iou",
        name="union does not subtract the intersection",
        code="""
def iou(boxes_a, boxes_b):
    a = np.asarray(boxes_a, dtype=float)
    b = np.asarray(boxes_b, dtype=float)
    if a.shape[-1] != 4 or b.shape[-1] != 4:
        raise ValueError("need 4 numbers per box")
    if (a[..., 2] < a[..., 0]).any() or (a[..., 3] < a[..., 1]).any():
        raise ValueError("boxes_a are not corners")
    if (b[..., 2] < b[..., 0]).any() or (b[..., 3] < b[..., 1]).any():
        raise ValueError("boxes_b are not corners")
    np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    w = np.maximum(0, np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]))
    h = np.maximum(0, np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]))
    inter = w * h
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    union = area_a + area_b
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)
""",
        loses=["test_iou"],
        feedback="does not subtract the intersection",
    ),
    dict(
        cell="iou",
        name="missing clamp at 0: disjoint boxes get a negative overlap",
        base="union does not subtract the intersection",
        replace=[
            (
                """    w = np.maximum(0, np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]))
    h = np.maximum(0, np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]))""",
                """    w = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    h = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])""",
            ),
            (
                "    union = area_a + area_b",
                "    union = area_a + area_b - inter",
            ),
        ],
        loses=["test_iou"],
        feedback="missing clamp at 0",
    ),
    dict(
        cell="iou",
        name="zero-area boxes: 0 / 0 gives nan",
        base="union does not subtract the intersection",
        replace=[
            (
                """    union = area_a + area_b
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)""",
                """    union = area_a + area_b - inter
    return inter / union""",
            ),
        ],
        loses=["test_iou"],
        feedback="division by zero",
    ),
    # build_localizer ------------------------------------------------------------------------------
    dict(
        cell="build_localizer",
        name="box head with softmax",
        code="""
def build_localizer(backbone, n_classes, learning_rate=1e-3):
    if not isinstance(n_classes, int) or n_classes < 2:
        raise ValueError("n_classes must be an integer >= 2")
    if len(backbone.output.shape) != 4:
        raise ValueError("the backbone must output feature maps")
    x = layers.GlobalAveragePooling2D()(backbone.output)
    class_output = layers.Dense(n_classes, activation="softmax", name="class")(x)
    box_output = layers.Dense(4, activation="softmax", name="box")(x)
    model = keras.Model(backbone.input, [class_output, box_output])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss={"class": "sparse_categorical_crossentropy", "box": "mse"}, loss_weights={"class": 0.8, "box": 0.2}, metrics={"class": "accuracy", "box": "mae"})
    return model
""",
        loses=["test_build_localizer"],
        feedback="box head with softmax",
    ),
    dict(
        cell="build_localizer",
        name="loss weights swapped (0.2 for the class, 0.8 for the box)",
        base="box head with softmax",
        replace=[
            (
                '    box_output = layers.Dense(4, activation="softmax", name="box")(x)',
                '    box_output = layers.Dense(4, activation="sigmoid", name="box")(x)',
            ),
            (
                '    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss={"class": "sparse_categorical_crossentropy", "box": "mse"}, loss_weights={"class": 0.8, "box": 0.2}, metrics={"class": "accuracy", "box": "mae"})',
                '    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss={"class": "sparse_categorical_crossentropy", "box": "mse"}, loss_weights={"class": 0.2, "box": 0.8}, metrics={"class": "accuracy", "box": "mae"})',
            ),
        ],
        loses=["test_build_localizer"],
        feedback="loss weights swapped",
    ),
    dict(
        cell="build_localizer",
        name="accuracy on both heads (the lecture's metrics, made to fit Keras 3)",
        base="loss weights swapped (0.2 for the class, 0.8 for the box)",
        replace=[
            (
                '    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss={"class": "sparse_categorical_crossentropy", "box": "mse"}, loss_weights={"class": 0.2, "box": 0.8}, metrics={"class": "accuracy", "box": "mae"})',
                '    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss={"class": "sparse_categorical_crossentropy", "box": "mse"}, loss_weights={"class": 0.8, "box": 0.2}, metrics=["accuracy", "accuracy"])',
            ),
        ],
        loses=["test_build_localizer"],
        feedback="accuracy on the box head",
    ),
    dict(
        cell="build_localizer",
        name="Flatten instead of global average pooling",
        base="box head with softmax",
        replace=[
            (
                "    x = layers.GlobalAveragePooling2D()(backbone.output)",
                "    x = layers.Flatten()(backbone.output)",
            ),
            (
                '    box_output = layers.Dense(4, activation="softmax", name="box")(x)',
                '    box_output = layers.Dense(4, activation="sigmoid", name="box")(x)',
            ),
        ],
        loses=["test_build_localizer"],
        feedback="Flatten instead of GlobalAveragePooling2D",
    ),
    dict(
        cell="build_localizer",
        name="linear box head (the lecture's Dense(4) without an activation)",
        base="box head with softmax",
        replace=[
            (
                '    box_output = layers.Dense(4, activation="softmax", name="box")(x)',
                '    box_output = layers.Dense(4, name="box")(x)',
            ),
        ],
        loses=["test_build_localizer"],
        feedback="no activation on the box head",
    ),
    # evaluate_localizer ---------------------------------------------------------------------------
    dict(
        cell="evaluate_localizer",
        name="accuracy computed on the box head",
        code="""
def evaluate_localizer(model, images, labels, boxes, batch_size=64):
    labels = np.asarray(labels)
    boxes = np.asarray(boxes, dtype=float)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError("boxes must be (N, 4)")
    if not len(images) == len(labels) == len(boxes):
        raise ValueError("one label and one box per image")
    probabilities, predicted = model.predict(images, batch_size=batch_size, verbose=0)
    accuracy = float(np.mean(np.argmax(predicted, axis=1) == labels))
    ious = iou(centre_to_corners(predicted), centre_to_corners(boxes))
    return {"accuracy": accuracy, "iou": ious, "mean_iou": float(np.mean(ious))}
""",
        loses=["test_evaluate_localizer"],
        feedback="accuracy computed on the box head",
    ),
    dict(
        cell="evaluate_localizer",
        name="IoU of centre/size boxes, not converted to corners",
        base="accuracy computed on the box head",
        replace=[
            (
                """    accuracy = float(np.mean(np.argmax(predicted, axis=1) == labels))
    ious = iou(centre_to_corners(predicted), centre_to_corners(boxes))""",
                """    accuracy = float(np.mean(np.argmax(probabilities, axis=1) == labels))
    ious = iou(predicted, boxes)""",
            ),
        ],
        loses=["test_evaluate_localizer"],
        feedback="centre_to_corners",
    ),
    dict(
        cell="evaluate_localizer",
        name="IoU of every predicted box with every true box",
        base="IoU of centre/size boxes, not converted to corners",
        replace=[
            (
                "    ious = iou(predicted, boxes)",
                """    pairs = iou(centre_to_corners(predicted)[:, None], centre_to_corners(boxes)[None])
    ious = pairs.mean(axis=1)""",
            ),
        ],
        loses=["test_evaluate_localizer"],
        feedback="compare each image's boxes only",
    ),
    dict(
        cell="unfreeze_top_blocks",
        name="unfreezes the bottom blocks instead of the top ones",
        code=_unfreeze(top="set(blocks[:n_blocks])"),
        loses=["test_unfreeze_top_blocks"],
        feedback="the wrong end",
    ),
    dict(
        cell="unfreeze_top_blocks",
        name="BatchNormalization layers of the top blocks unfrozen too",
        code=_unfreeze(flags="in_top"),
        loses=["test_unfreeze_top_blocks"],
        feedback="BatchNormalization layers unfrozen",
    ),
    dict(
        cell="unfreeze_top_blocks",
        name="counts weight tensors instead of parameters",
        code=_unfreeze(count="len(backbone.trainable_weights)"),
        loses=["test_unfreeze_top_blocks"],
        feedback="weight tensors",
    ),
    dict(
        cell="unfreeze_top_blocks",
        name="freezes the backbone's own flag, which freezes every layer inside it",
        code=_unfreeze(outer="backbone.trainable = False"),
        loses=["test_unfreeze_top_blocks"],
        feedback="backbone.trainable = False",
    ),
    dict(
        cell="unfreeze_top_blocks",
        name="block numbers compared as strings (block10 before block2)",
        code=_unfreeze(number="match.group(1)"),
        loses=["test_unfreeze_top_blocks"],
        feedback="as strings",
    ),
]
