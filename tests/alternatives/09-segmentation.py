"""Correct answers for 09-segmentation built differently from the master (see README.md)."""

ALTERNATIVES = [
    # dice_coefficient -------------------------------------------------------------------------
    dict(
        cell="dice_coefficient",
        name="np.where(total == 0, 1.0, 2 * inter / total) (warns on 0/0), rows of pixels",
        emits="RuntimeWarning",
        code="""
def dice_coefficient(y_true, y_pred):
    a, b = np.asarray(y_true), np.asarray(y_pred)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    if a.ndim == 4 and a.shape[3] == 1:
        a, b = a[..., 0], b[..., 0]
    if a.ndim not in (2, 3):
        raise ValueError(f"masks must be (H, W), (N, H, W) or (N, H, W, 1); got {np.shape(y_true)}")
    for m in (a, b):
        if not set(np.unique(m).tolist()) <= {0, 1}:
            raise ValueError("masks must be binary (0/1 or bool): threshold probabilities first")
    single = a.ndim == 2
    a = a.reshape(1 if single else a.shape[0], -1).astype(bool)
    b = b.reshape(a.shape).astype(bool)
    inter = (a & b).sum(axis=1)
    total = a.sum(axis=1) + b.sum(axis=1)
    dice = np.where(total == 0, 1.0, 2 * inter / total)
    return float(dice[0]) if single else dice
""",
    ),
    dict(
        cell="dice_coefficient",
        name="one mask at a time in a helper, a loop over the batch",
        code="""
def _check_masks(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError("y_true and y_pred must have the same shape")
    if y_true.ndim == 4 and y_true.shape[-1] == 1:
        y_true, y_pred = np.squeeze(y_true, -1), np.squeeze(y_pred, -1)
    if y_true.ndim not in (2, 3):
        raise ValueError("expected a mask (H, W) or a batch (N, H, W) / (N, H, W, 1)")
    for y in (y_true, y_pred):
        if y.dtype != bool and np.any((y != 0) & (y != 1)):
            raise ValueError("masks may only hold 0 and 1 (threshold, e.g. y_pred > 0.5)")
    return y_true != 0, y_pred != 0


def _dice_one(a, b):
    total = np.count_nonzero(a) + np.count_nonzero(b)
    if total == 0:
        return 1.0
    return 2.0 * np.count_nonzero(np.logical_and(a, b)) / total


def dice_coefficient(y_true, y_pred):
    a, b = _check_masks(y_true, y_pred)
    if a.ndim == 2:
        return float(_dice_one(a, b))
    return np.array([_dice_one(a[i], b[i]) for i in range(len(a))])
""",
    ),
    # iou_score --------------------------------------------------------------------------------
    dict(
        cell="iou_score",
        name="np.divide with out=ones where the union is empty, logical_or for the union",
        code="""
def iou_score(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"different shapes {y_true.shape} and {y_pred.shape}")
    if y_true.ndim == 4 and y_true.shape[-1] == 1:
        y_true, y_pred = y_true[..., 0], y_pred[..., 0]
    if y_true.ndim not in (2, 3):
        raise ValueError("expected (H, W), (N, H, W) or (N, H, W, 1) masks")
    if not (np.isin(y_true, [0, 1]).all() and np.isin(y_pred, [0, 1]).all()):
        raise ValueError("masks must hold only 0 and 1; threshold the probabilities first")
    a, b = y_true.astype(bool), y_pred.astype(bool)
    inter = np.logical_and(a, b).sum(axis=(-1, -2)).astype(float)
    union = np.logical_or(a, b).sum(axis=(-1, -2)).astype(float)
    iou = np.divide(inter, union, out=np.ones_like(inter), where=union > 0)
    return iou.item() if iou.ndim == 0 else iou
""",
    ),
    dict(
        cell="iou_score",
        name="|A| + |B| - |A and B| per image in a loop, a list turned into an array",
        code="""
def iou_score(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    if np.shape(t) != np.shape(p):
        raise ValueError("y_true and y_pred must have one shape")
    if t.ndim == 4 and t.shape[-1] == 1:
        t, p = t.reshape(t.shape[:3]), p.reshape(p.shape[:3])
    if t.ndim not in (2, 3):
        raise ValueError(f"bad mask shape {np.shape(y_true)}")
    if not (np.all((t == 0) | (t == 1)) and np.all((p == 0) | (p == 1))):
        raise ValueError("binary masks only (0 and 1); threshold probabilities first")
    batch = t[None] if t.ndim == 2 else t
    preds = p[None] if p.ndim == 2 else p
    scores = []
    for a, b in zip(batch.astype(bool), preds.astype(bool)):
        inter = int((a & b).sum())
        union = int(a.sum()) + int(b.sum()) - inter
        scores.append(1.0 if union == 0 else inter / union)
    return scores[0] if t.ndim == 2 else np.array(scores)
""",
    ),
    # build_unet -------------------------------------------------------------------------------
    dict(
        cell="build_unet",
        name="the lecture's layers written out one by one (c1 ... c9), no helper",
        code="""
def build_unet(input_shape=(128, 128, 3)):
    if len(input_shape) != 3 or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in input_shape
    ):
        raise ValueError(f"input_shape must be three positive integers, got {input_shape!r}")
    if input_shape[0] % 16 != 0 or input_shape[1] % 16 != 0:
        raise ValueError("height and width must be multiples of 16")
    L = keras.layers
    conv = dict(activation="relu", kernel_initializer="he_normal", padding="same")
    inputs = L.Input(tuple(input_shape))
    s = L.Rescaling(1 / 255)(inputs)
    c1 = L.Conv2D(16, (3, 3), **conv)(s)
    c1 = L.Dropout(0.1)(c1)
    c1 = L.Conv2D(16, (3, 3), **conv)(c1)
    p1 = L.MaxPooling2D((2, 2))(c1)
    c2 = L.Conv2D(32, (3, 3), **conv)(p1)
    c2 = L.Dropout(0.1)(c2)
    c2 = L.Conv2D(32, (3, 3), **conv)(c2)
    p2 = L.MaxPooling2D((2, 2))(c2)
    c3 = L.Conv2D(64, (3, 3), **conv)(p2)
    c3 = L.Dropout(0.2)(c3)
    c3 = L.Conv2D(64, (3, 3), **conv)(c3)
    p3 = L.MaxPooling2D((2, 2))(c3)
    c4 = L.Conv2D(128, (3, 3), **conv)(p3)
    c4 = L.Dropout(0.2)(c4)
    c4 = L.Conv2D(128, (3, 3), **conv)(c4)
    p4 = L.MaxPooling2D(pool_size=(2, 2))(c4)
    c5 = L.Conv2D(256, (3, 3), **conv)(p4)
    c5 = L.Dropout(0.3)(c5)
    c5 = L.Conv2D(256, (3, 3), **conv)(c5)
    u6 = L.Conv2DTranspose(128, (2, 2), strides=(2, 2), padding="same")(c5)
    u6 = L.concatenate([u6, c4])
    c6 = L.Conv2D(128, (3, 3), **conv)(u6)
    c6 = L.Dropout(0.2)(c6)
    c6 = L.Conv2D(128, (3, 3), **conv)(c6)
    u7 = L.Conv2DTranspose(64, (2, 2), strides=(2, 2), padding="same")(c6)
    u7 = L.concatenate([u7, c3])
    c7 = L.Conv2D(64, (3, 3), **conv)(u7)
    c7 = L.Dropout(0.2)(c7)
    c7 = L.Conv2D(64, (3, 3), **conv)(c7)
    u8 = L.Conv2DTranspose(32, (2, 2), strides=(2, 2), padding="same")(c7)
    u8 = L.concatenate([u8, c2])
    c8 = L.Conv2D(32, (3, 3), **conv)(u8)
    c8 = L.Dropout(0.1)(c8)
    c8 = L.Conv2D(32, (3, 3), **conv)(c8)
    u9 = L.Conv2DTranspose(16, (2, 2), strides=(2, 2), padding="same")(c8)
    u9 = L.concatenate([u9, c1], axis=3)
    c9 = L.Conv2D(16, (3, 3), **conv)(u9)
    c9 = L.Dropout(0.1)(c9)
    c9 = L.Conv2D(16, (3, 3), **conv)(c9)
    outputs = L.Conv2D(1, (1, 1), activation="sigmoid")(c9)
    return keras.Model(inputs=inputs, outputs=outputs)
""",
    ),
    dict(
        cell="build_unet",
        name="recursive levels, Concatenate() layers, Rescaling(scale=1.0 / 255)",
        code="""
LEVELS = [(16, 0.1), (32, 0.1), (64, 0.2), (128, 0.2), (256, 0.3)]


def _block(x, filters, rate):
    for index in range(2):
        if index:
            x = keras.layers.Dropout(rate)(x)
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu",
                                kernel_initializer="he_normal")(x)
    return x


def _level(x, depth):
    filters, rate = LEVELS[depth]
    x = _block(x, filters, rate)
    if depth == len(LEVELS) - 1:
        return x
    deeper = _level(keras.layers.MaxPooling2D(2)(x), depth + 1)
    up = keras.layers.Conv2DTranspose(filters, 2, strides=2, padding="same")(deeper)
    return _block(keras.layers.Concatenate()([up, x]), filters, rate)


def build_unet(input_shape=(128, 128, 3)):
    try:
        height, width, channels = input_shape
    except (TypeError, ValueError):
        raise ValueError(f"input_shape {input_shape!r} is not (height, width, channels)") from None
    for v in (height, width, channels):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"input_shape {input_shape!r} needs positive integers")
    if height % 16 or width % 16:
        raise ValueError(f"{height}x{width}: height and width must be multiples of 16")
    inputs = keras.Input(shape=(height, width, channels))
    x = keras.layers.Rescaling(scale=1.0 / 255)(inputs)
    x = _level(x, 0)
    return keras.Model(inputs, keras.layers.Conv2D(1, 1, activation="sigmoid")(x))
""",
    ),
    # label_instances --------------------------------------------------------------------------
    dict(
        cell="label_instances",
        name="scipy.ndimage.label with a 3x3 structure (8-connectivity)",
        code="""
def label_instances(mask):
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError("label_instances takes one 2-D mask")
    if not np.isin(mask, (0, 1)).all():
        raise ValueError("the mask must be binary (0/1 or bool)")
    labels, _ = ndimage.label(mask, structure=np.ones((3, 3), dtype=int))
    return labels.astype(np.int32)
""",
    ),
    dict(
        cell="label_instances",
        name="a flood fill of my own, 8 neighbours, seeds in raster order",
        code="""
def label_instances(mask):
    mask = np.asarray(mask)
    if len(mask.shape) != 2:
        raise ValueError(f"need a 2-D mask, got shape {mask.shape}")
    if mask.dtype != bool and not np.all((mask == 0) | (mask == 1)):
        raise ValueError("mask values must be 0 or 1 (threshold first)")
    fg = mask.astype(bool)
    labels = np.zeros(fg.shape, dtype=np.int32)
    h, w = fg.shape
    current = 0
    for r0, c0 in zip(*np.nonzero(fg)):
        if labels[r0, c0]:
            continue
        current += 1
        labels[r0, c0] = current
        stack = [(r0, c0)]
        while stack:
            r, c = stack.pop()
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    rr, cc = r + dr, c + dc
                    if 0 <= rr < h and 0 <= cc < w and fg[rr, cc] and not labels[rr, cc]:
                        labels[rr, cc] = current
                        stack.append((rr, cc))
    return labels
""",
    ),
    # split_touching ---------------------------------------------------------------------------
    dict(
        cell="split_touching",
        name="markers numbered with ndimage.label, peaks indexed by column pairs",
        code="""
def split_touching(mask, min_distance=5):
    mask = np.asarray(mask)
    if mask.ndim != 2 or not np.isin(mask, (0, 1)).all():
        raise ValueError("split_touching needs a 2-D binary mask (0/1 or bool)")
    if type(min_distance) is bool or not isinstance(min_distance, (int, np.integer)):
        raise ValueError(f"min_distance={min_distance!r} must be a positive integer")
    if min_distance <= 0:
        raise ValueError(f"min_distance={min_distance!r} must be a positive integer")
    fg = mask > 0
    labels = np.zeros(fg.shape, dtype=np.int32)
    if not fg.any():
        return labels
    distance = ndimage.distance_transform_edt(fg)
    components, _ = ndimage.label(fg, structure=np.ones((3, 3)))
    peaks = feature.peak_local_max(distance, min_distance=min_distance, labels=components,
                                   exclude_border=False)
    seeds = np.zeros(fg.shape, dtype=bool)
    seeds[peaks[:, 0], peaks[:, 1]] = True
    markers, _ = ndimage.label(seeds, structure=np.ones((3, 3)))
    labels[:] = segmentation.watershed(-distance, markers, mask=fg)
    return labels
""",
    ),
    dict(
        cell="split_touching",
        name="markers labelled with my label_instances, min_distance as a NumPy integer",
        code="""
def split_touching(mask, min_distance=5):
    m = np.asarray(mask)
    if m.ndim != 2:
        raise ValueError("mask must be 2-D")
    if m.dtype != bool and np.setdiff1d(np.unique(m), [0, 1]).size:
        raise ValueError("mask must hold 0/1 values only")
    if isinstance(min_distance, bool) or not np.issubdtype(type(min_distance), np.integer):
        raise ValueError("min_distance must be an integer")
    if min_distance < 1:
        raise ValueError("min_distance must be at least 1")
    m = m.astype(bool)
    if m.sum() == 0:
        return np.zeros_like(m, dtype=np.int32)
    dist = ndimage.distance_transform_edt(m)
    coords = feature.peak_local_max(
        dist, min_distance=np.int64(min_distance), labels=label_instances(m), exclude_border=False
    )
    peak_image = np.zeros(m.shape, dtype=np.uint8)
    peak_image[tuple(coords.T)] = 1
    markers = label_instances(peak_image)
    return np.int32(1) * segmentation.watershed(-dist, markers, mask=m).astype(np.int32)
""",
    ),
    # count_objects ----------------------------------------------------------------------------
    dict(
        cell="count_objects",
        name="the distinct nonzero labels as a Python set",
        code="""
def count_objects(mask, split=True):
    labels = split_touching(mask) if split else label_instances(mask)
    return len(set(np.ravel(labels).tolist()) - {0})
""",
    ),
    dict(
        cell="count_objects",
        name="np.unique minus the background, chosen with if/else",
        code="""
def count_objects(mask, split=True):
    if split:
        labels = split_touching(mask)
    else:
        labels = label_instances(mask)
    values = np.unique(labels)
    return int(values.size - np.count_nonzero(values == 0))
""",
    ),
    # soft_dice_loss ---------------------------------------------------------------------------
    dict(
        cell="soft_dice_loss",
        name="TensorFlow: flatten each image, tf.reduce_sum over axis 1",
        code="""
def soft_dice_loss(y_true, y_pred, smooth=1.0):
    y_pred = tf.convert_to_tensor(y_pred)
    n = tf.shape(y_pred)[0]
    p = tf.reshape(y_pred, (n, -1))
    t = tf.reshape(tf.cast(y_true, p.dtype), (n, -1))
    dice = (2 * tf.reduce_sum(t * p, axis=1) + smooth) / (
        tf.reduce_sum(t, axis=1) + tf.reduce_sum(p, axis=1) + smooth
    )
    return 1 - dice
""",
    ),
    dict(
        cell="soft_dice_loss",
        name="keras.ops.einsum for the overlap, one sum of y + p",
        code="""
def soft_dice_loss(y_true, y_pred, smooth=1.0):
    p = keras.ops.cast(y_pred, "float32")
    t = keras.ops.cast(y_true, "float32")
    overlap = keras.ops.einsum("nhwc,nhwc->n", t, p)
    both = keras.ops.sum(t + p, axis=[1, 2, 3])
    return (both - 2 * overlap) / (both + smooth)
""",
    ),
]
