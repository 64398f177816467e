"""Plausible wrong answers for 07-classic-architectures (see README.md in this folder)."""

MISTAKES = [
    # build_lenet5 ---------------------------------------------------------------------------------
    dict(
        cell="build_lenet5",
        name="max pooling where LeNet-5 averages (S2, S4)",
        code="""
def build_lenet5(input_shape=(32, 32, 1), n_classes=10):
    input_shape = tuple(input_shape)
    if len(input_shape) != 3 or min(input_shape[:2]) < 32 or n_classes < 1:
        raise ValueError("bad input_shape or n_classes")
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(6, 5, activation="tanh", name="C1"),
            layers.MaxPooling2D(pool_size=2, strides=2, name="S2"),
            layers.Activation("tanh"),
            layers.Conv2D(16, 5, activation="tanh", name="C3"),
            layers.MaxPooling2D(pool_size=2, strides=2, name="S4"),
            layers.Activation("tanh"),
            layers.Conv2D(120, 5, activation="tanh", name="C5"),
            layers.Flatten(),
            layers.Dense(84, activation="tanh", name="F6"),
            layers.Dense(n_classes, activation="softmax", name="Out"),
        ],
        name="lenet5",
    )
""",
        loses=["test_lenet5"],
        feedback="pooling type swapped",
    ),
    dict(
        cell="build_lenet5",
        name="C1 with padding='same' (28x28 output only if the input is 28x28)",
        base="max pooling where LeNet-5 averages (S2, S4)",
        replace=[
            (
                """            layers.Conv2D(6, 5, activation="tanh", name="C1"),
            layers.MaxPooling2D(pool_size=2, strides=2, name="S2"),""",
                """            layers.Conv2D(6, 5, activation="tanh", padding="same", name="C1"),
            layers.AveragePooling2D(pool_size=2, strides=2, name="S2"),""",
            ),
            (
                '            layers.MaxPooling2D(pool_size=2, strides=2, name="S4"),',
                '            layers.AveragePooling2D(pool_size=2, strides=2, name="S4"),',
            ),
        ],
        loses=["test_lenet5"],
        feedback="wrong padding",
    ),
    dict(
        cell="build_lenet5",
        name="no activation on the convolutions",
        base="C1 with padding='same' (28x28 output only if the input is 28x28)",
        replace=[
            (
                '            layers.Conv2D(6, 5, activation="tanh", padding="same", name="C1"),',
                '            layers.Conv2D(6, 5, use_bias=True, name="C1"),',
            ),
            (
                '            layers.Conv2D(16, 5, activation="tanh", name="C3"),',
                '            layers.Conv2D(16, 5, use_bias=True, name="C3"),',
            ),
            (
                '            layers.Conv2D(120, 5, activation="tanh", name="C5"),',
                '            layers.Conv2D(120, 5, use_bias=True, name="C5"),',
            ),
        ],
        loses=["test_lenet5"],
        feedback="missing activation",
    ),
    # build_alexnet --------------------------------------------------------------------------------
    dict(
        cell="build_alexnet",
        name="average pooling in S2 and S4",
        code="""
def build_alexnet(input_shape=(227, 227, 3), n_classes=1000, pool_after_c7=False):
    input_shape = tuple(input_shape)
    if len(input_shape) != 3 or n_classes < 1:
        raise ValueError("bad input_shape or n_classes")
    model = keras.Sequential(name="alexnet")
    model.add(keras.Input(shape=input_shape))
    model.add(
        layers.Conv2D(96, 11, strides=4, padding="valid", activation="relu", name="C1")
    )
    model.add(layers.AveragePooling2D(3, strides=2, padding="valid", name="S2"))
    model.add(layers.Conv2D(256, 5, padding="same", activation="relu", name="C3"))
    model.add(layers.AveragePooling2D(3, strides=2, padding="valid", name="S4"))
    model.add(layers.Conv2D(384, 3, padding="same", activation="relu", name="C5"))
    model.add(layers.Conv2D(384, 3, padding="same", activation="relu", name="C6"))
    model.add(layers.Conv2D(256, 3, padding="same", activation="relu", name="C7"))
    if pool_after_c7 and True:
        model.add(layers.MaxPooling2D(3, strides=2, padding="valid", name="S7"))
    model.add(layers.Flatten())
    model.add(layers.Dense(4096, activation="relu", name="F8"))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(4096, activation="relu", name="F9"))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(n_classes, activation="softmax", name="Out"))
    return model
""",
        loses=["test_alexnet"],
        feedback="pooling type swapped",
    ),
    dict(
        cell="build_alexnet",
        name="C1 with padding='same' (57x57 instead of 55x55)",
        base="average pooling in S2 and S4",
        replace=[
            (
                '        layers.Conv2D(96, 11, strides=4, padding="valid", activation="relu", name="C1")',
                '        layers.Conv2D(96, 11, strides=4, padding="same", activation="relu", name="C1")',
            ),
            (
                '    model.add(layers.AveragePooling2D(3, strides=2, padding="valid", name="S2"))',
                '    model.add(layers.MaxPooling2D(3, strides=2, padding="valid", name="S2"))',
            ),
            (
                '    model.add(layers.AveragePooling2D(3, strides=2, padding="valid", name="S4"))',
                '    model.add(layers.MaxPooling2D(3, strides=2, padding="valid", name="S4"))',
            ),
        ],
        loses=["test_alexnet"],
        feedback="wrong padding",
    ),
    dict(
        cell="build_alexnet",
        name="S4 with stride 1 instead of 2",
        base="average pooling in S2 and S4",
        replace=[
            (
                '    model.add(layers.AveragePooling2D(3, strides=2, padding="valid", name="S2"))',
                '    model.add(layers.MaxPooling2D(3, strides=2, padding="valid", name="S2"))',
            ),
            (
                '    model.add(layers.AveragePooling2D(3, strides=2, padding="valid", name="S4"))',
                '    model.add(layers.MaxPooling2D(3, strides=1, padding="valid", name="S4"))',
            ),
        ],
        loses=["test_alexnet"],
        feedback="wrong stride",
    ),
    dict(
        cell="build_alexnet",
        name="no ReLU on C5, C6, C7",
        base="C1 with padding='same' (57x57 instead of 55x55)",
        replace=[
            (
                '        layers.Conv2D(96, 11, strides=4, padding="same", activation="relu", name="C1")',
                '        layers.Conv2D(96, 11, strides=4, padding="valid", activation="relu", name="C1")',
            ),
            (
                """    model.add(layers.Conv2D(384, 3, padding="same", activation="relu", name="C5"))
    model.add(layers.Conv2D(384, 3, padding="same", activation="relu", name="C6"))
    model.add(layers.Conv2D(256, 3, padding="same", activation="relu", name="C7"))""",
                """    model.add(layers.Conv2D(384, 3, padding="same", use_bias=True, name="C5"))
    model.add(layers.Conv2D(384, 3, padding="same", use_bias=True, name="C6"))
    model.add(layers.Conv2D(256, 3, padding="same", use_bias=True, name="C7"))""",
            ),
        ],
        loses=["test_alexnet"],
        feedback="missing activation",
    ),
    dict(
        cell="build_alexnet",
        name="pool_after_c7 ignored",
        base="C1 with padding='same' (57x57 instead of 55x55)",
        replace=[
            (
                '        layers.Conv2D(96, 11, strides=4, padding="same", activation="relu", name="C1")',
                '        layers.Conv2D(96, 11, strides=4, padding="valid", activation="relu", name="C1")',
            ),
            (
                "    if pool_after_c7 and True:",
                "    if pool_after_c7 and False:",
            ),
        ],
        loses=["test_alexnet"],
        feedback="no layer named 'S7'",
    ),
    # alexnet_param_counts -------------------------------------------------------------------------
    dict(
        cell="alexnet_param_counts",
        name="bias forgotten",
        code="""
def alexnet_param_counts(input_shape=(227, 227, 3), n_classes=1000, pool_after_c7=False):
    input_shape = tuple(input_shape)
    if len(input_shape) != 3 or min(input_shape) < 1 or n_classes < 1:
        raise ValueError("bad input_shape or n_classes")
    h, w, c = input_shape
    counts = {}
    plan = [("C1", 96, 11, 4, "valid"), ("S2", None, 3, 2, "valid"), ("C3", 256, 5, 1, "same"),
            ("S4", None, 3, 2, "valid"), ("C5", 384, 3, 1, "same"), ("C6", 384, 3, 1, "same"),
            ("C7", 256, 3, 1, "same")]
    if pool_after_c7 and True:
        plan.append(("S7", None, 3, 2, "valid"))
    for name, filters, k, s, padding in plan:
        h, w = output_size(h, k, s, padding), output_size(w, k, s, padding)
        if filters is not None:
            counts[name] = (k * k * c + 0) * filters
            c = filters
    inputs = h * w * c
    for name, units in (("F8", 4096), ("F9", 4096), ("Out", n_classes)):
        counts[name] = (inputs + 0) * units
        inputs = units
    return counts
""",
        loses=["test_alexnet_param_counts"],
        feedback="bias forgotten",
    ),
    dict(
        cell="alexnet_param_counts",
        name="kernel depth forgotten: k*k per filter instead of k*k*c",
        base="bias forgotten",
        replace=[
            (
                "            counts[name] = (k * k * c + 0) * filters",
                "            counts[name] = (k * k * 1 + 1) * filters",
            ),
            (
                "        counts[name] = (inputs + 0) * units",
                "        counts[name] = (inputs + 1) * units",
            ),
        ],
        loses=["test_alexnet_param_counts"],
        feedback="the kernel's depth forgotten",
    ),
    dict(
        cell="alexnet_param_counts",
        name="pool_after_c7 ignored: F8 always reads 13x13x256",
        base="kernel depth forgotten: k*k per filter instead of k*k*c",
        replace=[
            (
                "    if pool_after_c7 and True:",
                "    if pool_after_c7 and False:",
            ),
            (
                "            counts[name] = (k * k * 1 + 1) * filters",
                "            counts[name] = (k * k * c + 1) * filters",
            ),
        ],
        loses=["test_alexnet_param_counts"],
        feedback="pool_after_c7 ignored",
    ),
    dict(
        cell="alexnet_param_counts",
        name="right counts, read from a Keras model instead of the formulas (the text forbids it)",
        code="""
def alexnet_param_counts(input_shape=(227, 227, 3), n_classes=1000, pool_after_c7=False):
    model = build_alexnet(input_shape, n_classes, pool_after_c7)
    return {layer.name: layer.count_params() for layer in model.layers if layer.count_params()}
""",
        loses=["test_alexnet_param_counts"],
        feedback="without building a Keras model",
    ),
    # inception_module -----------------------------------------------------------------------------
    dict(
        cell="inception_module",
        name="concatenated along the height (axis=1)",
        code="""
def inception_module(x, f1x1, f3x3_reduce, f3x3, f5x5_reduce, f5x5, pool_proj):
    if len(x.shape) != 4:
        raise ValueError("x must be 4D")
    for value in (f1x1, f3x3_reduce, f3x3, f5x5_reduce, f5x5, pool_proj):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError("filter counts must be positive integers")

    def conv(filters, kernel_size, padding="same"):
        return layers.Conv2D(filters, kernel_size, padding=padding, activation="relu")

    branch_1x1 = conv(f1x1, 1)(x)
    branch_3x3 = conv(f3x3, 3)(conv(f3x3_reduce, 1)(x))
    branch_5x5 = conv(f5x5, 5)(conv(f5x5_reduce, 1)(x))
    branch_pool = conv(pool_proj, 1)(layers.MaxPooling2D(3, strides=1, padding="same")(x))
    return layers.Concatenate(axis=1)([branch_1x1, branch_3x3, branch_5x5, branch_pool])
""",
        loses=["test_inception_module"],
        feedback="wrong concatenation axis",
    ),
    dict(
        cell="inception_module",
        name="1x1 reductions skipped",
        base="concatenated along the height (axis=1)",
        replace=[
            (
                """    branch_3x3 = conv(f3x3, 3)(conv(f3x3_reduce, 1)(x))
    branch_5x5 = conv(f5x5, 5)(conv(f5x5_reduce, 1)(x))""",
                """    branch_3x3 = conv(f3x3, 3)(x)
    branch_5x5 = conv(f5x5, 5)(x)""",
            ),
            (
                "    return layers.Concatenate(axis=1)([branch_1x1, branch_3x3, branch_5x5, branch_pool])",
                "    return layers.Concatenate(axis=-1)([branch_1x1, branch_3x3, branch_5x5, branch_pool])",
            ),
        ],
        loses=["test_inception_module"],
        feedback="1x1 reduction skipped",
    ),
    dict(
        cell="inception_module",
        name="average pooling in the pool branch",
        base="concatenated along the height (axis=1)",
        replace=[
            (
                """    branch_pool = conv(pool_proj, 1)(layers.MaxPooling2D(3, strides=1, padding="same")(x))
    return layers.Concatenate(axis=1)([branch_1x1, branch_3x3, branch_5x5, branch_pool])""",
                """    branch_pool = conv(pool_proj, 1)(layers.AveragePooling2D(3, strides=1, padding="same")(x))
    return layers.Concatenate(axis=-1)([branch_1x1, branch_3x3, branch_5x5, branch_pool])""",
            ),
        ],
        loses=["test_inception_module"],
        feedback="pooling type swapped",
    ),
    dict(
        cell="inception_module",
        name="no ReLU after the convolutions",
        base="concatenated along the height (axis=1)",
        replace=[
            (
                '        return layers.Conv2D(filters, kernel_size, padding=padding, activation="relu")',
                "        return layers.Conv2D(filters, kernel_size, padding=padding, use_bias=True)",
            ),
            (
                "    return layers.Concatenate(axis=1)([branch_1x1, branch_3x3, branch_5x5, branch_pool])",
                "    return layers.Concatenate(axis=-1)([branch_1x1, branch_3x3, branch_5x5, branch_pool])",
            ),
        ],
        loses=["test_inception_module"],
        feedback="missing activation",
    ),
    dict(
        cell="inception_module",
        name="branches concatenated in another order (pool branch first)",
        base="concatenated along the height (axis=1)",
        replace=[
            (
                "    return layers.Concatenate(axis=1)([branch_1x1, branch_3x3, branch_5x5, branch_pool])",
                "    return layers.Concatenate(axis=-1)([branch_pool, branch_1x1, branch_3x3, branch_5x5])",
            ),
        ],
        loses=["test_inception_module"],
        feedback="concatenated in the wrong order",
    ),
    dict(
        cell="inception_module",
        name="padding='valid' in the 3x3 and 5x5 convolutions",
        base="1x1 reductions skipped",
        replace=[
            (
                """    branch_3x3 = conv(f3x3, 3)(x)
    branch_5x5 = conv(f5x5, 5)(x)""",
                """    branch_3x3 = conv(f3x3, 3, "valid")(conv(f3x3_reduce, 1)(x))
    branch_5x5 = conv(f5x5, 5, "valid")(conv(f5x5_reduce, 1)(x))""",
            ),
        ],
        loses=["test_inception_module"],
        feedback="padding='same'",
    ),
    # inception_savings ----------------------------------------------------------------------------
    dict(
        cell="inception_savings",
        name="bias forgotten in the parameter counts",
        code="""
def inception_savings(input_shape, f1x1, f3x3_reduce, f3x3, f5x5_reduce, f5x5, pool_proj):
    input_shape = tuple(input_shape)
    filters = (f1x1, f3x3_reduce, f3x3, f5x5_reduce, f5x5, pool_proj)
    if len(input_shape) != 3 or min(input_shape) < 1 or min(filters) < 1:
        raise ValueError("bad input_shape or filters")
    h, w, c = input_shape
    reduced = [(1, c, f1x1), (1, c, f3x3_reduce), (3, f3x3_reduce, f3x3), (1, c, f5x5_reduce),
               (5, f5x5_reduce, f5x5), (1, c, pool_proj)]
    naive = [(1, c, f1x1), (3, c, f3x3), (5, c, f5x5), (1, c, pool_proj)]
    weights = lambda convs: sum(k * k * a * b for k, a, b in convs)
    biases = lambda convs: 0
    return {
        "params_reduced": weights(reduced) + biases(reduced),
        "params_naive": weights(naive) + biases(naive),
        "mult_adds_reduced": weights(reduced) * h * w,
        "mult_adds_naive": weights(naive) * h * w,
    }
""",
        loses=["test_inception_savings"],
        feedback="bias forgotten",
    ),
    dict(
        cell="inception_savings",
        name="multiply-adds not multiplied by the H x W output positions",
        base="bias forgotten in the parameter counts",
        replace=[
            (
                "    biases = lambda convs: 0",
                "    biases = lambda convs: sum(b for _, _, b in convs)",
            ),
            (
                """        "mult_adds_reduced": weights(reduced) * h * w,
        "mult_adds_naive": weights(naive) * h * w,""",
                """        "mult_adds_reduced": weights(reduced),
        "mult_adds_naive": weights(naive),""",
            ),
        ],
        loses=["test_inception_savings"],
        feedback="multiply-adds counted once per layer",
    ),
    dict(
        cell="inception_savings",
        name="naive module without the pool projection either",
        base="bias forgotten in the parameter counts",
        replace=[
            (
                "    naive = [(1, c, f1x1), (3, c, f3x3), (5, c, f5x5), (1, c, pool_proj)]",
                "    naive = [(1, c, f1x1), (3, c, f3x3), (5, c, f5x5)]",
            ),
            (
                "    biases = lambda convs: 0",
                "    biases = lambda convs: sum(b for _, _, b in convs)",
            ),
        ],
        loses=["test_inception_savings"],
        feedback="dropped the pool projection",
    ),
    # residual_unit --------------------------------------------------------------------------------
    dict(
        cell="residual_unit",
        name="ReLU on the main path before the addition, none after",
        code="""
def residual_unit(x, filters, strides=1):
    if len(x.shape) != 4 or filters < 1 or strides < 1:
        raise ValueError("bad input")
    main = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
    main = layers.BatchNormalization()(main)
    main = layers.Activation("relu")(main)
    main = layers.Conv2D(filters, 3, padding="same", use_bias=False)(main)
    main = layers.BatchNormalization()(main)
    main = layers.Activation("relu")(main)
    shortcut = x
    if strides > 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(
            filters, 1, strides=strides, padding="same", use_bias=False
        )(x)
        shortcut = layers.BatchNormalization()(shortcut)
    out = layers.Add()([main, shortcut])
    return out
""",
        loses=["test_residual_unit"],
        feedback="ReLU applied to the main path before the addition",
    ),
    dict(
        cell="residual_unit",
        name="projection shortcut without the stride",
        base="ReLU on the main path before the addition, none after",
        replace=[
            (
                """    main = layers.Conv2D(filters, 3, padding="same", use_bias=False)(main)
    main = layers.BatchNormalization()(main)
    main = layers.Activation("relu")(main)""",
                """    main = layers.Conv2D(filters, 3, padding="same", use_bias=False)(main)
    main = layers.BatchNormalization()(main)
    """,
            ),
            (
                '            filters, 1, strides=strides, padding="same", use_bias=False',
                '            filters, 1, strides=1, padding="same", use_bias=False',
            ),
            (
                "    return out",
                '    return layers.Activation("relu")(out)',
            ),
        ],
        loses=["test_residual_unit"],
        feedback="the shortcut does not match the main path",
    ),
    dict(
        cell="residual_unit",
        name="projection shortcut always, even where the identity fits",
        base="projection shortcut without the stride",
        replace=[
            (
                "    if strides > 1 or x.shape[-1] != filters:",
                "    if True:",
            ),
            (
                '            filters, 1, strides=1, padding="same", use_bias=False',
                '            filters, 1, strides=strides, padding="same", use_bias=False',
            ),
        ],
        loses=["test_residual_unit"],
        feedback="projection shortcut where the identity fits",
    ),
    dict(
        cell="residual_unit",
        name="bias kept in the convolutions before batch normalization",
        base="projection shortcut without the stride",
        replace=[
            (
                '    main = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)',
                '    main = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=True)(x)',
            ),
            (
                '    main = layers.Conv2D(filters, 3, padding="same", use_bias=False)(main)',
                '    main = layers.Conv2D(filters, 3, padding="same", use_bias=True)(main)',
            ),
            (
                '            filters, 1, strides=1, padding="same", use_bias=False',
                '            filters, 1, strides=strides, padding="same", use_bias=True',
            ),
        ],
        loses=["test_residual_unit"],
        feedback="bias kept in the convolutions",
    ),
]
