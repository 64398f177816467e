"""Correct answers for 06-mnist-keras built differently from the master (see README.md)."""

ALTERNATIVES = [
    # preprocess -------------------------------------------------------------------------------
    dict(
        cell="preprocess",
        name="np.expand_dims and np.divide(dtype=float32), labels checked with np.mod",
        code="""
def preprocess(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 3:
        raise ValueError(f"expected images (N, H, W) without a channel axis, got {x.shape}")
    if y.ndim != 1 or y.shape[0] != x.shape[0]:
        raise ValueError(f"need one label per image: {x.shape[0]} images, labels {y.shape}")
    if x.dtype.kind not in "uif":
        raise ValueError("pixels must be numbers")
    if x.size and (np.min(x) < 0 or np.max(x) > 255):
        raise ValueError("pixels must lie in 0..255 (already scaled?)")
    if y.dtype.kind not in "uif" or (y.dtype.kind == "f" and np.any(np.mod(y, 1) != 0)):
        raise ValueError("labels must be whole numbers")
    scaled = np.divide(x, 255, dtype=np.float32)
    return np.expand_dims(scaled, axis=-1), y.astype(int)
""",
    ),
    dict(
        cell="preprocess",
        name="reshape to add the channel, float64 division cast down, int32 labels",
        code="""
def preprocess(x, y):
    x = np.array(x)
    y = np.array(y)
    if len(x.shape) != 3:
        raise ValueError("preprocess wants raw (N, H, W) images")
    if y.shape != (x.shape[0],):
        raise ValueError("y must have shape (N,)")
    if not np.issubdtype(x.dtype, np.number):
        raise ValueError("x must be numeric")
    if x.size > 0 and not ((x >= 0).all() and (x <= 255).all()):
        raise ValueError("x must hold 0..255 pixel values, not scaled ones")
    if not np.issubdtype(y.dtype, np.number) or not np.array_equal(y, np.floor(y)):
        raise ValueError("y must hold integer labels")
    n, h, w = x.shape
    return (x / 255.0).astype(np.float32).reshape(n, h, w, 1), y.astype(np.int32)
""",
    ),
    # build_lecture_model ----------------------------------------------------------------------
    dict(
        cell="build_lecture_model",
        name="model.add in a loop over (filters, convolutions) blocks",
        code="""
def build_lecture_model(input_shape=(28, 28, 1), num_classes=10):
    if len(input_shape) != 3:
        raise ValueError("input_shape must have 3 entries: (height, width, channels)")
    if input_shape[0] < 8 or input_shape[1] < 8:
        raise ValueError("the image must be at least 8x8 for three poolings")
    if num_classes < 2:
        raise ValueError("at least two classes")
    conv = functools.partial(keras.layers.Conv2D, kernel_size=3, padding="same", activation="relu")
    model = keras.Sequential()
    model.add(keras.Input(shape=tuple(input_shape)))
    for filters, count, first_kernel in [(64, 1, 7), (128, 2, 3), (256, 2, 3)]:
        for index in range(count):
            model.add(conv(filters=filters, kernel_size=first_kernel if index == 0 else 3))
        model.add(keras.layers.MaxPooling2D(2))
    model.add(keras.layers.Flatten())
    for units in (128, 64):
        model.add(keras.layers.Dense(units, activation="relu"))
        model.add(keras.layers.Dropout(0.5))
    model.add(keras.layers.Dense(num_classes, activation="softmax", dtype="float32"))
    return model
""",
    ),
    dict(
        cell="build_lecture_model",
        name="`from functools import partial`, layers listed in a tuple, input shape unpacked",
        code="""
from functools import partial


def build_lecture_model(input_shape=(28, 28, 1), num_classes=10):
    try:
        height, width, channels = input_shape
    except (TypeError, ValueError):
        raise ValueError(f"input_shape {input_shape!r} is not (height, width, channels)") from None
    if min(height, width) < 8:
        raise ValueError("sides shorter than 8 pixels do not survive three 2x2 poolings")
    if not num_classes >= 2:
        raise ValueError("num_classes must be >= 2")
    DefaultConv2D = partial(keras.layers.Conv2D, kernel_size=3, activation="relu", padding="same")
    layers = (
        keras.Input((height, width, channels)),
        DefaultConv2D(64, kernel_size=7),
        keras.layers.MaxPooling2D(),
        DefaultConv2D(128),
        DefaultConv2D(128),
        keras.layers.MaxPooling2D(),
        DefaultConv2D(256),
        DefaultConv2D(256),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(rate=0.5),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dropout(rate=0.5),
        keras.layers.Dense(num_classes, activation="softmax", dtype="float32"),
    )
    return keras.Sequential(list(layers))
""",
    ),
    # top_confusions ---------------------------------------------------------------------------
    dict(
        cell="top_confusions",
        name="np.unique over the (true, predicted) pairs, then np.lexsort",
        code="""
def top_confusions(y_true, y_pred, k=5):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    if t.ndim != 1 or p.ndim != 1 or len(t) != len(p):
        raise ValueError("y_true and y_pred must be 1-D arrays of the same length")
    if len(t) and (t.dtype.kind not in "iu" or p.dtype.kind not in "iu"):
        raise ValueError("labels must be integers")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k <= 0:
        raise ValueError("k must be a positive integer")
    wrong = t != p
    if not wrong.any():
        return []
    pairs, counts = np.unique(np.stack([t[wrong], p[wrong]], axis=1), axis=0, return_counts=True)
    order = np.lexsort((pairs[:, 1], pairs[:, 0], -counts))[:k]
    return [((int(pairs[i, 0]), int(pairs[i, 1])), int(counts[i])) for i in order]
""",
    ),
    dict(
        cell="top_confusions",
        name="collections.Counter and sorted() on (-count, pair)",
        code="""
from collections import Counter


def top_confusions(y_true, y_pred, k=5):
    if np.ndim(y_true) != 1 or np.shape(y_true) != np.shape(y_pred):
        raise ValueError("y_true and y_pred must be equally long 1-D sequences")
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.size and not all(np.issubdtype(a.dtype, np.integer) for a in (y_true, y_pred)):
        raise ValueError("class labels must be integers")
    if type(k) is bool or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k={k!r} must be a positive integer")
    mistakes = Counter((int(t), int(p)) for t, p in zip(y_true, y_pred) if t != p)
    ranked = sorted(mistakes.items(), key=lambda pair_count: (-pair_count[1], pair_count[0]))
    return ranked[:k]
""",
    ),
    # feature_maps -----------------------------------------------------------------------------
    dict(
        cell="feature_maps",
        name="get_layer inside try/except, a list of outputs, probe.predict",
        code="""
def feature_maps(model, image, layer_names):
    image = np.asarray(image, dtype="float32")
    want = tuple(model.input_shape[1:])
    if image.shape != tuple(s if w is None else w for s, w in zip(image.shape, want)) or (
        image.ndim != len(want)
    ):
        raise ValueError(f"one image of shape {want} please, got {image.shape}")
    names = [layer_names] if isinstance(layer_names, str) else list(layer_names)
    outputs = []
    for name in names:
        try:
            outputs.append(model.get_layer(name).output)
        except ValueError:
            raise ValueError(f"the model has no layer called {name!r}") from None
    probe = keras.Model(inputs=model.inputs[0], outputs=outputs)
    results = probe.predict(image[None, ...], verbose=0)
    if not isinstance(results, (list, tuple)):
        results = [results]
    return dict(zip(names, (np.asarray(r)[0] for r in results)))
""",
    ),
    dict(
        cell="feature_maps",
        name="np.expand_dims, the probe called directly, a dict comprehension over names",
        code="""
def feature_maps(model, image, layer_names):
    image = np.asarray(image).astype(np.float32)
    shape = model.inputs[0].shape[1:]
    if len(shape) != image.ndim or any(a not in (None, b) for a, b in zip(shape, image.shape)):
        raise ValueError(f"image has shape {image.shape}, one model input is {tuple(shape)}")
    if isinstance(layer_names, str):
        layer_names = (layer_names,)
    names = {layer.name for layer in model.layers}
    for name in layer_names:
        if name not in names:
            raise ValueError(f"{name!r} is not a layer of this model")
    probe = keras.Model(model.inputs[0], {n: model.get_layer(n).output for n in layer_names})
    maps = probe(np.expand_dims(image, 0), training=False)
    return {n: np.squeeze(np.asarray(maps[n]), axis=0) for n in layer_names}
""",
    ),
]
