"""Real microscopy for lesson 09: a shipped sample, the public set, splits by image.

Three sources of real nuclei images, one format (:class:`cnncourse.segdata.SegData`, with
``groups`` naming the source image of every 128x128 tile):

* :func:`load_sample` -- one fluorescence image of the 2018 Data Science Bowl (BBBC038, CC0),
  512x512 pixels with 125 hand-labelled nuclei, shipped in ``cnncourse/data/nuclei`` (see the
  ``SOURCE.md`` there). With one image there is no "other image" to test on: its quadrants are
  the parts, and the test quadrant is never seen in training.
* :func:`fetch_public_set` -- the StarDist subset of the same challenge (447 training and 50
  test images with masks, ``train/`` and ``test/`` folders), downloaded once from
  :data:`PUBLIC_URL`, checked against :data:`PUBLIC_SHA256` and kept in a cache folder.
* :func:`load_split_folder` -- any folder with ``train/`` and ``test/``, each holding
  ``images/`` + ``masks/`` (the public set has this layout, and so may yours).

:func:`tile` cuts an image into square tiles (real images are larger than the network's input
and must not be squashed: nuclei would shrink), :func:`split_by_image` splits tiles so that no
image lends tiles to two parts, and :func:`stretch` rescales dim microscopy to 0-255.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import urllib.request
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from cnncourse.segdata import IMAGE_SUFFIXES, SegData, _read

SAMPLE_DIR = Path(__file__).resolve().parent / "data" / "nuclei"
SAMPLE_IMAGE = SAMPLE_DIR / "dsb2018-stardist-img2d.png"
SAMPLE_MASK = SAMPLE_DIR / "dsb2018-stardist-img2d_mask.png"
SAMPLE_NAME = "2018 Data Science Bowl (BBBC038), one fluorescence image shipped with the course"
PUBLIC_URL = "https://github.com/stardist/stardist/releases/download/0.1.0/dsb2018.zip"
PUBLIC_SHA256 = "e44921950edce378063aa4457e625581ba35b4c2dbd9a07c19d48900129f386f"
PUBLIC_NAME = "2018 Data Science Bowl (BBBC038), StarDist subset"
CACHE_VARIABLE = "CNN_COURSE_CACHE"


def stretch(image: np.ndarray, low: float = 1.0, high: float = 99.8) -> np.ndarray:
    """Rescale an image's ``low``-``high`` percentile range to 0-255 (uint8), clipping the rest.

    Microscopes record dim images (the shipped sample's nuclei sit at 10-50 of 255), in 8,
    12 or 16 bits; stretching each image by its own percentiles gives every image the same
    range, so the network sees contrast, not the camera's settings.

    Raises:
        ValueError: percentiles not in 0 <= low < high <= 100.
    """
    if not 0 <= low < high <= 100:
        raise ValueError(f"need 0 <= low < high <= 100, got low={low!r}, high={high!r}")
    values = np.asarray(image, dtype=np.float64)
    lo, hi = np.percentile(values, [low, high])
    if hi <= lo:
        return np.zeros(values.shape, dtype=np.uint8)
    return np.rint(np.clip((values - lo) / (hi - lo), 0, 1) * 255).astype(np.uint8)


def _rgb(grey_or_rgb: np.ndarray) -> np.ndarray:
    array = np.asarray(grey_or_rgb)
    if array.ndim == 3 and array.shape[-1] == 4:
        array = array[..., :3]
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=-1)
    if array.ndim != 3 or array.shape[-1] != 3:
        raise ValueError(f"an image must be grey (H, W) or RGB(A) (H, W, 3/4), got {array.shape}")
    return array


def tile(array: np.ndarray, size: int = 128, stride: int | None = None) -> np.ndarray:
    """Square ``size`` x ``size`` tiles of an image ``(H, W, ...)``, ``stride`` apart.

    Without ``stride`` the tiles do not overlap. The last row and column of tiles are moved
    in so that they end at the border (they overlap their neighbours rather than leave pixels
    out); an image smaller than ``size`` is padded by reflection first.

    Raises:
        ValueError: ``size`` or ``stride`` not a positive integer, or a 0-D/1-D array.
    """
    array = np.asarray(array)
    if int(size) != size or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    stride = size if stride is None else stride
    if int(stride) != stride or stride < 1:
        raise ValueError(f"stride must be a positive integer, got {stride!r}")
    if array.ndim < 2:
        raise ValueError(f"tile needs an image (H, W, ...), got shape {array.shape}")
    pad_h, pad_w = max(0, size - array.shape[0]), max(0, size - array.shape[1])
    if pad_h or pad_w:
        widths = [(0, pad_h), (0, pad_w)] + [(0, 0)] * (array.ndim - 2)
        array = np.pad(array, widths, mode="reflect" if min(array.shape[:2]) > 1 else "edge")

    def starts(length: int) -> list[int]:
        points = list(range(0, length - size + 1, stride))
        if points[-1] != length - size:
            points.append(length - size)
        return points

    return np.stack(
        [
            array[r : r + size, c : c + size]
            for r in starts(array.shape[0])
            for c in starts(array.shape[1])
        ]
    )


def split_by_image(
    groups: np.ndarray, fractions: tuple[float, float] = (0.1, 0.1), seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices ``(train, validation, test)`` such that no image has tiles in two parts.

    ``groups[i]`` names the image tile ``i`` was cut from. Whole images are drawn at random
    for validation and test, ``fractions`` of the images each (at least one image each when
    there are three images or more; with two, validation gets none, with one, only train).

    Raises:
        ValueError: fractions outside [0, 1) or adding up to 1 or more, or no groups.
    """
    groups = np.asarray(groups)
    if groups.ndim != 1 or len(groups) == 0:
        raise ValueError(f"groups must be a non-empty 1-D array, got shape {groups.shape}")
    val_fraction, test_fraction = fractions
    if not (0 <= val_fraction < 1 and 0 <= test_fraction < 1 and sum(fractions) < 1):
        raise ValueError(f"fractions must lie in [0, 1) and add up to less than 1: {fractions}")
    names = np.unique(groups)
    order = np.random.default_rng(seed).permutation(len(names))
    n = len(names)
    n_test = max(1, round(n * test_fraction)) if test_fraction and n >= 2 else 0
    n_val = max(1, round(n * val_fraction)) if val_fraction and n >= 3 else 0
    test_names = names[order[:n_test]]
    val_names = names[order[n_test : n_test + n_val]]
    is_test, is_val = np.isin(groups, test_names), np.isin(groups, val_names)
    train = np.flatnonzero(~is_test & ~is_val)
    return train, np.flatnonzero(is_val), np.flatnonzero(is_test)


def tiles_of(
    images: list[np.ndarray],
    masks: list[np.ndarray],
    names: list[str],
    source: str,
    size: int = 128,
    stride: int | None = None,
) -> SegData:
    """Cut image/mask pairs into tiles; ``groups`` records each tile's image name.

    Images are stretched (:func:`stretch`) and made RGB; masks are instance labels or 0/1.

    Raises:
        ValueError: lengths differ, or an image and its mask differ in size.
    """
    if not len(images) == len(masks) == len(names) or not images:
        raise ValueError("need the same, non-zero number of images, masks and names")
    out_images, out_masks, out_labels, out_groups = [], [], [], []
    for image, mask, name in zip(images, masks, names):
        image, mask = np.asarray(image), np.asarray(mask)
        if mask.ndim == 3:
            mask = mask[..., :3].max(axis=-1)
        if image.shape[:2] != mask.shape:
            raise ValueError(
                f"{name}: the image is {image.shape[:2]} but its mask {mask.shape}; "
                "a mask must match its image"
            )
        grey = image if image.ndim == 2 else _rgb(image).mean(axis=-1)
        rgb = _rgb(stretch(grey))
        labels = mask.astype(np.int32)
        image_tiles, label_tiles = tile(rgb, size, stride), tile(labels, size, stride)
        out_images.append(image_tiles)
        out_labels.append(label_tiles)
        out_masks.append((label_tiles > 0).astype(np.uint8))
        out_groups += [name] * len(image_tiles)
    return SegData(
        np.concatenate(out_images),
        np.concatenate(out_masks),
        np.concatenate(out_labels),
        source,
        False,
        np.array(out_groups),
    )


def _quadrants(array: np.ndarray) -> list[np.ndarray]:
    h, w = array.shape[0] // 2, array.shape[1] // 2
    return [array[:h, :w], array[:h, w:], array[h:, :w], array[h:, w:]]


def load_sample(size: int = 128) -> dict[str, SegData]:
    """The shipped real image as ``{"train", "validation", "test"}`` tiles of ``size``.

    The 512x512 image is cut into quadrants: the left two train (tiles every ``size // 4``
    pixels, so training sees every nucleus in several positions), the top-right one validates
    and the bottom-right one tests (non-overlapping tiles). Groups name the quadrant.
    """
    from PIL import Image

    with Image.open(SAMPLE_IMAGE) as file:
        image = np.asarray(file)
    with Image.open(SAMPLE_MASK) as file:
        mask = np.asarray(file).astype(np.int32)
    parts = dict(zip(("top-left", "top-right", "bottom-left", "bottom-right"), range(4)))
    images, masks = _quadrants(image), _quadrants(mask)

    def part(names: tuple[str, ...], stride: int | None) -> SegData:
        chosen = [parts[n] for n in names]
        return tiles_of(
            [images[i] for i in chosen],
            [masks[i] for i in chosen],
            [f"quadrant {n}" for n in names],
            f"{SAMPLE_NAME}: {', '.join(names)} quadrant(s)",
            size,
            stride,
        )

    return {
        "train": part(("top-left", "bottom-left"), max(1, size // 4)),
        "validation": part(("top-right",), None),
        "test": part(("bottom-right",), None),
    }


def _read_pairs(folder: Path, limit: int | None) -> tuple[list, list, list[str]]:
    images_dir, masks_dir = folder / "images", folder / "masks"
    if not images_dir.is_dir() or not masks_dir.is_dir():
        raise ValueError(f"{folder} needs images/ and masks/ folders (paired by file name)")
    masks = {p.stem: p for p in masks_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES}
    files = sorted(p for p in images_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    missing = [p.name for p in files if p.stem not in masks and f"{p.stem}_mask" not in masks]
    if missing or not files:
        raise ValueError(
            f"{images_dir}: {len(files)} images, {len(missing)} without a mask of the same name "
            f"in {masks_dir} (e.g. {', '.join(missing[:3]) or 'no images at all'})"
        )
    files = files[:limit] if limit else files
    images = [_read(p) for p in files]
    labels = [_read(masks.get(p.stem) or masks[f"{p.stem}_mask"]) for p in files]
    return images, labels, [p.stem for p in files]


def has_split(directory: str | os.PathLike[str]) -> bool:
    """True when ``directory`` holds ``train/`` and ``test/``, each with images/ + masks/."""
    path = Path(directory)
    parts = [path / part / sub for part in ("train", "test") for sub in ("images", "masks")]
    return all(p.is_dir() for p in parts)


def load_split_folder(
    directory: str | os.PathLike[str],
    size: int = 128,
    limit: tuple[int | None, int | None] = (None, None),
    val_fraction: float = 0.1,
    seed: int = 0,
    name: str | None = None,
) -> dict[str, SegData]:
    """``train/`` and ``test/`` folders as ``{"train", "validation", "test"}`` tiles.

    Each image is cut into non-overlapping ``size`` tiles (not resized: the nuclei keep their
    size). Validation is ``val_fraction`` of the *training images*, whole images. ``limit``
    keeps the first (train, test) images by name, for a quicker run.

    Raises:
        ValueError: a part is missing, or an image lacks its mask.
    """
    path = Path(directory).expanduser()
    if not has_split(path):
        raise ValueError(
            f"{path} needs train/images, train/masks, test/images and test/masks "
            "(masks paired with images by file name)"
        )
    label = name or str(path)
    train_all = tiles_of(*_read_pairs(path / "train", limit[0]), f"{label} train", size)
    test = tiles_of(*_read_pairs(path / "test", limit[1]), f"{label} test", size)
    train_idx, val_idx, _ = split_by_image(train_all.groups, (val_fraction, 0.0), seed)
    return {
        "train": subset(train_all, train_idx),
        "validation": subset(train_all, val_idx),
        "test": test,
    }


def subset(data: SegData, index: np.ndarray) -> SegData:
    """The samples ``index`` of ``data`` (images, masks, labels and groups alike)."""
    return replace(
        data,
        images=data.images[index],
        masks=data.masks[index],
        labels=None if data.labels is None else data.labels[index],
        groups=None if data.groups is None else data.groups[index],
    )


def cache_dir() -> Path:
    """Where downloads are kept: ``$CNN_COURSE_CACHE``, else ``~/.cache/cnncourse``."""
    chosen = os.environ.get(CACHE_VARIABLE, "").strip()
    return Path(chosen).expanduser() if chosen else Path.home() / ".cache" / "cnncourse"


def sha256(path: Path) -> str:
    """The SHA-256 of a file, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_public_set(
    cache: Path | None = None,
    url: str = PUBLIC_URL,
    checksum: str = PUBLIC_SHA256,
    timeout: float = 30.0,
) -> Path:
    """The public set's folder (with ``train/`` and ``test/``), downloading it once.

    The zip file is fetched from ``url`` into ``cache`` (default :func:`cache_dir`), checked
    against ``checksum`` (SHA-256) and unpacked to ``cache/dsb2018``; later calls find it there
    and touch no network.

    Raises:
        ConnectionError: the download failed (no network?), with what to do instead.
        ValueError: the file's checksum differs (it is deleted).
    """
    cache = cache or cache_dir()
    folder = cache / "dsb2018"
    if has_split(folder):
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / "dsb2018.zip"
    if not archive.exists():
        partial = archive.with_suffix(".part")
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                with open(partial, "wb") as out:
                    shutil.copyfileobj(response, out)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise ConnectionError(
                f"Could not download the public nuclei set from {url} ({error}). Without a "
                f"network, download it elsewhere and put dsb2018.zip in {cache} (or unpack it "
                f"there), or set CNN_COURSE_SEG_DIR to a folder of your own."
            ) from error
        partial.rename(archive)
    found = sha256(archive)
    if found != checksum:
        archive.unlink()
        raise ValueError(
            f"{url} gave a file with SHA-256 {found}, expected {checksum}: a broken or changed "
            "download. It was deleted; try again, or check the address."
        )
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(cache)
    if not has_split(folder):
        raise ValueError(f"{archive} did not unpack to {folder}/train and {folder}/test")
    return folder


def lesson_splits(
    size: int = 128,
    *,
    real: bool,
    directory: str | os.PathLike[str] | None = None,
    n_generated: int = 40,
    limit: tuple[int | None, int | None] = (None, None),
) -> tuple[dict[str, SegData], str]:
    """Lesson 09's ``{"train", "validation", "test"}`` data and a sentence saying what it is.

    In order: ``directory`` (else ``CNN_COURSE_SEG_DIR``) -- with ``train/`` and ``test/`` as
    :func:`load_split_folder`, otherwise :func:`cnncourse.segdata.load_folder` split 80/10/10
    by image; else, with ``real`` false (fast mode), ``n_generated`` generated images split
    by image; else the public set (:func:`fetch_public_set`, ``limit`` images of train and
    test), and when that cannot be had, the shipped sample (:func:`load_sample`).
    """
    from cnncourse import segdata

    chosen = directory if directory is not None else os.environ.get(segdata.SEG_DIR_VARIABLE)
    chosen = str(chosen).strip() if chosen else ""
    if chosen and has_split(chosen):
        splits = load_split_folder(chosen, size, limit)
        return splits, (
            f"your folder {chosen}: its train/ images for training (whole images held out for "
            "validation), its test/ images for every figure"
        )
    if chosen:
        data = segdata.load_folder(chosen, size=size)
        parts = split_by_image(data.groups, (0.1, 0.1))
        splits = dict(zip(("train", "validation", "test"), (subset(data, p) for p in parts)))
        return splits, f"your folder {chosen}, split 80/10/10 by image"
    if not real:
        data = segdata.make_cells(n_generated, size=size, seed=0)
        parts = split_by_image(data.groups, (0.1, 0.1))
        splits = dict(zip(("train", "validation", "test"), (subset(data, p) for p in parts)))
        return splits, "generated nuclei (fast mode: seconds, and never a download)"
    try:
        folder = fetch_public_set()
    except (ConnectionError, ValueError) as error:
        reason = str(error).split(" (")[0]
        return load_sample(size), (
            f"the shipped sample: one real image of the {SAMPLE_NAME.split(',')[0]}, cut into "
            f"quadrants (the public set could not be had here: {reason})"
        )
    splits = load_split_folder(folder, size, limit, name=PUBLIC_NAME)
    return splits, f"the {PUBLIC_NAME} ({folder})"
