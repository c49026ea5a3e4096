"""Accuracy gates on real data, with the model `make train convert` built."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from edge.scoring import align

pytestmark = pytest.mark.gates

MIN_DIGIT_ACCURACY = 0.95  # digits right over the whole photo set, by alignment
MAX_SPURIOUS_DIGITS = 1  # over the whole set


def test_align():
    assert align("13540", "13540") == (5, 0)
    assert align("13540", "135400") == (5, 1)
    assert align("13540", "1340") == (4, 0)
    assert align("13540", "18540") == (4, 0)
    # A dropped digit early in a long string costs one digit, not the rest of the string.
    truth = "1533120813420351496442123198609120764"
    assert align(truth, truth[:5] + truth[6:]) == (len(truth) - 1, 0)


def test_shared_photos(trained_model, photos_dir):
    from edge.reader import DigitReader
    from edge.runtime import Classifier
    from edge.sources import load_image

    reader = DigitReader(Classifier(trained_model))
    right = total = spurious = 0
    lines = []
    with open(photos_dir / "labels.csv", newline="") as f:
        for row in csv.DictReader(f):
            text = reader.read(load_image(photos_dir / row["file"])).text
            r, s = align(row["digits"], text)
            right, total, spurious = right + r, total + len(row["digits"]), spurious + s
            lines.append(f"{row['file']}: {row['digits']} -> {text}")
    report = "\n".join(lines)
    assert right / total >= MIN_DIGIT_ACCURACY, report
    assert spurious <= MAX_SPURIOUS_DIGITS, report


def test_synthetic_frames_with_the_trained_model(trained_model, mnist_dir):
    from edge.reader import DigitReader
    from edge.runtime import Classifier
    from edge.synth import draw_digits
    from train.data import load_mnist

    test = load_mnist(mnist_dir).test
    reader = DigitReader(Classifier(trained_model), min_confidence=0.0)
    rng = np.random.default_rng(11)
    right = total = 0
    for k in range(30):
        idx = rng.choice(len(test.images), 10, replace=False)
        layout = "row" if k % 2 == 0 else "column"
        frame = draw_digits(test.images[idx], layout=layout, digit_height_px=52 if layout == "row" else 40,
                            seed=k)
        truth = "".join(str(d) for d in test.labels[idx])
        r, s = align(truth, reader.read(frame).text)
        assert s == 0
        right, total = right + r, total + len(truth)
    assert right / total >= 0.95
