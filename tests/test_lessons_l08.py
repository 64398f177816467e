"""cnncourse.lessons.l08: the checks of lesson 08's freezing exercise and its figure."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from cnncourse.lessons import l08  # noqa: E402


def _unfreeze(backbone, n_blocks, *, keep_bn_frozen=True, from_top=True):
    """A test double of the exercise's rule (optionally with a known mistake)."""
    keras = pytest.importorskip("keras")  # here, not at collection: a worker that runs none
    # of these tests does not import TensorFlow
    numbers = sorted({n for n in (l08.block_number(la.name) for la in backbone.layers) if n})
    chosen = set(numbers[len(numbers) - n_blocks :] if from_top else numbers[:n_blocks])
    if not n_blocks:
        chosen = set()
    backbone.trainable = True
    for layer in backbone.layers:
        is_bn = isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = l08.block_number(layer.name) in chosen and not (is_bn and keep_bn_frozen)
    trainable = sum(int(np.prod(w.shape)) for w in backbone.trainable_weights)
    return trainable, backbone.count_params()


@pytest.fixture(scope="module")
def backbone():
    return l08.block_backbone((16, 16, 3), blocks=3, width=2)


def test_block_number_reads_the_prefix_as_an_integer():
    assert l08.block_number("block12_sepconv1_bn") == 12
    assert l08.block_number("block3_pool") == 3
    assert l08.block_number("entry_conv") is None
    assert l08.block_number("myblock1_conv") is None


def test_block_backbone_names_its_blocks_and_starts_trainable(backbone):
    numbers = {l08.block_number(layer.name) for layer in backbone.layers}
    assert numbers == {None, 1, 2, 3}
    assert all(layer.trainable for layer in backbone.layers)
    with pytest.raises(ValueError, match="blocks must be at least 1"):
        l08.block_backbone(blocks=0)


@pytest.mark.parametrize("n_blocks", [0, 1, 3])
def test_check_unfrozen_accepts_the_rule(backbone, n_blocks):
    l08.check_unfrozen(backbone, _unfreeze(backbone, n_blocks), n_blocks)


@pytest.mark.parametrize(
    ("mistake", "feedback"),
    [
        (dict(from_top=False), "wrong end"),
        (dict(keep_bn_frozen=False), "BatchNormalization layers unfrozen"),
    ],
)
def test_check_unfrozen_names_the_mistake(backbone, mistake, feedback):
    result = _unfreeze(backbone, 1, **mistake)
    with pytest.raises(AssertionError, match=feedback):
        l08.check_unfrozen(backbone, result, 1)


def test_check_unfrozen_catches_counts_that_do_not_match_the_flags(backbone):
    trainable, total = _unfreeze(backbone, 2)
    backbone.trainable = False
    with pytest.raises(AssertionError, match="everything frozen"):
        l08.check_unfrozen(backbone, (trainable, total), 2)
    backbone.trainable = True


def test_batch_norm_statistics_do_not_move_when_frozen(backbone):
    _unfreeze(backbone, 3)
    before = l08.batch_norm_statistics(backbone)
    backbone(np.full((2, 16, 16, 3), 200.0, dtype="float32"), training=True)
    after = l08.batch_norm_statistics(backbone)
    assert len(before) == 2 * 7 and all(np.array_equal(b, a) for b, a in zip(before, after))


def test_iou_mistakes_differ_from_the_right_iou_where_they_matter():
    overlapping = l08.iou_mistakes(np.array([0.0, 0, 4, 2]), np.array([2.0, 0, 6, 2]))
    apart = l08.iou_mistakes(np.array([0.0, 0, 1, 1]), np.array([5.0, 5, 6, 6]))
    union, clamp = list(overlapping)
    assert not np.isclose(overlapping[union], 4.0 / 12.0)  # the right IoU
    assert not np.isclose(apart[clamp], 0.0)


def test_plot_transfer_curves_draws_both_scores_and_marks_the_unfreezing():
    curves = {
        "pretrained": {"accuracy": [0.5, 0.9], "mean_iou": [0.3, 0.6]},
        "scratch": {"accuracy": [0.2, 0.4], "mean_iou": [0.2, 0.3]},
    }
    fig = l08.plot_transfer_curves(curves, unfreeze_epoch=1, title="t")
    left, right = fig.axes
    assert len(left.lines) == 3 and len(right.lines) == 3  # two runs and the marker
    assert "accuracy" in left.get_ylabel() and "IoU" in right.get_ylabel()


def test_plot_transfer_curves_rejects_incomplete_runs():
    with pytest.raises(ValueError, match="lacks"):
        l08.plot_transfer_curves({"scratch": {"accuracy": [0.1]}})
    with pytest.raises(ValueError, match="at least one run"):
        l08.plot_transfer_curves({})
