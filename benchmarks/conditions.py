"""`python -m benchmarks.conditions`: the reader's score on each synthetic hard condition.

Each condition of edge.synth_conditions is drawn with MNIST test digits, so the
truth is known; the score is digits right (by alignment) and spurious digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click


@dataclass(frozen=True)
class ConditionScore:
    name: str
    right: int
    total: int
    spurious: int
    misread: list[tuple[str, str]]  # (truth, reading) of the frames that were not read exactly

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


def score_conditions(reader, images, labels, names: list[str] | None = None, frames_each: int = 8,
                     seed: int = 0) -> list[ConditionScore]:
    """Reads `frames_each` frames of each condition with `reader` (an edge DigitReader)."""
    from edge.scoring import align
    from edge.synth_conditions import CONDITIONS, frames

    results = []
    for name in names or list(CONDITIONS):
        right = total = spurious = 0
        misread = []
        for frame, truth in frames(name, images, labels, frames_each, seed):
            text = reader.read(frame).text
            r, s = align(truth, text)
            right, total, spurious = right + r, total + len(truth), spurious + s
            if text != truth:
                misread.append((truth, text))
        results.append(ConditionScore(name, right, total, spurious, misread))
    return results


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--model", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=Path("models/digits_int8.tflite"), show_default=True, help="The int8 model to read with.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="MNIST folder (the test digits are drawn). Default: $MNIST_DIR, else the download cache.")
@click.option("--frames", "frames_each", type=click.IntRange(min=1), default=8, show_default=True,
              help="Frames per condition.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the scenes.")
@click.option("--verbose", is_flag=True, help="Print the truth and the reading of each frame not read exactly.")
def main(model, data_dir, frames_each, seed, verbose) -> None:
    """Score the reader on each synthetic condition: desk, rules, touching, slopes, colour, non-digits."""
    from edge.reader import DigitReader
    from edge.runtime import Classifier
    from train.data import load_mnist

    test = load_mnist(data_dir).test
    reader = DigitReader(Classifier(model))
    for result in score_conditions(reader, test.images, test.labels, frames_each=frames_each, seed=seed):
        click.echo(f"{result.name:9s} {result.right}/{result.total} right ({result.accuracy:.1%}), "
                   f"{result.spurious} spurious")
        if verbose:
            for truth, text in result.misread:
                click.echo(f"    truth {truth}\n    read  {text}")


if __name__ == "__main__":  # pragma: no cover
    main()
