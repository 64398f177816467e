"""cnncourse.boxdata: generated localization data, exact boxes, seeds and errors."""

from __future__ import annotations

import numpy as np
import pytest

from cnncourse import boxdata


def _digits(k=30, seed=0):
    """Small fake grey 'digits': random blobs in a 28x28 frame, labels 0..9."""
    rng = np.random.default_rng(seed)
    images = np.zeros((k, 28, 28), dtype=np.uint8)
    for i in range(k):
        top, left = rng.integers(2, 8, size=2)
        h, w = rng.integers(8, 18, size=2)
        images[i, top : top + h, left : left + w] = rng.integers(100, 256)
    return images, np.arange(k) % 10


def _object_pixels(images):
    """Pixels brighter than the background noise can be: the object's."""
    return images.max(axis=-1) > boxdata.NOISE_LEVEL * 255 + 1


@pytest.fixture(scope="module")
def digit_data():
    images, labels = _digits()
    return boxdata.make_digit_boxes(images, labels, 60, canvas=48, seed=3)


def test_shapes_dtypes_and_describe(digit_data):
    assert len(digit_data) == 60
    assert digit_data.images.shape == (60, 48, 48, 3) and digit_data.images.dtype == np.uint8
    assert digit_data.labels.shape == (60,) and digit_data.labels.dtype == np.int64
    assert digit_data.boxes.shape == (60, 4) and digit_data.boxes.dtype == np.float32
    assert digit_data.class_names == tuple("0123456789")
    assert "GENERATED" in digit_data.describe() and "48x48x3" in digit_data.describe()


@pytest.mark.parametrize("maker", ["digits", "shapes"])
def test_boxes_are_the_tight_boxes_of_the_objects(maker, digit_data):
    data = digit_data if maker == "digits" else boxdata.make_shape_boxes(40, canvas=64, seed=1)
    for image, box in zip(_object_pixels(data.images), data.boxes):
        x0, y0, x1, y1 = (int(v) for v in box)
        assert 0 <= x0 < x1 <= image.shape[1] and 0 <= y0 < y1 <= image.shape[0]
        inside = np.zeros_like(image)
        inside[y0:y1, x0:x1] = True
        assert not (image & ~inside).any(), "object pixels outside the box"
        # tight: every edge of the box touches the object
        assert image[y0, x0:x1].any() and image[y1 - 1, x0:x1].any()
        assert image[y0:y1, x0].any() and image[y0:y1, x1 - 1].any()


def test_object_sizes_follow_the_scale_range():
    data = boxdata.make_shape_boxes(200, canvas=64, scale=(0.4, 0.6), seed=2)
    longer = np.maximum(data.boxes[:, 2] - data.boxes[:, 0], data.boxes[:, 3] - data.boxes[:, 1])
    assert longer.min() >= 0.4 * 64 - 3 and longer.max() <= 0.6 * 64 + 1
    centres_x = (data.boxes[:, 0] + data.boxes[:, 2]) / 2
    assert centres_x.std() > 4, "objects should land at varied positions"
    assert set(np.unique(data.labels)) == set(range(len(boxdata.SHAPE_NAMES)))


def test_same_seed_same_data_other_seed_other_data():
    images, labels = _digits()
    a = boxdata.make_digit_boxes(images, labels, 10, canvas=32, seed=5)
    b = boxdata.make_digit_boxes(images, labels, 10, canvas=32, seed=5)
    c = boxdata.make_digit_boxes(images, labels, 10, canvas=32, seed=6)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.boxes, b.boxes)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert not np.array_equal(a.boxes, c.boxes)


def test_labels_follow_their_objects():
    shapes = np.stack([boxdata.draw_shape(k, 20) for k in range(len(boxdata.SHAPE_NAMES))])
    data = boxdata.place_objects(shapes[[1]], np.array([3]), 5, canvas=32, seed=0)
    assert (data.labels == 3).all()
    assert data.class_names == ("0", "1", "2", "3")


def test_tight_box():
    mask = np.zeros((6, 8), dtype=bool)
    mask[1:3, 2:7] = True
    assert boxdata.tight_box(mask) == (2, 1, 7, 3)
    with pytest.raises(ValueError, match="empty"):
        boxdata.tight_box(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="2D"):
        boxdata.tight_box(np.ones(4))


def test_draw_shape_all_kinds_and_errors():
    for kind in range(len(boxdata.SHAPE_NAMES)):
        shape = boxdata.draw_shape(kind, 24)
        assert shape.shape == (24, 24) and 0 < shape.mean() < 1
    with pytest.raises(ValueError, match="kind"):
        boxdata.draw_shape(len(boxdata.SHAPE_NAMES))
    with pytest.raises(ValueError, match="size"):
        boxdata.draw_shape(0, 4)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(objects=np.zeros((3, 28)), labels=np.arange(3)), "objects"),
        (dict(labels=np.arange(4)), "labels"),
        (dict(labels=np.array([0.0, 1.0, 2.0])), "integers"),
        (dict(n=0), "n must"),
        (dict(canvas=8), "canvas"),
        (dict(scale=(0.9, 0.5)), "scale"),
        (dict(scale=(0.0, 0.5)), "scale"),
        (dict(class_names=("a", "b")), "class names"),
        (dict(objects=np.zeros((3, 28, 28))), "blank"),
    ],
)
def test_clear_errors(kwargs, match):
    images, labels = _digits(3)
    arguments = dict(objects=images, labels=labels, n=4, canvas=32)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=match):
        boxdata.place_objects(**arguments)
