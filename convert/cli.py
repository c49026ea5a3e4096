"""`python -m convert`: int8 quantization of the trained model, validated on MNIST."""

from __future__ import annotations

from pathlib import Path

import click

from edge.clicktypes import FiniteFloat, NonEmptyPath
from convert.pipeline import QuantizeConfig

_DEFAULTS = QuantizeConfig()


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--keras-model", type=NonEmptyPath(path_type=Path), default=_DEFAULTS.keras_model,
              show_default=True, help="The trained Keras model (from `make train`).")
@click.option("--output-dir", type=NonEmptyPath(file_okay=False, path_type=Path),
              default=_DEFAULTS.output_dir, show_default=True,
              help="Where the .tflite files, their sidecars and the reports go.")
@click.option("--data-dir", type=NonEmptyPath(file_okay=False, path_type=Path), default=None,
              help="Folder with the four MNIST .gz files. Default: $MNIST_DIR, else the download cache.")
@click.option("--representative-size", type=int, default=_DEFAULTS.representative_size,
              show_default=True, help="Training images used to calibrate the int8 ranges.")
@click.option("--min-accuracy", type=FiniteFloat(), default=_DEFAULTS.min_accuracy, show_default=True,
              help="Fail when int8 test accuracy is below this fraction.")
@click.option("--max-drop", type=FiniteFloat(), default=_DEFAULTS.max_drop, show_default=True,
              help="Fail when int8 loses more than this many percentage points against float.")
@click.option("--seed", type=int, default=_DEFAULTS.seed, show_default=True,
              help="Seed for picking the representative images.")
@click.option("--test-limit", type=int, default=None,
              help="Validate on the first N test images only (quick smoke runs).")
def main(**options) -> None:
    """Quantize the Keras model to int8 TFLite, validate it and write the report."""
    try:
        cfg = QuantizeConfig(**options)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc

    from convert.pipeline import ValidationFailed, run_conversion
    from convert.quantize import ConversionError
    from convert.report import render_markdown
    from edge.runtime import RuntimeUnavailableError
    from edge.sidecar import ModelError
    from train.data import DatasetError
    try:
        report = run_conversion(cfg, log=lambda message: click.echo(f"-- {message}", err=True))
    except ValidationFailed as exc:
        raise click.ClickException(f"int8 model rejected: {exc}") from exc
    except (DatasetError, ConversionError, ModelError, RuntimeUnavailableError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(render_markdown(report))
