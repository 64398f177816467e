"""Correct answers built differently from the master: each must keep every point."""

ALTERNATIVES = [
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
