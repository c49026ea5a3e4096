"""`python -m benchmarks.styles`: the model on hand styles MNIST holds few of.

MNIST test digits (never trained on) as MNIST wrote them, and their 1s and 7s redrawn as a
continental 1 (a flag from the top, sometimes a foot) and a crossed 7 (train.styles); then, drawn
independently of that generator, the ten digits printed in OpenCV's Hershey fonts, whose 1 has a
flag and often a foot. Each goes through the reader's own crop preparation (edge.detect.mnist_crop)
where it is a mask, as on a page.
"""

from __future__ import annotations

from pathlib import Path

import click
import cv2
import numpy as np

from edge.clicktypes import NonEmptyPath

HERSHEY = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
           cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
           cv2.FONT_HERSHEY_SCRIPT_COMPLEX, cv2.FONT_HERSHEY_SIMPLEX | cv2.FONT_ITALIC)
PEN_PX = (2, 3, 5)  # stroke widths, on a digit 50 px tall


def printed_digits() -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) crops of the ten digits in each Hershey font and pen, as the reader prepares a
    mask, and their (N,) labels."""
    from edge.detect import DetectorOptions, mnist_crop
    from edge.preprocess import tight_crop

    crops, labels = [], []
    for font in HERSHEY:
        for digit in range(10):
            for pen in PEN_PX:
                canvas = np.zeros((96, 96), np.uint8)
                scale = cv2.getFontScaleFromHeight(font, 50, pen)
                cv2.putText(canvas, str(digit), (25, 75), font, scale, 255, pen, cv2.LINE_AA)
                crops.append(mnist_crop(tight_crop(np.where(canvas > 127, 255, 0).astype(np.uint8)),
                                        DetectorOptions()))
                labels.append(digit)
    return np.array(crops), np.array(labels)


def styled_sets(images: np.ndarray, labels: np.ndarray, seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The sets scored, by name: (images, labels)."""
    from train.styles import continental_one, crossed_seven

    rng = np.random.default_rng(seed)
    ones, sevens = images[labels == 1], images[labels == 7]
    printed, printed_labels = printed_digits()
    return {
        "MNIST test 1s": (ones, np.ones(len(ones), int)),
        "as continental 1s": (np.array([continental_one(d, rng) for d in ones]), np.ones(len(ones), int)),
        "MNIST test 7s": (sevens, np.full(len(sevens), 7)),
        "as crossed 7s": (np.array([crossed_seven(d, rng) for d in sevens]), np.full(len(sevens), 7)),
        "Hershey 1s": (printed[printed_labels == 1], printed_labels[printed_labels == 1]),
        "Hershey digits": (printed, printed_labels),
    }


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--model", type=NonEmptyPath(exists=True, dir_okay=False, path_type=Path),
              default=Path("models/digits_int8.tflite"), show_default=True, help="The int8 model to score.")
@click.option("--data-dir", type=NonEmptyPath(file_okay=False, path_type=Path), default=None,
              help="MNIST folder (its test digits are redrawn). Default: $MNIST_DIR, else the download cache.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the styles' strokes.")
def main(model, data_dir, seed) -> None:
    """Score the model on continental 1s, crossed 7s and printed digits: right, and what else they read as."""
    from edge.runtime import Classifier, RuntimeUnavailableError
    from edge.sidecar import ModelError
    from train.data import DatasetError, load_mnist

    try:
        test = load_mnist(data_dir).test
        classifier = Classifier(model)
    except (DatasetError, ModelError, RuntimeUnavailableError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    for name, (images, truth) in styled_sets(test.images, test.labels, seed).items():
        read = classifier.scores(images).argmax(axis=1)
        wrong = np.bincount(read[read != truth], minlength=10)
        others = ", ".join(f"{count} as {digit}" for digit, count in enumerate(wrong) if count)
        click.echo(f"{name:18s} {int((read == truth).sum())}/{len(truth)} right "
                   f"({(read == truth).mean():.1%}){'; ' + others if others else ''}")


if __name__ == "__main__":  # pragma: no cover
    from edge.entry import run_main
    run_main(main, "python -m benchmarks.styles")
