"""MNIST from its original IDX .gz files: locate or download, verify, parse."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)
# SHA-256 of the decompressed IDX content: gzip containers differ between mirrors.
RAW_SHA256 = {
    "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
IMAGES_MAGIC = 2051  # 0x00000803: unsigned byte, 3 dimensions
LABELS_MAGIC = 2049  # 0x00000801: unsigned byte, 1 dimension
DEFAULT_CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "digit-edge" / "mnist"
DOWNLOAD_TIMEOUT_S = 30


class DatasetError(ValueError):
    """A dataset file is missing, corrupt or not what it claims to be."""


@dataclass(frozen=True)
class Split:
    images: np.ndarray  # (N, 28, 28) uint8, white digit on black
    labels: np.ndarray  # (N,) uint8


@dataclass(frozen=True)
class Mnist:
    train: Split
    test: Split


def parse_idx(raw: bytes, expected_magic: int, name: str) -> np.ndarray:
    """Decodes an uncompressed IDX byte string into a uint8 array.

    Raises:
      DatasetError: wrong magic number, or fewer bytes than the header promises.
    """
    if len(raw) < 8:
        raise DatasetError(f"{name}: {len(raw)} bytes is too short for an IDX header")
    magic = int.from_bytes(raw[0:4], "big")
    if magic != expected_magic:
        raise DatasetError(f"{name}: magic number {magic:#010x}, expected {expected_magic:#010x}; "
                           "not an MNIST IDX file of this kind")
    ndim = raw[3]
    header = 4 + 4 * ndim
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(dims))
    if len(raw) != expected:
        raise DatasetError(f"{name}: {len(raw)} bytes, the header promises {expected} "
                           f"(shape {dims}); the file is truncated or corrupt")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def read_idx_gz(path: Path, expected_magic: int, name: str | None = None) -> np.ndarray:
    """Reads one .gz IDX file, checking its content against the known checksum.

    Args:
      name: the canonical MNIST file name whose checksum applies (default: the
        file's own name; a download's temporary file passes the real one).
    """
    try:
        raw = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetError(f"{path}: cannot decompress ({exc}); the file is truncated or corrupt, "
                           "delete it and fetch it again") from exc
    expected_sha = RAW_SHA256.get(name or path.name)
    if expected_sha is not None:
        actual = hashlib.sha256(raw).hexdigest()
        if actual != expected_sha:
            raise DatasetError(f"{path}: SHA-256 of its content is {actual[:16]}..., expected "
                               f"{expected_sha[:16]}...; the file is corrupt or not the MNIST original")
    return parse_idx(raw, expected_magic, str(path))


def _download(name: str, dest: Path, urlopen: Callable = urllib.request.urlopen) -> None:
    """Fetches one file from the first mirror that serves a valid copy."""
    errors = []
    for mirror in MIRRORS:
        url = mirror + name
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out, urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
                shutil.copyfileobj(response, out)
            magic = IMAGES_MAGIC if "images" in name else LABELS_MAGIC
            read_idx_gz(Path(tmp), magic, name)
            os.replace(tmp, dest)
            return
        except (urllib.error.URLError, OSError, DatasetError) as exc:
            errors.append(f"{url}: {exc}")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    raise DatasetError(
        f"could not download {name} ({'; '.join(errors)}). Offline? Point at a local copy of the "
        "four MNIST .gz files with MNIST_DIR=/path/to/mnist or --data-dir")


def resolve_data_dir(data_dir: str | os.PathLike | None) -> tuple[Path, bool]:
    """The folder to read from and whether missing files may be downloaded into it.

    An explicit --data-dir or MNIST_DIR is a local copy: it is read, never written.
    """
    if data_dir is None:
        data_dir = os.environ.get("MNIST_DIR") or None
    if data_dir is not None:
        return Path(data_dir), False
    return DEFAULT_CACHE_DIR, True


def ensure_files(data_dir: str | os.PathLike | None = None,
                 urlopen: Callable = urllib.request.urlopen) -> Path:
    """Returns a folder holding the four MNIST files, downloading into the cache if allowed."""
    folder, may_download = resolve_data_dir(data_dir)
    missing = [name for name in RAW_SHA256 if not (folder / name).is_file()]
    if missing and not may_download:
        raise DatasetError(f"{folder} lacks {', '.join(missing)}: point MNIST_DIR or --data-dir at "
                           "a folder with the four MNIST .gz files, or unset both to download them")
    if missing:
        folder.mkdir(parents=True, exist_ok=True)
        for name in missing:
            _download(name, folder / name, urlopen)
    return folder


def load_mnist(data_dir: str | os.PathLike | None = None) -> Mnist:
    """Loads and verifies the MNIST training and test sets.

    Args:
      data_dir: folder with the four .gz files; None means $MNIST_DIR, else the
        download cache.
    """
    folder = ensure_files(data_dir)
    splits = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images = read_idx_gz(folder / f"{prefix}-images-idx3-ubyte.gz", IMAGES_MAGIC)
        labels = read_idx_gz(folder / f"{prefix}-labels-idx1-ubyte.gz", LABELS_MAGIC)
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise DatasetError(f"{folder}: {split} images have shape {images.shape}, expected (N, 28, 28)")
        if len(images) != len(labels):
            raise DatasetError(f"{folder}: {len(images)} {split} images but {len(labels)} labels")
        if labels.max(initial=0) > 9:
            raise DatasetError(f"{folder}: {split} labels go up to {labels.max()}, expected 0-9")
        splits[split] = Split(images, labels)
    return Mnist(**splits)
