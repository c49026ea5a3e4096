"""The IDX loader: real files, and every way a file can be wrong."""

from __future__ import annotations

import gzip
import io
import shutil
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from train import data
from train.data import DatasetError

NAMES = list(data.RAW_SHA256)


def _idx(magic: int, dims: tuple[int, ...], payload: bytes) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)
    return header + payload


def test_parse_idx_reads_shape_and_values():
    raw = _idx(data.IMAGES_MAGIC, (2, 2, 3), bytes(range(12)))
    array = data.parse_idx(raw, data.IMAGES_MAGIC, "x")
    assert array.shape == (2, 2, 3)
    assert array.dtype == np.uint8
    assert array[1, 1, 2] == 11


def test_wrong_magic_is_named():
    raw = _idx(data.LABELS_MAGIC, (3,), b"\x01\x02\x03")
    with pytest.raises(DatasetError, match=r"images\.gz: magic number 0x00000801, expected 0x00000803"):
        data.parse_idx(raw, data.IMAGES_MAGIC, "images.gz")


def test_truncated_payload_is_named():
    raw = _idx(data.IMAGES_MAGIC, (2, 28, 28), bytes(1000))
    with pytest.raises(DatasetError, match=r"f\.gz: 1016 bytes, the header promises 1584 .*truncated"):
        data.parse_idx(raw, data.IMAGES_MAGIC, "f.gz")


def test_truncated_gzip_file(tmp_path, mnist_dir):
    name = "t10k-labels-idx1-ubyte.gz"
    blob = (mnist_dir / name).read_bytes()
    (tmp_path / name).write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DatasetError, match=rf"{name}: cannot decompress .*truncated or corrupt"):
        data.read_idx_gz(tmp_path / name, data.LABELS_MAGIC)


def test_bad_checksum(tmp_path, mnist_dir):
    name = "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress((mnist_dir / name).read_bytes()))
    raw[100] = (raw[100] + 1) % 10  # one label changed: still a well-formed IDX file
    (tmp_path / name).write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(DatasetError, match=rf"{name}: SHA-256 of its content is .* expected ff7bcfd416de3373"):
        data.read_idx_gz(tmp_path / name, data.LABELS_MAGIC)


def test_load_real_mnist(mnist_dir):
    mnist = data.load_mnist(mnist_dir)
    assert mnist.train.images.shape == (60000, 28, 28)
    assert mnist.test.images.shape == (10000, 28, 28)
    assert mnist.test.labels.shape == (10000,)
    assert np.bincount(mnist.test.labels).tolist()[:3] == [980, 1135, 1032]
    # White digit on black: the border is background.
    assert mnist.test.images[:, 0, :].max() == 0


def test_missing_local_copy_says_how_to_fix(tmp_path):
    with pytest.raises(DatasetError, match=r"lacks .*point MNIST_DIR or --data-dir"):
        data.load_mnist(tmp_path)


class _FakeMirrors:
    """urlopen stand-in: the first mirror is down, the second serves the local copy."""

    def __init__(self, folder: Path, corrupt: bool = False):
        self.folder, self.corrupt, self.urls = folder, corrupt, []

    def __call__(self, url: str, timeout: float):
        self.urls.append(url)
        if url.startswith(data.MIRRORS[0]):
            raise urllib.error.URLError("connection refused")
        blob = (self.folder / url.rsplit("/", 1)[1]).read_bytes()
        if self.corrupt:
            blob = blob[:-50]
        return io.BytesIO(blob)


def test_download_falls_back_to_next_mirror_and_verifies(tmp_path, mnist_dir, monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setattr(data, "DEFAULT_CACHE_DIR", tmp_path / "cache")
    fake = _FakeMirrors(mnist_dir)
    folder = data.ensure_files(None, urlopen=fake)
    assert sorted(p.name for p in folder.iterdir()) == sorted(NAMES)
    assert len(fake.urls) == 8  # every file: first mirror refused, second served
    assert data.load_mnist(folder).test.images.shape == (10000, 28, 28)


def test_corrupt_download_leaves_nothing(tmp_path, mnist_dir, monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setattr(data, "DEFAULT_CACHE_DIR", tmp_path / "cache")
    with pytest.raises(DatasetError, match=r"could not download .*Offline\? Point at a local copy"):
        data.ensure_files(None, urlopen=_FakeMirrors(mnist_dir, corrupt=True))
    assert list((tmp_path / "cache").iterdir()) == []


def test_offline_without_files(tmp_path, monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setattr(data, "DEFAULT_CACHE_DIR", tmp_path / "cache")

    def offline(url, timeout):
        raise urllib.error.URLError("Name or service not known")

    with pytest.raises(DatasetError, match=r"MNIST_DIR=/path/to/mnist or --data-dir"):
        data.ensure_files(None, urlopen=offline)


def test_mnist_dir_environment_is_used(tmp_path, mnist_dir, monkeypatch):
    local = tmp_path / "copy"
    shutil.copytree(mnist_dir, local)
    monkeypatch.setenv("MNIST_DIR", str(local))
    assert data.resolve_data_dir(None) == (local, False)
