"""Plausible wrong answers for 06-mnist-keras (see README.md in this folder)."""

MISTAKES = [
    # preprocess -----------------------------------------------------------------------------------
    dict(
        cell="preprocess",
        name="no scaling: the pixels stay 0..255",
        code="""
def preprocess(x, y):
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim != 3 or y.shape != (len(x),):
        raise ValueError("x must be (N, H, W) and y (N,)")
    if x.min() < 0 or x.max() > 255 or not np.all(y == np.round(y)):
        raise ValueError("bad values")
    return x.astype(np.float32)[..., np.newaxis], y.astype(np.int64)
""",
        loses=["test_preprocess"],
        feedback="not scaled",
    ),
    dict(
        cell="preprocess",
        name="no channel axis: (N, H, W) instead of (N, H, W, 1)",
        base="no scaling: the pixels stay 0..255",
        replace=[
            (
                "    return x.astype(np.float32)[..., np.newaxis], y.astype(np.int64)",
                "    return x.astype(np.float32) / np.float32(255), y.astype(np.int64)",
            ),
        ],
        loses=["test_preprocess"],
        feedback="no channel axis",
    ),
    dict(
        cell="preprocess",
        name="x / 255.0 on the raw array gives float64",
        base="no scaling: the pixels stay 0..255",
        replace=[
            (
                "    return x.astype(np.float32)[..., np.newaxis], y.astype(np.int64)",
                "    return (x / 255.0)[..., np.newaxis], y.astype(np.int64)",
            ),
        ],
        loses=["test_preprocess"],
        feedback="float64",
    ),
    dict(
        cell="preprocess",
        name="divided by the batch's maximum instead of 255",
        base="no scaling: the pixels stay 0..255",
        replace=[
            (
                "    return x.astype(np.float32)[..., np.newaxis], y.astype(np.int64)",
                """    x = x.astype(np.float32)
    return (x / x.max())[..., np.newaxis], y.astype(np.int64)""",
            ),
        ],
        loses=["test_preprocess"],
        feedback="batch's maximum",
    ),
    # build_lecture_model --------------------------------------------------------------------------
    dict(
        cell="build_lecture_model",
        name="padding left at Conv2D's default 'valid': the image shrinks to nothing",
        code="""
def build_lecture_model(input_shape=(28, 28, 1), num_classes=10):
    input_shape = tuple(input_shape)
    if len(input_shape) != 3 or min(input_shape[:2]) < 8 or num_classes < 2:
        raise ValueError("bad input_shape or num_classes")

    DefaultConv2D = functools.partial(keras.layers.Conv2D, kernel_size=3, activation="relu")
    return keras.Sequential([
            keras.Input(shape=input_shape),
            DefaultConv2D(filters=64, kernel_size=7),
            keras.layers.MaxPooling2D(pool_size=2),
            DefaultConv2D(filters=128),
            DefaultConv2D(filters=128),
            keras.layers.MaxPooling2D(pool_size=2),
            DefaultConv2D(filters=256),
            DefaultConv2D(filters=256),
            keras.layers.MaxPooling2D(pool_size=2),

            keras.layers.Flatten(),
            keras.layers.Dense(units=128, activation="relu"),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(units=64, activation="relu"),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(units=num_classes, activation="softmax", dtype="float32"),
    ])
""",
        loses=["test_build_lecture_model"],
        feedback="padding='same'",
    ),
    dict(
        cell="build_lecture_model",
        name="first layer written as a plain Conv2D, so its padding is 'valid'",
        base="padding left at Conv2D's default 'valid': the image shrinks to nothing",
        replace=[
            (
                '    DefaultConv2D = functools.partial(keras.layers.Conv2D, kernel_size=3, activation="relu")',
                """    DefaultConv2D = functools.partial(
        keras.layers.Conv2D, kernel_size=3, activation="relu", padding="same"
    )""",
            ),
            (
                "            DefaultConv2D(filters=64, kernel_size=7),",
                '            keras.layers.Conv2D(filters=64, kernel_size=7, activation="relu"),',
            ),
        ],
        loses=["test_build_lecture_model"],
        feedback="Keras's default",
    ),
    dict(
        cell="build_lecture_model",
        name="the first convolution keeps the default 3x3 kernel",
        base="first layer written as a plain Conv2D, so its padding is 'valid'",
        replace=[
            (
                '            keras.layers.Conv2D(filters=64, kernel_size=7, activation="relu"),',
                "            DefaultConv2D(filters=64),",
            ),
        ],
        loses=["test_build_lecture_model"],
        feedback="kernel_size=7",
    ),
    dict(
        cell="build_lecture_model",
        name="dropout layers left out",
        base="first layer written as a plain Conv2D, so its padding is 'valid'",
        replace=[
            (
                '            keras.layers.Conv2D(filters=64, kernel_size=7, activation="relu"),',
                "            DefaultConv2D(filters=64, kernel_size=7),",
            ),
            (
                """            keras.layers.Dense(units=128, activation="relu"),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(units=64, activation="relu"),
            keras.layers.Dropout(0.5),""",
                """            keras.layers.Dense(units=128, activation="relu"),
            keras.layers.Dense(units=64, activation="relu"),""",
            ),
        ],
        loses=["test_build_lecture_model"],
        feedback="Dropout layers are missing",
    ),
    dict(
        cell="build_lecture_model",
        name="output layer not kept in float32 (softmax in float16 under mixed precision)",
        base="first layer written as a plain Conv2D, so its padding is 'valid'",
        replace=[
            (
                '            keras.layers.Conv2D(filters=64, kernel_size=7, activation="relu"),',
                "            DefaultConv2D(filters=64, kernel_size=7),",
            ),
            (
                '            keras.layers.Dense(units=num_classes, activation="softmax", dtype="float32"),',
                '            keras.layers.Dense(units=num_classes, activation="softmax"),',
            ),
        ],
        loses=["test_build_lecture_model"],
        feedback="dtype='float32'",
    ),
    # top_confusions -------------------------------------------------------------------------------
    dict(
        cell="top_confusions",
        name="the diagonal (correct answers) counted as confusions",
        code="""
def top_confusions(y_true, y_pred, k=5):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape or k < 1:
        raise ValueError("bad input")
    counts = {}
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        counts[(t, p)] = counts.get((t, p), 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [((int(t), int(p)), int(n)) for (t, p), n in ranked[:k]]
""",
        loses=["test_top_confusions"],
        feedback="diagonal",
    ),
    dict(
        cell="top_confusions",
        name="sorted in ascending order of count",
        base="the diagonal (correct answers) counted as confusions",
        replace=[
            (
                """        counts[(t, p)] = counts.get((t, p), 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))""",
                """        if t != p:
            counts[(t, p)] = counts.get((t, p), 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]))""",
            ),
        ],
        loses=["test_top_confusions"],
        feedback="ascending",
    ),
    dict(
        cell="top_confusions",
        name="Counter.most_common: ties in order of first appearance",
        base="the diagonal (correct answers) counted as confusions",
        replace=[
            (
                "def top_confusions(y_true, y_pred, k=5):",
                """from collections import Counter

def top_confusions(y_true, y_pred, k=5):""",
            ),
            (
                """    counts = {}
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        counts[(t, p)] = counts.get((t, p), 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [((int(t), int(p)), int(n)) for (t, p), n in ranked[:k]]""",
                """    counts = Counter((int(t), int(p)) for t, p in zip(y_true, y_pred) if t != p)
    return counts.most_common(k)""",
            ),
        ],
        loses=["test_top_confusions"],
        feedback="first appearance",
    ),
    # feature_maps ---------------------------------------------------------------------------------
    dict(
        cell="feature_maps",
        name="the batch axis of size 1 left in",
        code="""
def feature_maps(model, image, layer_names):
    image = np.asarray(image, dtype=np.float32)
    if image.shape != tuple(model.inputs[0].shape[1:]):
        raise ValueError("image must be one input, without a batch axis")
    for name in layer_names:
        model.get_layer(name)
    probe = keras.Model(model.inputs[0], [model.get_layer(name).output for name in layer_names])
    outputs = probe.predict(image[np.newaxis], verbose=0)
    if len(layer_names) == 1:
        outputs = [outputs]
    return {name: np.asarray(out) for name, out in zip(layer_names, outputs)}
""",
        loses=["test_feature_maps"],
        feedback="batch axis",
    ),
    dict(
        cell="feature_maps",
        name="TensorFlow tensors returned instead of NumPy arrays",
        base="the batch axis of size 1 left in",
        replace=[
            (
                """    for name in layer_names:
        model.get_layer(name)
    probe = keras.Model(model.inputs[0], [model.get_layer(name).output for name in layer_names])
    outputs = probe.predict(image[np.newaxis], verbose=0)
    if len(layer_names) == 1:
        outputs = [outputs]
    return {name: np.asarray(out) for name, out in zip(layer_names, outputs)}""",
                """    probe = keras.Model(model.inputs[0], {n: model.get_layer(n).output for n in layer_names})
    outputs = probe(image[np.newaxis])
    return {name: outputs[name][0] for name in layer_names}""",
            ),
        ],
        loses=["test_feature_maps"],
        feedback="np.asarray",
    ),
    dict(
        cell="feature_maps",
        name="the layer's input taken instead of its output",
        base="TensorFlow tensors returned instead of NumPy arrays",
        replace=[
            (
                "    probe = keras.Model(model.inputs[0], {n: model.get_layer(n).output for n in layer_names})",
                "    probe = keras.Model(model.inputs[0], {n: model.get_layer(n).input for n in layer_names})",
            ),
            (
                "    return {name: outputs[name][0] for name in layer_names}",
                "    return {name: np.asarray(outputs[name])[0] for name in layer_names}",
            ),
        ],
        loses=["test_feature_maps"],
        feedback="input instead of its output",
    ),
]
