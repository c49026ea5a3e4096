"""`python -m train`: train the digit CNN on MNIST."""

from __future__ import annotations

from pathlib import Path

import click

from edge.clicktypes import FiniteFloat, NonEmptyPath
from train.training import STRATEGIES, TrainConfig

_DEFAULTS = TrainConfig()


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=NonEmptyPath(file_okay=False, path_type=Path), default=None,
              help="Folder with the four MNIST .gz files. Default: $MNIST_DIR, else download "
                   "into ~/.cache/digit-edge/mnist.")
@click.option("--output-dir", type=NonEmptyPath(file_okay=False, path_type=Path),
              default=_DEFAULTS.output_dir, show_default=True,
              help="Where the model, history, plots and metrics.json go.")
@click.option("--epochs", type=int, default=_DEFAULTS.epochs, show_default=True,
              help="Most epochs to run; early stopping may end sooner.")
@click.option("--batch-size", type=int, default=_DEFAULTS.batch_size, show_default=True,
              help="Images per training step (global, across replicas).")
@click.option("--learning-rate", type=FiniteFloat(), default=_DEFAULTS.learning_rate, show_default=True,
              help="Adam's initial learning rate (cosine-decayed over the epochs).")
@click.option("--validation-size", type=int, default=_DEFAULTS.validation_size, show_default=True,
              help="Training images held out for validation and early stopping.")
@click.option("--patience", type=int, default=_DEFAULTS.patience, show_default=True,
              help="Epochs without validation-loss improvement before stopping early.")
@click.option("--seed", type=int, default=_DEFAULTS.seed, show_default=True,
              help="Seed for the split, shuffling, augmentation and weights.")
@click.option("--augment/--no-augment", default=_DEFAULTS.augment, show_default=True,
              help="Camera-like augmentation: rotation, shift, zoom, stroke width.")
@click.option("--outlier-fraction", type=FiniteFloat(), default=_DEFAULTS.outlier_fraction, show_default=True,
              help="Non-digit crops (letters, touching pairs, smudges) trained towards a "
                   "uniform output, as a fraction of the training images; 0 turns it off.")
@click.option("--read-fraction", type=FiniteFloat(), default=_DEFAULTS.read_fraction, show_default=True,
              help="Training digits shown as the reader prepares a digit cut from a page (binarized, "
                   "some in a bolder pen), as a fraction; 0 turns it off.")
@click.option("--strategy", type=click.Choice(STRATEGIES), default=_DEFAULTS.strategy,
              show_default=True, help="tf.distribute strategy: several GPUs (mirrored) or "
                                      "machines (multi-worker, configured by $TF_CONFIG).")
@click.option("--train-limit", type=int, default=None,
              help="Train on the first N images only (quick smoke runs).")
@click.option("--test-limit", type=int, default=None,
              help="Evaluate on the first N test images only (quick smoke runs).")
def main(**options) -> None:
    """Train the digit CNN on MNIST and write the model, curves and confusion matrix."""
    try:
        cfg = TrainConfig(**options)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc

    from train.data import DatasetError
    from train.training import train
    try:
        result = train(cfg)
    except (DatasetError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"test accuracy {result.test_accuracy:.2%} after {result.epochs_run} epochs "
               f"(best {result.best_epoch}) in {result.seconds:.0f} s; model: {result.model_path}")
