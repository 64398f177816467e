"""Correct answers for 09-segmentation built differently from the master (see README.md)."""

ALTERNATIVES = [
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
