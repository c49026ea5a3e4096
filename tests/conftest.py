"""Shared fixtures: where MNIST lives, and one tiny trained-and-converted model per session."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mnist_dir() -> Path | None:
    for candidate in (os.environ.get("MNIST_DIR"), SHARED / "mnist"):
        if candidate and (Path(candidate) / "t10k-labels-idx1-ubyte.gz").is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    found = _mnist_dir()
    if found is None:
        pytest.skip("no local MNIST copy: set MNIST_DIR to the folder with the four .gz files")
    return found


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The int8 model `make train convert` built ($DIGITS_MODEL overrides)."""
    path = Path(os.environ.get("DIGITS_MODEL", REPO / "models" / "digits_int8.tflite"))
    if not path.is_file():
        pytest.skip(f"{path} is not built yet: run `make train convert` (CI runs these after it)")
    return path


def _labelled_folder(variable: str, default: Path) -> Path:
    path = Path(os.environ.get(variable, default))
    if not (path / "labels.csv").is_file():
        pytest.skip(f"no labelled photo set at {path}: set {variable}")
    return path


@pytest.fixture(scope="session")
def photos_dir() -> Path:
    """Rows of digits on plain paper ($PHOTOS_DIR, else ../shared/data/photos)."""
    return _labelled_folder("PHOTOS_DIR", SHARED / "photos")


@pytest.fixture(scope="session")
def desk_dir() -> Path:
    """A sheet lying on a desk ($DESK_DIR, else ../shared/data/desk)."""
    return _labelled_folder("DESK_DIR", SHARED / "desk")


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory, mnist_dir) -> Path:
    """A folder with a model trained on a few hundred images for one epoch, converted.

    The gates are opened wide: this proves the plumbing, not the accuracy.
    """
    from convert.pipeline import QuantizeConfig, run_conversion
    from train.training import TrainConfig, train

    out = tmp_path_factory.mktemp("tiny_models")
    train(TrainConfig(epochs=2, train_limit=3000, test_limit=300, data_dir=mnist_dir,
                      output_dir=out, batch_size=64, augment=False))
    run_conversion(QuantizeConfig(keras_model=out / "digits.keras", output_dir=out,
                                  data_dir=mnist_dir, representative_size=50, test_limit=300,
                                  min_accuracy=0.0, max_drop=100.0))
    return out


@pytest.fixture(scope="session")
def confident_digits(tiny_models, mnist_dir):
    """MNIST test digits the tiny model reads with >= 0.97 confidence, and its answers.

    The pipeline must hand the model crops close enough to MNIST that its
    answer does not change: a test of detection and normalisation that holds
    for a weak model too.
    """
    from edge.runtime import Classifier
    from train.data import load_mnist
    test = load_mnist(mnist_dir).test
    scores = Classifier(tiny_models / "digits_int8.tflite").scores(test.images[:2000])
    pick = np.flatnonzero((scores.max(1) >= 0.97) & (scores.argmax(1) == test.labels[:2000]))
    return test.images[pick], test.labels[pick]
