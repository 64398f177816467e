"""Plausible wrong answers for 09-segmentation (see README.md in this folder)."""

MISTAKES = [
    # dice_coefficient -----------------------------------------------------------------------------
    dict(
        cell="dice_coefficient",
        name="Dice without the factor 2",
        code="""
def dice_coefficient(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError("shapes differ")
    if y_true.ndim == 4 and y_true.shape[-1] == 1:
        y_true, y_pred = y_true[..., 0], y_pred[..., 0]
    if y_true.ndim not in (2, 3):
        raise ValueError("not a mask")
    for y in (y_true, y_pred):
        if y.dtype != bool and not np.isin(y, (0, 1)).all():
            raise ValueError("threshold first")
    a, b = y_true.astype(bool), y_pred.astype(bool)

    inter = np.sum(a & b, axis=(-2, -1))
    total = np.sum(a, axis=(-2, -1)) + np.sum(b, axis=(-2, -1))
    dice = np.where(total == 0, 1.0, inter / np.maximum(total, 1))
    return float(dice) if dice.ndim == 0 else dice
""",
        loses=["test_dice_coefficient"],
        feedback="the factor 2 is missing",
    ),
    dict(
        cell="dice_coefficient",
        name="both masks empty: 0/0 gives nan",
        base="Dice without the factor 2",
        replace=[
            (
                """    dice = np.where(total == 0, 1.0, inter / np.maximum(total, 1))
    return float(dice) if dice.ndim == 0 else dice""",
                """    dice = 2 * inter / total
    return float(dice) if np.ndim(dice) == 0 else dice""",
            ),
        ],
        loses=["test_dice_coefficient"],
        feedback="division by zero when both masks are empty",
    ),
    dict(
        cell="dice_coefficient",
        name="one Dice for the whole batch pooled together",
        base="Dice without the factor 2",
        replace=[
            (
                """    inter = np.sum(a & b, axis=(-2, -1))
    total = np.sum(a, axis=(-2, -1)) + np.sum(b, axis=(-2, -1))
    dice = np.where(total == 0, 1.0, inter / np.maximum(total, 1))
    return float(dice) if dice.ndim == 0 else dice""",
                """    total = a.sum() + b.sum()
    return 1.0 if total == 0 else float(2 * np.sum(a & b) / total)""",
            ),
        ],
        loses=["test_dice_coefficient"],
        feedback="pooled the whole batch",
    ),
    # iou_score ------------------------------------------------------------------------------------
    dict(
        cell="iou_score",
        name="union = |A| + |B| (the overlap counted twice)",
        base="Dice without the factor 2",
        replace=[
            (
                "def dice_coefficient(y_true, y_pred):",
                "def iou_score(y_true, y_pred):",
            ),
            (
                """    total = np.sum(a, axis=(-2, -1)) + np.sum(b, axis=(-2, -1))
    dice = np.where(total == 0, 1.0, inter / np.maximum(total, 1))
    return float(dice) if dice.ndim == 0 else dice""",
                """    union = np.sum(a, axis=(-2, -1)) + np.sum(b, axis=(-2, -1))
    iou = np.where(union == 0, 1.0, inter / np.maximum(union, 1))
    return float(iou) if iou.ndim == 0 else iou""",
            ),
        ],
        loses=["test_iou_score"],
        feedback="counted the overlap twice",
    ),
    dict(
        cell="iou_score",
        name="both masks empty: 0/0 gives nan",
        base="union = |A| + |B| (the overlap counted twice)",
        replace=[
            (
                """    union = np.sum(a, axis=(-2, -1)) + np.sum(b, axis=(-2, -1))
    iou = np.where(union == 0, 1.0, inter / np.maximum(union, 1))
    return float(iou) if iou.ndim == 0 else iou""",
                """    union = np.sum(a | b, axis=(-2, -1))
    iou = inter / union
    return float(iou) if np.ndim(iou) == 0 else iou""",
            ),
        ],
        loses=["test_iou_score"],
        feedback="division by zero when both masks are empty",
    ),
    dict(
        cell="iou_score",
        name="both masks empty scored 0.0",
        base="union = |A| + |B| (the overlap counted twice)",
        replace=[
            (
                """    union = np.sum(a, axis=(-2, -1)) + np.sum(b, axis=(-2, -1))
    iou = np.where(union == 0, 1.0, inter / np.maximum(union, 1))""",
                """    union = np.sum(a | b, axis=(-2, -1))
    iou = np.where(union == 0, 0.0, inter / np.maximum(union, 1))""",
            ),
        ],
        loses=["test_iou_score"],
        feedback="not 0.0",
    ),
    # build_unet -----------------------------------------------------------------------------------
    dict(
        cell="build_unet",
        name="the slides' Lambda layer instead of Rescaling",
        code="""
def build_unet(input_shape=(128, 128, 3)):
    h, w, _ = input_shape
    if h % 16 or w % 16:
        raise ValueError("sizes must be multiples of 16")

    def two_convs(x, f, rate):
        x = keras.layers.Conv2D(f, (3, 3), activation="relu", kernel_initializer="he_normal",
                                padding="same")(x)
        x = keras.layers.Dropout(rate)(x)
        return keras.layers.Conv2D(f, (3, 3), activation="relu", kernel_initializer="he_normal",
                                   padding="same")(x)

    inputs = keras.Input(input_shape)
    x = keras.layers.Lambda(lambda t: t / 255)(inputs)
    skips = []
    for f, rate in zip((16, 32, 64, 128), (0.1, 0.1, 0.2, 0.2)):
        x = two_convs(x, f, rate)
        skips.append(x)
        x = keras.layers.MaxPooling2D((2, 2))(x)
    x = two_convs(x, 256, 0.3)
    for level, (f, rate, skip) in enumerate(zip((128, 64, 32, 16), (0.2, 0.2, 0.1, 0.1), reversed(skips))):
        x = keras.layers.Conv2DTranspose(f, (2, 2), strides=(2, 2), padding="same")(x)
        if level < 3 or True:
            x = keras.layers.concatenate([x, skip])
        x = two_convs(x, f, rate)
    outputs = keras.layers.Conv2D(1, (1, 1), activation="sigmoid")(x)
    return keras.Model(inputs, outputs)
""",
        loses=["test_build_unet"],
        feedback="Lambda layer",
    ),
    dict(
        cell="build_unet",
        name="the top skip connection is skipped",
        base="the slides' Lambda layer instead of Rescaling",
        replace=[
            (
                "    x = keras.layers.Lambda(lambda t: t / 255)(inputs)",
                "    x = keras.layers.Rescaling(1 / 255)(inputs)",
            ),
            (
                "        if level < 3 or True:",
                "        if level < 3 or False:",
            ),
        ],
        loses=["test_build_unet"],
        feedback="a skip connection is missing",
    ),
    dict(
        cell="build_unet",
        name="concatenation on the wrong axis",
        base="the slides' Lambda layer instead of Rescaling",
        replace=[
            (
                "    x = keras.layers.Lambda(lambda t: t / 255)(inputs)",
                "    x = keras.layers.Rescaling(1 / 255)(inputs)",
            ),
            (
                "            x = keras.layers.concatenate([x, skip])",
                "            x = keras.layers.concatenate([x, skip], axis=1)",
            ),
        ],
        loses=["test_build_unet"],
        feedback="concatenation on the wrong axis",
    ),
    dict(
        cell="build_unet",
        name="expansive dropouts in the contracting order (0.1, 0.1, 0.2, 0.2)",
        base="the slides' Lambda layer instead of Rescaling",
        replace=[
            (
                "    x = keras.layers.Lambda(lambda t: t / 255)(inputs)",
                "    x = keras.layers.Rescaling(1 / 255)(inputs)",
            ),
            (
                "    for level, (f, rate, skip) in enumerate(zip((128, 64, 32, 16), (0.2, 0.2, 0.1, 0.1), reversed(skips))):",
                "    for level, (f, rate, skip) in enumerate(zip((128, 64, 32, 16), (0.1, 0.1, 0.2, 0.2), reversed(skips))):",
            ),
        ],
        loses=["test_build_unet"],
        feedback="dropout rates of the expansive path are reversed",
    ),
    dict(
        cell="build_unet",
        name="filters doubled: 32 to 512",
        base="expansive dropouts in the contracting order (0.1, 0.1, 0.2, 0.2)",
        replace=[
            (
                "    for f, rate in zip((16, 32, 64, 128), (0.1, 0.1, 0.2, 0.2)):",
                "    for f, rate in zip((32, 64, 128, 256), (0.1, 0.1, 0.2, 0.2)):",
            ),
            (
                """    x = two_convs(x, 256, 0.3)
    for level, (f, rate, skip) in enumerate(zip((128, 64, 32, 16), (0.1, 0.1, 0.2, 0.2), reversed(skips))):""",
                """    x = two_convs(x, 512, 0.3)
    for level, (f, rate, skip) in enumerate(zip((256, 128, 64, 32), (0.2, 0.2, 0.1, 0.1), reversed(skips))):""",
            ),
        ],
        loses=["test_build_unet"],
        feedback="filters start at 32",
    ),
    dict(
        cell="build_unet",
        name="UpSampling2D instead of Conv2DTranspose",
        base="the slides' Lambda layer instead of Rescaling",
        replace=[
            (
                "    x = keras.layers.Lambda(lambda t: t / 255)(inputs)",
                "    x = keras.layers.Rescaling(1 / 255)(inputs)",
            ),
            (
                '        x = keras.layers.Conv2DTranspose(f, (2, 2), strides=(2, 2), padding="same")(x)',
                "        x = keras.layers.UpSampling2D((2, 2))(x)",
            ),
        ],
        loses=["test_build_unet"],
        feedback="UpSampling2D instead of Conv2DTranspose",
    ),
    # label_instances ------------------------------------------------------------------------------
    dict(
        cell="label_instances",
        name="scipy.ndimage.label's default 4-connectivity",
        code="""
def label_instances(mask):
    mask = np.asarray(mask)
    if mask.ndim != 2 or (mask.dtype != bool and not np.isin(mask, (0, 1)).all()):
        raise ValueError("need a 2-D binary mask")
    labels, count = ndimage.label(mask)
    return labels.astype(np.int32)
""",
        loses=["test_label_instances"],
        feedback="4-connectivity",
    ),
    dict(
        cell="label_instances",
        name="returns scipy's (labels, count) tuple",
        base="scipy.ndimage.label's default 4-connectivity",
        replace=[
            (
                """    labels, count = ndimage.label(mask)
    return labels.astype(np.int32)""",
                "    return ndimage.label(mask, structure=np.ones((3, 3)))",
            ),
        ],
        loses=["test_label_instances"],
        feedback="returns (labels, count)",
    ),
    dict(
        cell="label_instances",
        name="the mask itself: every object labelled 1",
        base="returns scipy's (labels, count) tuple",
        replace=[
            (
                "    return ndimage.label(mask, structure=np.ones((3, 3)))",
                "    return mask.astype(np.int32)",
            ),
        ],
        loses=["test_label_instances"],
        feedback="every object has label 1",
    ),
    # split_touching -------------------------------------------------------------------------------
    dict(
        cell="split_touching",
        name="no watershed split: connected components only",
        base="returns scipy's (labels, count) tuple",
        replace=[
            (
                "def label_instances(mask):",
                "def split_touching(mask, min_distance=5):",
            ),
            (
                "    return ndimage.label(mask, structure=np.ones((3, 3)))",
                """    if isinstance(min_distance, bool) or not isinstance(min_distance, (int, np.integer)) \\
            or min_distance < 1:
        raise ValueError("min_distance must be a positive integer")
    mask = mask.astype(bool)
    if not mask.any():
        return np.zeros(mask.shape, dtype=np.int32)
    distance = ndimage.distance_transform_edt(mask)

    return label_instances(mask)""",
            ),
        ],
        loses=["test_split_touching"],
        feedback="no watershed split",
    ),
    dict(
        cell="split_touching",
        name="watershed without mask= floods the background",
        base="no watershed split: connected components only",
        replace=[
            (
                "    return label_instances(mask)",
                """    peaks = feature.peak_local_max(distance, min_distance=min_distance,
                                   labels=label_instances(mask), exclude_border=False)
    markers = np.zeros(mask.shape, dtype=bool)
    markers[tuple(peaks.T)] = True
    return segmentation.watershed(-distance, measure.label(markers)).astype(np.int32)""",
            ),
        ],
        loses=["test_split_touching"],
        feedback="pass mask=mask",
    ),
    dict(
        cell="split_touching",
        name="peak_local_max without labels= and with its default exclude_border",
        base="no watershed split: connected components only",
        replace=[
            (
                "    return label_instances(mask)",
                """    peaks = feature.peak_local_max(distance, min_distance=min_distance)
    markers = np.zeros(mask.shape, dtype=bool)
    markers[tuple(peaks.T)] = True
    return segmentation.watershed(-distance, measure.label(markers), mask=mask).astype(np.int32)""",
            ),
        ],
        loses=["test_split_touching"],
        feedback="exclude_border=False",
    ),
    # count_objects --------------------------------------------------------------------------------
    dict(
        cell="count_objects",
        name="np.unique counts the background as an object",
        replace=[
            (
                """def count_objects(mask, split=True):
    \"\"\"Number of objects in a binary mask (touching ones split apart when split=True).\"\"\"""",
                "def count_objects(mask, split=True):",
            ),
            (
                "    return int(len(np.unique(labels[labels > 0])))",
                "    return len(np.unique(labels))",
            ),
        ],
        loses=["test_count_objects"],
        feedback="background (label 0) was counted",
    ),
    dict(
        cell="count_objects",
        name="split ignored: connected components counted",
        base="np.unique counts the background as an object",
        replace=[
            (
                """    labels = split_touching(mask) if split else label_instances(mask)
    return len(np.unique(labels))""",
                "    return int(label_instances(mask).max())",
            ),
        ],
        loses=["test_count_objects"],
        feedback="no watershed split",
    ),
    dict(
        cell="soft_dice_loss",
        name="one loss for the whole batch pooled together",
        code="""
def soft_dice_loss(y_true, y_pred, smooth=1.0):
    y_true = keras.ops.cast(y_true, "float32")
    y_pred = keras.ops.cast(y_pred, "float32")
    overlap = keras.ops.sum(y_true * y_pred)
    return 1.0 - (2.0 * overlap + smooth) / (keras.ops.sum(y_true) + keras.ops.sum(y_pred) + smooth)
""",
        loses=["test_soft_dice_loss"],
        feedback="One loss per image",
    ),
    dict(
        cell="soft_dice_loss",
        name="no smoothing term: 0/0 for an empty image predicted empty",
        code="""
def soft_dice_loss(y_true, y_pred, smooth=1.0):
    y_true = keras.ops.cast(y_true, "float32")
    y_pred = keras.ops.cast(y_pred, "float32")
    overlap = keras.ops.sum(y_true * y_pred, axis=(1, 2, 3))
    total = keras.ops.sum(y_true, axis=(1, 2, 3)) + keras.ops.sum(y_pred, axis=(1, 2, 3))
    return 1.0 - 2.0 * overlap / total
""",
        loses=["test_soft_dice_loss"],
        feedback="smoothing term is missing",
    ),
    dict(
        cell="soft_dice_loss",
        name="returns the soft Dice, not 1 - soft Dice",
        code="""
def soft_dice_loss(y_true, y_pred, smooth=1.0):
    y_true = keras.ops.cast(y_true, "float32")
    y_pred = keras.ops.cast(y_pred, "float32")
    overlap = keras.ops.sum(y_true * y_pred, axis=(1, 2, 3))
    total = keras.ops.sum(y_true, axis=(1, 2, 3)) + keras.ops.sum(y_pred, axis=(1, 2, 3))
    return (2.0 * overlap + smooth) / (total + smooth)
""",
        loses=["test_soft_dice_loss"],
        feedback="1 - soft Dice",
    ),
    dict(
        cell="soft_dice_loss",
        name="thresholded predictions (no gradient)",
        code="""
def soft_dice_loss(y_true, y_pred, smooth=1.0):
    y_true = keras.ops.cast(y_true, "float32")
    y_pred = keras.ops.cast(keras.ops.convert_to_tensor(y_pred) > 0.5, "float32")
    overlap = keras.ops.sum(y_true * y_pred, axis=(1, 2, 3))
    total = keras.ops.sum(y_true, axis=(1, 2, 3)) + keras.ops.sum(y_pred, axis=(1, 2, 3))
    return 1.0 - (2.0 * overlap + smooth) / (total + smooth)
""",
        loses=["test_soft_dice_loss"],
        feedback="thresholded y_pred",
    ),
    dict(
        cell="soft_dice_loss",
        name="NumPy instead of keras.ops: no gradient reaches the network",
        code="""
def soft_dice_loss(y_true, y_pred, smooth=1.0):
    t = np.asarray(y_true, dtype=float)
    p = np.asarray(y_pred, dtype=float)
    overlap = (t * p).sum(axis=(1, 2, 3))
    total = t.sum(axis=(1, 2, 3)) + p.sum(axis=(1, 2, 3))
    return 1.0 - (2.0 * overlap + smooth) / (total + smooth)
""",
        loses=["test_soft_dice_loss"],
        feedback="passes no gradient",
    ),
]
