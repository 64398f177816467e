"""cnncourse.segdata and nucleidata: generated nuclei, folders, the real sample, splits by image."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from skimage.filters import threshold_otsu

from cnncourse import nucleidata, segdata


def _save(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def _dice(a, b):
    a, b = a.astype(bool), b.astype(bool)
    total = a.sum() + b.sum()
    return 1.0 if total == 0 else 2 * (a & b).sum() / total


@pytest.fixture(scope="module")
def cells():
    return segdata.make_cells(24, seed=3)


def test_make_cells_shapes_dtypes_and_consistency(cells):
    assert len(cells) == 24
    assert cells.images.shape == (24, 128, 128, 3) and cells.images.dtype == np.uint8
    assert cells.masks.shape == (24, 128, 128) and cells.masks.dtype == np.uint8
    assert cells.labels.shape == (24, 128, 128) and cells.labels.dtype == np.int32
    assert set(np.unique(cells.masks)) <= {0, 1}
    np.testing.assert_array_equal(cells.masks, (cells.labels > 0).astype(np.uint8))
    assert cells.is_generated and "GENERATED" in cells.describe()
    for label in cells.labels:  # instance labels are 1..k with no gaps
        found = np.unique(label[label > 0])
        np.testing.assert_array_equal(found, np.arange(1, len(found) + 1))
        assert len(found) >= 3


def test_make_cells_is_reproducible_and_seeded():
    a, b = segdata.make_cells(3, seed=7), segdata.make_cells(3, seed=7)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.labels, b.labels)
    c = segdata.make_cells(3, seed=8)
    assert not np.array_equal(a.masks, c.masks)


def test_make_cells_has_touching_nuclei(cells):
    # Touching nuclei merge into one connected blob of the mask: fewer blobs than instances.
    blobs = sum(ndimage.label(m, np.ones((3, 3)))[1] for m in cells.masks)
    instances = sum(int(label.max()) for label in cells.labels)
    assert blobs < instances * 0.95


def test_make_cells_defeats_a_global_threshold(cells):
    scores = []
    for image, mask in zip(cells.images, cells.masks):
        grey = image.astype(float).mean(axis=-1)
        scores.append(_dice(mask, grey > threshold_otsu(grey)))
    assert np.mean(scores) < 0.8


def test_make_cells_other_size_and_bad_arguments():
    small = segdata.make_cells(2, size=64, seed=1)
    assert small.images.shape == (2, 64, 64, 3)
    for kwargs, message in (
        (dict(n=0), "n must be a positive integer"),
        (dict(n=2, size=16), "size must be an integer >= 32"),
        (dict(n=2, cells=(5, 2)), r"cells must be \(min, max\)"),
        (dict(n=2, radius=(0, 3)), r"radius must be \(min, max\)"),
        (dict(n=2, touching=1.5), r"touching is a fraction in \[0, 1\]"),
    ):
        with pytest.raises(ValueError, match=message):
            segdata.make_cells(**kwargs)


def test_prepare_image_and_mask_handle_grey_rgb_rgba_and_16_bit():
    grey = np.arange(50 * 70, dtype=np.uint8).reshape(50, 70)
    out = segdata.prepare_image(grey, 128)
    assert out.shape == (128, 128, 3) and out.dtype == np.uint8
    np.testing.assert_array_equal(out[..., 0], out[..., 2])
    rgba = np.zeros((40, 30, 4), dtype=np.uint8)
    assert segdata.prepare_image(rgba, 32).shape == (32, 32, 3)
    deep = (np.arange(900, dtype=np.uint16) * 60).reshape(30, 30)
    stretched = segdata.prepare_image(deep, 30)
    assert stretched.min() == 0 and stretched.max() == 255
    with pytest.raises(ValueError, match="must be grey"):
        segdata.prepare_image(np.zeros((4, 4, 2)), 8)
    mask = np.zeros((20, 20), dtype=np.uint16)
    mask[5:10, 5:10] = 3  # an instance label image counts as foreground too
    prepared = segdata.prepare_mask(mask, 40)
    assert prepared.shape == (40, 40) and set(np.unique(prepared)) == {0, 1}
    assert prepared.sum() == 100
    assert segdata.prepare_mask(np.full((8, 8), 100, np.uint8), 8, jpeg=True).sum() == 0


def test_load_folder_images_and_masks_layout(tmp_path):
    rng = np.random.default_rng(0)
    _save(tmp_path / "images" / "a.png", rng.integers(0, 255, (60, 90, 3), dtype=np.uint8))
    _save(tmp_path / "images" / "b.jpg", rng.integers(0, 255, (200, 100), dtype=np.uint8))
    mask_a = np.zeros((60, 90), np.uint8)
    mask_a[10:30, 20:50] = 255
    _save(tmp_path / "masks" / "a.png", mask_a)
    _save(tmp_path / "masks" / "b_mask.png", np.ones((200, 100), np.uint8))
    data = segdata.load_folder(tmp_path)
    assert data.images.shape == (2, 128, 128, 3) and data.masks.shape == (2, 128, 128)
    assert not data.is_generated and data.labels is None
    assert set(np.unique(data.masks[0])) == {0, 1} and data.masks[1].all()
    assert "2 pairs" in data.describe()
    assert len(segdata.load_folder(tmp_path, size=64, limit=1)) == 1


def test_load_folder_data_science_bowl_layout(tmp_path):
    for sample in ("s1", "s2"):
        _save(tmp_path / sample / "images" / f"{sample}.png", np.zeros((64, 64, 4), np.uint8))
        for k, rows in enumerate((slice(0, 10), slice(30, 40))):
            mask = np.zeros((64, 64), np.uint8)
            mask[rows, 5:20] = 255
            _save(tmp_path / sample / "masks" / f"m{k}.png", mask)
    data = segdata.load_folder(tmp_path, size=64)
    assert data.images.shape == (2, 64, 64, 3)
    assert data.labels is not None and int(data.labels[0].max()) == 2
    np.testing.assert_array_equal(data.masks, (data.labels > 0).astype(np.uint8))


def test_load_folder_wrong_folders_raise_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=segdata.SEG_DIR_VARIABLE):
        segdata.load_folder(tmp_path / "nowhere")
    (tmp_path / "file.txt").write_text("not a folder")
    with pytest.raises(NotADirectoryError, match="is a file; CNN_COURSE_SEG_DIR must name"):
        segdata.load_folder(tmp_path / "file.txt")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="no image/mask pairs"):
        segdata.load_folder(empty)
    unmatched = tmp_path / "unmatched"
    _save(unmatched / "images" / "x.png", np.zeros((8, 8), np.uint8))
    (unmatched / "masks").mkdir()
    with pytest.raises(ValueError, match="no mask of the same name"):
        segdata.load_folder(unmatched)
    sizes = tmp_path / "sizes"
    _save(sizes / "images" / "x.png", np.zeros((8, 8), np.uint8))
    _save(sizes / "masks" / "x.png", np.zeros((9, 8), np.uint8))
    with pytest.raises(ValueError, match="must match its image"):
        segdata.load_folder(sizes)
    broken = tmp_path / "broken"
    (broken / "images").mkdir(parents=True)
    (broken / "images" / "x.png").write_bytes(b"not a png")
    _save(broken / "masks" / "x.png", np.zeros((8, 8), np.uint8))
    with pytest.raises(ValueError, match="Cannot read"):
        segdata.load_folder(broken)
    bowl = tmp_path / "bowl"
    _save(bowl / "s1" / "images" / "s1.png", np.zeros((8, 8), np.uint8))
    with pytest.raises(ValueError, match="no mask files"):
        segdata.load_folder(bowl)
    with pytest.raises(ValueError, match="limit must be a positive integer"):
        segdata.load_folder(sizes, limit=0)


def test_load_segmentation_data_picks_argument_then_variable_then_generated(tmp_path, monkeypatch):
    _save(tmp_path / "images" / "a.png", np.zeros((10, 10), np.uint8))
    _save(tmp_path / "masks" / "a.png", np.zeros((10, 10), np.uint8))
    monkeypatch.delenv(segdata.SEG_DIR_VARIABLE, raising=False)
    generated = segdata.load_segmentation_data(2, size=64)
    assert generated.is_generated and generated.images.shape == (2, 64, 64, 3)
    monkeypatch.setenv(segdata.SEG_DIR_VARIABLE, str(tmp_path))
    assert not segdata.load_segmentation_data(5).is_generated
    monkeypatch.setenv(segdata.SEG_DIR_VARIABLE, str(tmp_path / "typo"))
    with pytest.raises(
        FileNotFoundError, match="typo"
    ):  # a wrong folder is never replaced silently
        segdata.load_segmentation_data(5)
    assert len(segdata.load_segmentation_data(5, directory=tmp_path)) == 1


# --------------------------------------------------------------------------- real data, splits


def _pair_folder(root, names, size=(150, 200)):
    """images/ + masks/ with one bright square nucleus per image."""
    rng = np.random.default_rng(0)
    for name in names:
        image = rng.integers(0, 30, size=size, dtype=np.uint8)
        mask = np.zeros(size, dtype=np.uint8)
        mask[40:70, 50:90] = 1
        image[mask > 0] += 120
        _save(root / "images" / f"{name}.png", image)
        _save(root / "masks" / f"{name}.png", mask * 255)


def test_split_by_image_never_shares_an_image_between_parts():
    groups = np.repeat([f"img{k}" for k in range(20)], 6)
    train, val, test = nucleidata.split_by_image(groups, (0.1, 0.2), seed=4)
    assert len(train) + len(val) + len(test) == len(groups)
    parts = [set(groups[p]) for p in (train, val, test)]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert len(parts[1]) == 2 and len(parts[2]) == 4


def test_split_by_image_with_one_image_keeps_it_for_training():
    train, val, test = nucleidata.split_by_image(np.array(["a"] * 5))
    assert len(train) == 5 and len(val) == len(test) == 0


def test_split_by_image_rejects_bad_fractions():
    with pytest.raises(ValueError, match="add up to less than 1"):
        nucleidata.split_by_image(np.array(["a", "b"]), (0.6, 0.5))


def test_tile_covers_the_image_and_pads_small_ones():
    image = np.arange(300 * 200).reshape(300, 200)
    tiles = nucleidata.tile(image, 128)
    assert tiles.shape == (3 * 2, 128, 128)
    np.testing.assert_array_equal(tiles[-1], image[-128:, -128:])  # last tiles end at the border
    assert nucleidata.tile(np.ones((50, 60, 3)), 64).shape == (1, 64, 64, 3)
    with pytest.raises(ValueError, match="stride must be a positive integer"):
        nucleidata.tile(image, 128, stride=0)


def test_stretch_maps_percentiles_to_the_full_range():
    image = np.linspace(10, 40, 1000).reshape(25, 40)
    out = nucleidata.stretch(image, 0, 100)
    assert out.dtype == np.uint8 and out.min() == 0 and out.max() == 255
    assert not nucleidata.stretch(np.full((4, 4), 7)).any()
    with pytest.raises(ValueError, match="low < high"):
        nucleidata.stretch(image, 50, 10)


def test_train_test_folder_trains_on_train_and_tests_on_test(tmp_path):
    _pair_folder(tmp_path / "train", [f"t{k}" for k in range(10)])
    _pair_folder(tmp_path / "test", ["x0", "x1"])
    splits, note = nucleidata.lesson_splits(128, real=True, directory=tmp_path)
    assert "train/" in note and "test/" in note
    assert set(splits["test"].groups) == {"x0", "x1"}
    train, val = set(splits["train"].groups), set(splits["validation"].groups)
    assert train and val and not train & val and len(train | val) == 10
    assert splits["train"].images.shape[1:] == (128, 128, 3)
    assert len(splits["test"]) == 2 * 4  # 150x200 -> 2x2 tiles of 128 (the last ones moved in)


def test_folder_without_train_test_is_split_by_image(tmp_path, monkeypatch):
    _pair_folder(tmp_path, [f"img{k}" for k in range(10)], size=(64, 64))
    monkeypatch.setenv(segdata.SEG_DIR_VARIABLE, str(tmp_path))
    splits, note = nucleidata.lesson_splits(64, real=True)
    assert "split 80/10/10 by image" in note
    assert [len(splits[k]) for k in ("train", "validation", "test")] == [8, 1, 1]
    groups = [set(splits[k].groups) for k in ("train", "validation", "test")]
    assert not (groups[0] & groups[1] or groups[0] & groups[2] or groups[1] & groups[2])


def test_split_folder_with_a_missing_mask_names_it(tmp_path):
    _pair_folder(tmp_path / "train", ["a", "b"])
    _pair_folder(tmp_path / "test", ["c"])
    (tmp_path / "train" / "masks" / "b.png").unlink()
    with pytest.raises(ValueError, match="without a mask of the same name"):
        nucleidata.load_split_folder(tmp_path)


def test_fast_mode_uses_generated_images_split_by_image(monkeypatch):
    monkeypatch.delenv(segdata.SEG_DIR_VARIABLE, raising=False)
    splits, note = nucleidata.lesson_splits(64, real=False, n_generated=20)
    assert "generated" in note and splits["train"].is_generated
    assert sum(len(s) for s in splits.values()) == 20


def test_shipped_sample_holds_out_a_quadrant():
    sample = nucleidata.load_sample()
    assert {k: len(v) for k, v in sample.items()} == {"train": 50, "validation": 4, "test": 4}
    assert set(sample["test"].groups) == {"quadrant bottom-right"}
    assert not set(sample["test"].groups) & set(sample["train"].groups)
    assert 0.1 < sample["test"].masks.mean() < 0.3  # nuclei cover about a fifth of it
    assert (nucleidata.SAMPLE_DIR / "SOURCE.md").is_file()


def test_without_network_the_real_data_falls_back_to_the_sample(monkeypatch, tmp_path):
    def offline(*args, **kwargs):
        raise OSError("no network in this test")

    monkeypatch.delenv(segdata.SEG_DIR_VARIABLE, raising=False)
    monkeypatch.setenv(nucleidata.CACHE_VARIABLE, str(tmp_path))
    monkeypatch.setattr(nucleidata.urllib.request, "urlopen", offline)
    with pytest.raises(ConnectionError, match="put dsb2018.zip in"):
        nucleidata.fetch_public_set()
    splits, note = nucleidata.lesson_splits(128, real=True)
    assert "shipped sample" in note and "could not be had" in note
    assert len(splits["test"]) == 4


def test_public_set_is_checked_and_cached(monkeypatch, tmp_path):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for part in ("train", "test"):
            for sub in ("images", "masks"):
                zipped.writestr(f"dsb2018/{part}/{sub}/a.png", b"")
    payload = buffer.getvalue()
    calls = []

    def fake_urlopen(url, timeout):
        calls.append(url)
        return io.BytesIO(payload)

    monkeypatch.setattr(nucleidata.urllib.request, "urlopen", fake_urlopen)
    with pytest.raises(ValueError, match="broken or changed download"):
        nucleidata.fetch_public_set(tmp_path, checksum="0" * 64)
    assert not (tmp_path / "dsb2018.zip").exists()
    import hashlib

    folder = nucleidata.fetch_public_set(tmp_path, checksum=hashlib.sha256(payload).hexdigest())
    assert folder == tmp_path / "dsb2018" and nucleidata.has_split(folder)
    nucleidata.fetch_public_set(tmp_path, checksum="ignored once unpacked")
    assert len(calls) == 2
