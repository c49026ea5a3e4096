"""`python -m benchmarks.conditions`: the reader's score on each synthetic hard condition.

Each condition of edge.synth_conditions is drawn with MNIST test digits, so the
truth is known; the score is digits right (by alignment) and spurious digits.
"""

from __future__ import annotations

from pathlib import Path

import click

from edge.clicktypes import NonEmptyPath
from edge.scoring import FolderScore, score_photo


def score_conditions(reader, images, labels, names: list[str] | None = None, frames_each: int = 8,
                     seed: int = 0) -> dict[str, FolderScore]:
    """Reads `frames_each` frames of each condition with `reader` (an edge DigitReader)."""
    from edge.synth_conditions import CONDITIONS, frames

    return {name: FolderScore([score_photo(f"{name} {k}", truth, reader.read(frame).text)
                               for k, (frame, truth) in enumerate(frames(name, images, labels, frames_each, seed))])
            for name in names or list(CONDITIONS)}


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--model", type=NonEmptyPath(exists=True, dir_okay=False, path_type=Path),
              default=Path("models/digits_int8.tflite"), show_default=True, help="The int8 model to read with.")
@click.option("--data-dir", type=NonEmptyPath(file_okay=False, path_type=Path), default=None,
              help="MNIST folder (the test digits are drawn). Default: $MNIST_DIR, else the download cache.")
@click.option("--frames", "frames_each", type=click.IntRange(min=1), default=8, show_default=True,
              help="Frames per condition.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the scenes.")
@click.option("--verbose", is_flag=True, help="Print the truth and the reading of each frame not read exactly.")
def main(model, data_dir, frames_each, seed, verbose) -> None:
    """Score the reader on each synthetic condition: desk, rules, touching, slopes, colour, non-digits."""
    from edge.reader import DigitReader
    from edge.runtime import Classifier, RuntimeUnavailableError
    from edge.sidecar import ModelError
    from train.data import DatasetError, load_mnist

    try:
        test = load_mnist(data_dir).test
        reader = DigitReader(Classifier(model))
    except (DatasetError, ModelError, RuntimeUnavailableError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    for name, result in score_conditions(reader, test.images, test.labels, frames_each=frames_each,
                                         seed=seed).items():
        click.echo(f"{name:9s} {result.right}/{result.total} right ({result.accuracy:.1%}), "
                   f"{result.spurious} spurious")
        if verbose:
            for truth, text in result.misread:
                click.echo(f"    truth {truth}\n    read  {text}")


if __name__ == "__main__":  # pragma: no cover
    from edge.entry import run_main
    run_main(main, "python -m benchmarks.conditions")
