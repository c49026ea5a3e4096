"""`python -m benchmarks`: how fast, how small, how accurate, on this machine."""

from __future__ import annotations

import datetime
import json
import os
import socket
from pathlib import Path

import click

from edge.clicktypes import FiniteFloat, NonEmptyPath


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--models-dir", type=NonEmptyPath(file_okay=False, path_type=Path), default=Path("models"),
              show_default=True, help="Folder with digits_int8.tflite (and float32, Keras when present).")
@click.option("--output-dir", type=NonEmptyPath(file_okay=False, path_type=Path),
              default=Path("benchmarks/results"), show_default=True,
              help="Where <host>-<date>.json and the PNG charts go.")
@click.option("--data-dir", type=NonEmptyPath(file_okay=False, path_type=Path), default=None,
              help="MNIST folder for accuracy, throughput and synthetic frames. Default: $MNIST_DIR.")
@click.option("--photos-dir", type=NonEmptyPath(file_okay=False, path_type=Path), default=None,
              help="Photo set (with labels.csv) for the frame pipeline. Default: $PHOTOS_DIR.")
@click.option("--desk-dir", type=NonEmptyPath(file_okay=False, path_type=Path), default=None,
              help="Sheets on a desk at full size (with labels.csv): reading against decoding. "
                   "Default: $DESK_DIR.")
@click.option("--quick", is_flag=True, help="Few iterations: the same report in a CI-sized run.")
@click.option("--compare", "compare_with", type=NonEmptyPath(exists=True, dir_okay=False, path_type=Path),
              default=None, help="An earlier result JSON (from a Pi, say): print the ratio of every figure.")
@click.option("--tolerance", type=FiniteFloat(min=1.0), default=1.25, show_default=True,
              help="With --compare, flag figures this many times worse than before.")
def main(models_dir, output_dir, data_dir, photos_dir, desk_dir, quick, compare_with, tolerance) -> None:
    """Measure model latency, throughput, the frame pipeline, cold start and memory."""
    from benchmarks.measure import BenchConfig
    from benchmarks.report import check_comparable, compare, render_markdown, write_charts
    from benchmarks.suite import run_suite
    from edge.files import ensure_writable_dir, write_text_atomic
    from edge.runtime import RuntimeUnavailableError
    from edge.sidecar import ModelError

    earlier = None
    if compare_with is not None:
        from edge.files import read_small_text
        try:
            earlier = json.loads(read_small_text(compare_with, max_bytes=16 << 20))
            earlier["machine"]["host"], earlier["date"]  # what the comparison prints: checked before measuring
            check_comparable(earlier)
        except (ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
            raise click.ClickException(f"{compare_with} is not a benchmark result ({exc})") from None
    if photos_dir is None and os.environ.get("PHOTOS_DIR"):
        photos_dir = Path(os.environ["PHOTOS_DIR"])
    if desk_dir is None and os.environ.get("DESK_DIR"):
        desk_dir = Path(os.environ["DESK_DIR"])
    try:
        ensure_writable_dir(output_dir)
        result = run_suite(models_dir, BenchConfig.quick() if quick else BenchConfig(), data_dir, photos_dir,
                           log=lambda m: click.echo(f"-- {m}", err=True), desk_dir=desk_dir)
    except (FileNotFoundError, ModelError, RuntimeUnavailableError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = output_dir / f"{socket.gethostname()}-{stamp}"
    write_text_atomic(stem.with_suffix(".json"), json.dumps(result, indent=2) + "\n")
    click.echo(render_markdown(result))
    if earlier is not None:
        table, regressions = compare(result, earlier, tolerance)
        click.echo(table)
        if regressions:
            click.echo(f"{len(regressions)} figure(s) more than {tolerance}x worse than {compare_with} "
                       "(reported, not failed: absolute times are noisy)")
    charts = write_charts(result, stem)
    click.echo(f"results: {stem.with_suffix('.json')}" + "".join(f"\ncharts: {c}" for c in charts))
