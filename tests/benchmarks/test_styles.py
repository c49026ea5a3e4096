"""`python -m benchmarks.styles`: the sets it scores, and the command with the tests' tiny model."""

from __future__ import annotations

import numpy as np
from click.testing import CliRunner

from benchmarks import styles


def test_the_printed_digits_are_the_ten_in_every_font_and_pen_prepared_like_a_crop():
    crops, labels = styles.printed_digits()
    assert crops.shape == (10 * len(styles.HERSHEY) * len(styles.PEN_PX), 28, 28) and crops.dtype == np.uint8
    assert (np.bincount(labels) == len(styles.HERSHEY) * len(styles.PEN_PX)).all()
    assert all(c.max() == 255 and c[:2].max() == 0 and c[-2:].max() == 0 for c in crops)  # fitted like MNIST


def test_the_styled_sets_redraw_only_the_ones_and_the_sevens(mnist_dir):
    from train.data import load_mnist

    test = load_mnist(mnist_dir).test
    images, labels = test.images[:500], test.labels[:500]
    sets = styles.styled_sets(images, labels, seed=0)
    ones, styled_ones = sets["MNIST test 1s"][0], sets["as continental 1s"][0]
    assert len(ones) == (labels == 1).sum() and (sets["as continental 1s"][1] == 1).all()
    assert (styled_ones >= ones).all() and (styled_ones != ones).any(axis=(1, 2)).mean() > 0.9
    sevens, crossed = sets["MNIST test 7s"][0], sets["as crossed 7s"][0]
    assert (crossed >= sevens).all() and (crossed != sevens).any(axis=(1, 2)).mean() > 0.8
    assert (sets["as crossed 7s"][1] == 7).all()


def test_the_command_scores_each_set(tiny_models, mnist_dir):
    result = CliRunner().invoke(styles.main, ["--model", str(tiny_models / "digits_int8.tflite"),
                                              "--data-dir", str(mnist_dir)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line[:18].strip() for line in lines] == ["MNIST test 1s", "as continental 1s", "MNIST test 7s",
                                                     "as crossed 7s", "Hershey 1s", "Hershey digits"]
    assert all(" right (" in line for line in lines)
    assert lines[-1].split()[2].endswith("/240")
