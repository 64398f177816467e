"""Correct answers for 07-classic-architectures built differently from the master (README.md)."""

ALTERNATIVES = [
    # build_lenet5 -----------------------------------------------------------------------------
    dict(
        cell="build_lenet5",
        name="the master with map(int, ...), both sides compared, tanh as a function",
        replace=[
            (
                "    if min(input_shape[:2]) < 32:",
                "    if input_shape[0] < 32 or input_shape[1] < 32:",
            ),
            (
                "            keras.Input(shape=tuple(int(d) for d in input_shape)),",
                "            keras.Input(shape=tuple(map(int, input_shape))),",
            ),
            (
                '            layers.Activation("tanh", name="S2_tanh"),',
                '            layers.Activation(keras.activations.tanh, name="S2_tanh"),',
            ),
        ],
    ),
    dict(
        cell="build_lenet5",
        name="layers from a spec list in a loop, keras.activations.tanh as a function",
        code="""
def build_lenet5(input_shape=(32, 32, 1), n_classes=10):
    shape = tuple(input_shape)
    ok = len(shape) == 3 and all(
        isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0 for d in shape
    )
    if not ok:
        raise ValueError(f"input_shape={input_shape!r}: want three positive integers")
    if min(shape[0], shape[1]) < 32:
        raise ValueError("the image is smaller than 32x32: C5's 5x5 window would not fit")
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError("n_classes must be a positive integer")
    tanh = keras.activations.tanh
    stack = [keras.Input(shape)]
    for conv_name, pool_name, filters in (("C1", "S2", 6), ("C3", "S4", 16)):
        stack += [
            layers.Conv2D(filters=filters, kernel_size=5, activation=tanh, name=conv_name),
            layers.AveragePooling2D(pool_size=2, name=pool_name),
            layers.Activation(tanh, name=f"{pool_name}_tanh"),
        ]
    stack += [
        layers.Conv2D(filters=120, kernel_size=5, activation=tanh, name="C5"),
        layers.Flatten(),
        layers.Dense(units=84, activation=tanh, name="F6"),
        layers.Dense(units=int(n_classes), activation="softmax", name="Out"),
    ]
    return keras.Sequential(stack)
""",
    ),
    # build_alexnet ----------------------------------------------------------------------------
    dict(
        cell="build_alexnet",
        name="a list of layers, sizes checked with chained output_size calls",
        code="""
def build_alexnet(input_shape=(227, 227, 3), n_classes=1000, pool_after_c7=False):
    if len(tuple(input_shape)) != 3 or any(
        type(d) is bool or not isinstance(d, (int, np.integer)) or d < 1 for d in input_shape
    ):
        raise ValueError(f"input_shape must be three positive integers, got {input_shape!r}")
    if type(n_classes) is bool or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"n_classes must be a positive integer, got {n_classes!r}")
    for n in input_shape[:2]:
        size = output_size(output_size(output_size(n, 11, 4), 3, 2), 3, 2)  # C1, S2, S4
        if pool_after_c7:
            output_size(size, 3, 2)  # raises if S7 does not fit
    stack = [
        keras.Input(tuple(input_shape)),
        layers.Conv2D(96, (11, 11), strides=(4, 4), activation="relu", name="C1"),
        layers.MaxPooling2D((3, 3), strides=(2, 2), name="S2"),
        layers.Conv2D(256, (5, 5), padding="same", activation="relu", name="C3"),
        layers.MaxPooling2D((3, 3), strides=(2, 2), name="S4"),
        layers.Conv2D(384, (3, 3), padding="same", activation="relu", name="C5"),
        layers.Conv2D(384, (3, 3), padding="same", activation="relu", name="C6"),
        layers.Conv2D(256, (3, 3), padding="same", activation="relu", name="C7"),
    ]
    if pool_after_c7:
        stack.append(layers.MaxPooling2D((3, 3), strides=(2, 2), name="S7"))
    stack += [
        layers.Flatten(),
        layers.Dense(4096, activation="relu", name="F8"),
        layers.Dropout(0.5),
        layers.Dense(4096, activation="relu", name="F9"),
        layers.Dropout(0.5),
        layers.Dense(int(n_classes), activation="softmax", name="Out"),
    ]
    return keras.Sequential(stack)
""",
    ),
    dict(
        cell="build_alexnet",
        name="the convolutions from a table of (name, filters, kernel, stride, padding) rows",
        code="""
ROWS = [
    ("C1", 96, 11, 4, "valid"), ("S2", None, 3, 2, "valid"),
    ("C3", 256, 5, 1, "same"), ("S4", None, 3, 2, "valid"),
    ("C5", 384, 3, 1, "same"), ("C6", 384, 3, 1, "same"), ("C7", 256, 3, 1, "same"),
]


def build_alexnet(input_shape=(227, 227, 3), n_classes=1000, pool_after_c7=False):
    try:
        h, w, c = (operator_index(d) for d in input_shape)
    except (TypeError, ValueError):
        raise ValueError(f"input_shape {input_shape!r} is not three integers") from None
    if min(h, w, c) < 1:
        raise ValueError("input_shape must be positive")
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError("n_classes must be at least 1")
    rows = ROWS + ([("S7", None, 3, 2, "valid")] if pool_after_c7 else [])
    model = keras.Sequential()
    model.add(keras.Input(shape=(h, w, c)))
    side = min(h, w)
    for name, filters, k, s, padding in rows:
        if padding == "valid" and k > side:
            raise ValueError(f"the image is too small: {name}'s window does not fit")
        side = output_size(side, k, s, padding)
        if filters is None:
            model.add(layers.MaxPooling2D(pool_size=k, strides=s, padding=padding, name=name))
        else:
            model.add(
                layers.Conv2D(filters, k, strides=s, padding=padding, activation="relu", name=name)
            )
    model.add(layers.Flatten())
    for name in ("F8", "F9"):
        model.add(layers.Dense(4096, activation="relu", name=name))
        model.add(layers.Dropout(0.5))
    model.add(layers.Dense(int(n_classes), activation="softmax", name="Out"))
    return model


def operator_index(value):
    import operator

    if isinstance(value, bool):
        raise TypeError("a bool is not a size")
    return operator.index(value)
""",
    ),
    # alexnet_param_counts ---------------------------------------------------------------------
    dict(
        cell="alexnet_param_counts",
        name="each count written out, the side followed by output_size",
        code="""
def alexnet_param_counts(input_shape=(227, 227, 3), n_classes=1000, pool_after_c7=False):
    shape = tuple(input_shape)
    if len(shape) != 3 or not all(
        isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0 for d in shape
    ):
        raise ValueError(f"input_shape must be three positive integers, got {input_shape!r}")
    if not isinstance(n_classes, (int, np.integer)) or isinstance(n_classes, bool) or n_classes < 1:
        raise ValueError("n_classes must be a positive integer")
    h, w, c = (int(d) for d in shape)

    def follow(n):
        n = output_size(n, 11, 4)  # C1
        n = output_size(n, 3, 2)  # S2 (C3, C5, C6, C7 keep the size: "same")
        n = output_size(n, 3, 2)  # S4
        return output_size(n, 3, 2) if pool_after_c7 else n

    flat = follow(h) * follow(w) * 256
    return {
        "C1": (11 * 11 * c + 1) * 96,
        "C3": (5 * 5 * 96 + 1) * 256,
        "C5": (3 * 3 * 256 + 1) * 384,
        "C6": (3 * 3 * 384 + 1) * 384,
        "C7": (3 * 3 * 384 + 1) * 256,
        "F8": (flat + 1) * 4096,
        "F9": (4096 + 1) * 4096,
        "Out": (4096 + 1) * int(n_classes),
    }
""",
    ),
    dict(
        cell="alexnet_param_counts",
        name="weights and biases counted apart, layers walked from a list, dict(zip(...))",
        code="""
def alexnet_param_counts(input_shape=(227, 227, 3), n_classes=1000, pool_after_c7=False):
    if len(input_shape) != 3:
        raise ValueError("input_shape needs three entries")
    for d in input_shape:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d <= 0:
            raise ValueError(f"input_shape entries must be positive integers: {input_shape}")
    if type(n_classes) is bool or not isinstance(n_classes, (int, np.integer)) or n_classes <= 0:
        raise ValueError(f"n_classes={n_classes!r} must be a positive integer")
    h, w, maps = (int(d) for d in input_shape)
    names, counts = [], []
    convs = [("C1", 96, 11, 4, "valid", 3), ("C3", 256, 5, 1, "same", 3),
             ("C5", 384, 3, 1, "same", None), ("C6", 384, 3, 1, "same", None),
             ("C7", 256, 3, 1, "same", 3 if pool_after_c7 else None)]
    for name, filters, k, s, padding, pool_after in convs:
        h, w = output_size(h, k, s, padding), output_size(w, k, s, padding)
        weights, biases = k * k * maps * filters, filters
        names.append(name)
        counts.append(weights + biases)
        maps = filters
        if pool_after:
            h, w = output_size(h, 3, 2), output_size(w, 3, 2)
    units_in = h * w * maps
    for name, units in (("F8", 4096), ("F9", 4096), ("Out", int(n_classes))):
        names.append(name)
        counts.append(units_in * units + units)
        units_in = units
    return dict(zip(names, counts))
""",
    ),
    # inception_module -------------------------------------------------------------------------
    dict(
        cell="inception_module",
        name="branches from a list of layer chains, applied in a loop",
        code="""
def inception_module(x, f1x1, f3x3_reduce, f3x3, f5x5_reduce, f5x5, pool_proj):
    if len(x.shape) != 4:
        raise ValueError("inception_module needs a 4D tensor (batch, height, width, channels)")
    counts = (f1x1, f3x3_reduce, f3x3, f5x5_reduce, f5x5, pool_proj)
    if any(isinstance(f, bool) or not isinstance(f, (int, np.integer)) or f < 1 for f in counts):
        raise ValueError(f"filter counts must be positive integers, got {counts}")

    def conv(f, k):
        return layers.Conv2D(f, (k, k), strides=1, padding="same", activation="relu")

    chains = [
        [conv(f1x1, 1)],
        [conv(f3x3_reduce, 1), conv(f3x3, 3)],
        [conv(f5x5_reduce, 1), conv(f5x5, 5)],
        [layers.MaxPooling2D(pool_size=(3, 3), strides=(1, 1), padding="same"), conv(pool_proj, 1)],
    ]
    outputs = []
    for chain in chains:
        y = x
        for layer in chain:
            y = layer(y)
        outputs.append(y)
    return layers.Concatenate(axis=-1)(outputs)
""",
    ),
    dict(
        cell="inception_module",
        name="each branch on its own lines, keras.layers spelled out",
        code="""
def inception_module(x, f1x1, f3x3_reduce, f3x3, f5x5_reduce, f5x5, pool_proj):
    if len(tuple(x.shape)) != 4:
        raise ValueError(f"expected a 4D tensor, got shape {x.shape}")
    for name, f in zip(("f1x1", "f3x3_reduce", "f3x3", "f5x5_reduce", "f5x5", "pool_proj"),
                       (f1x1, f3x3_reduce, f3x3, f5x5_reduce, f5x5, pool_proj)):
        if type(f) is bool or not isinstance(f, (int, np.integer)) or f <= 0:
            raise ValueError(f"{name}={f!r} is not a positive integer")
    Conv = keras.layers.Conv2D
    one = Conv(f1x1, 1, padding="same", activation="relu")(x)
    three = Conv(f3x3_reduce, 1, padding="same", activation="relu")(x)
    three = Conv(f3x3, 3, padding="same", activation="relu")(three)
    five = Conv(f5x5_reduce, 1, padding="same", activation="relu")(x)
    five = Conv(f5x5, 5, padding="same", activation="relu")(five)
    pool = keras.layers.MaxPooling2D(3, strides=1, padding="same")(x)
    pool = Conv(pool_proj, 1, padding="same", activation="relu")(pool)
    return keras.layers.Concatenate(axis=-1)([one, three, five, pool])
""",
    ),
    # inception_savings ------------------------------------------------------------------------
    dict(
        cell="inception_savings",
        name="the four numbers written out term by term",
        code="""
def inception_savings(input_shape, f1x1, f3x3_reduce, f3x3, f5x5_reduce, f5x5, pool_proj):
    if len(input_shape) != 3 or any(
        isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1 for d in input_shape
    ):
        raise ValueError(f"input_shape must be three positive integers, got {input_shape!r}")
    for f in (f1x1, f3x3_reduce, f3x3, f5x5_reduce, f5x5, pool_proj):
        if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or f < 1:
            raise ValueError(f"filter counts must be positive integers, got {f!r}")
    H, W, C = (int(d) for d in input_shape)
    shared = C * f1x1 + C * pool_proj  # the 1x1 branch and the pool projection
    reduced_w = shared + C * f3x3_reduce + 9 * f3x3_reduce * f3x3
    reduced_w += C * f5x5_reduce + 25 * f5x5_reduce * f5x5
    naive_w = shared + 9 * C * f3x3 + 25 * C * f5x5
    reduced_b = f1x1 + f3x3_reduce + f3x3 + f5x5_reduce + f5x5 + pool_proj
    naive_b = f1x1 + f3x3 + f5x5 + pool_proj
    return {
        "params_reduced": int(reduced_w + reduced_b),
        "params_naive": int(naive_w + naive_b),
        "mult_adds_reduced": int(reduced_w * H * W),
        "mult_adds_naive": int(naive_w * H * W),
    }
""",
    ),
    dict(
        cell="inception_savings",
        name="NumPy arrays of (k, c_in, c_out), np.dot for the sums",
        code="""
def inception_savings(input_shape, f1x1, f3x3_reduce, f3x3, f5x5_reduce, f5x5, pool_proj):
    shape = list(input_shape)
    if len(shape) != 3:
        raise ValueError("input_shape must be (H, W, C)")
    filters = [f1x1, f3x3_reduce, f3x3, f5x5_reduce, f5x5, pool_proj]
    for v in shape + filters:
        if type(v) is bool or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"expected positive integers, got {v!r}")
    H, W, C = shape
    reduced = np.array([[1, C, f1x1], [1, C, f3x3_reduce], [3, f3x3_reduce, f3x3],
                        [1, C, f5x5_reduce], [5, f5x5_reduce, f5x5], [1, C, pool_proj]],
                       dtype=np.int64)
    naive = np.array([[1, C, f1x1], [3, C, f3x3], [5, C, f5x5], [1, C, pool_proj]], dtype=np.int64)
    result = {}
    for label, convs in (("reduced", reduced), ("naive", naive)):
        weights = int(np.dot(convs[:, 0] ** 2 * convs[:, 1], convs[:, 2]))
        result[f"params_{label}"] = weights + int(convs[:, 2].sum())
        result[f"mult_adds_{label}"] = weights * int(H) * int(W)
    return result
""",
    ),
    # residual_unit ----------------------------------------------------------------------------
    dict(
        cell="residual_unit",
        name="the shortcut first, layers.add() as a function, tuple kernel sizes",
        code="""
def residual_unit(x, filters, strides=1):
    if len(x.shape) != 4:
        raise ValueError("residual_unit needs a 4D input (batch, height, width, channels)")
    for v in (filters, strides):
        if type(v) is bool or not isinstance(v, (int, np.integer)) or v <= 0:
            raise ValueError(f"filters and strides must be positive integers, got {v!r}")
    filters, strides = int(filters), int(strides)
    if strides == 1 and x.shape[-1] == filters:
        shortcut = x
    else:
        shortcut = layers.Conv2D(filters, (1, 1), strides=strides, padding="same",
                                 use_bias=False)(x)
        shortcut = layers.BatchNormalization()(shortcut)
    y = layers.Conv2D(filters, (3, 3), strides=(strides,) * 2, padding="same", use_bias=False)(x)
    y = layers.BatchNormalization()(y)
    y = layers.Activation("relu")(y)
    y = layers.Conv2D(filters, (3, 3), padding="same", use_bias=False)(y)
    y = layers.BatchNormalization()(y)
    return layers.Activation("relu")(layers.add([y, shortcut]))
""",
    ),
    dict(
        cell="residual_unit",
        name="the main path as a list of layers applied in a loop",
        code="""
def residual_unit(x, filters, strides=1):
    if len(tuple(x.shape)) != 4:
        raise ValueError(f"x has shape {tuple(x.shape)}; a residual unit needs 4D input")
    if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters < 1:
        raise ValueError("filters must be a positive integer")
    if isinstance(strides, bool) or not isinstance(strides, (int, np.integer)) or strides < 1:
        raise ValueError("strides must be a positive integer")
    filters, strides = int(filters), int(strides)
    main_layers = [
        keras.layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False),
        keras.layers.BatchNormalization(),
        keras.layers.Activation("relu"),
        keras.layers.Conv2D(filters, 3, strides=1, padding="same", use_bias=False),
        keras.layers.BatchNormalization(),
    ]
    main = x
    for layer in main_layers:
        main = layer(main)
    needs_projection = strides != 1 or x.shape[-1] != filters
    skip = x
    if needs_projection:
        skip = keras.layers.Conv2D(filters, 1, strides=strides, padding="same", use_bias=False)(x)
        skip = keras.layers.BatchNormalization()(skip)
    return keras.layers.Activation("relu")(keras.layers.Add()([main, skip]))
""",
    ),
]
