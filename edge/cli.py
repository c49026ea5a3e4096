"""`python -m edge`: read handwritten digits from photos, videos and cameras."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from edge.clicktypes import FiniteFloat, NonEmptyPath
from edge.runtime import BACKEND_NAMES

DEFAULT_MODEL = Path("models/digits_int8.tflite")
WARN_AGAIN_S = 3600.0  # serve's warnings: the same one is said again after this long
MAX_THREADS = 64  # more than any Pi has cores; the interpreter overflows on absurd counts


def _model_options(func):
    options = [
        click.option("--model", type=NonEmptyPath(dir_okay=False, path_type=Path), default=DEFAULT_MODEL,
                     show_default=True, help="The .tflite model; its .json sidecar is checked when present."),
        click.option("--backend", type=click.Choice(BACKEND_NAMES), default=None,
                     help="Force a TFLite runtime. Default: the first of litert, tflite-runtime, "
                          "tensorflow that imports."),
        click.option("--threads", type=click.IntRange(min=1, max=MAX_THREADS), default=1, show_default=True,
                     help="Interpreter threads."),
        click.option("--min-confidence", type=FiniteFloat(0.0, 1.0), default=0.5, show_default=True,
                     help="Digits below this confidence are shown as '?'."),
        click.option("--roi", type=FiniteFloat(0.05, 1.0), default=None,
                     help="Only read a centred square box, this fraction of the shorter side (e.g. 0.5)."),
        click.option("--max-pixels", type=click.IntRange(min=1), default=50_000_000, show_default=True,
                     help="Refuse image files larger than this (checked from the header, before decoding)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _make_reader(model: Path, backend: str | None, threads: int, min_confidence: float, roi: float | None):
    from edge.detect import DetectorOptions
    from edge.reader import DigitReader
    from edge.runtime import Classifier, RuntimeUnavailableError
    from edge.sidecar import ModelError
    try:
        classifier = Classifier(model, backend=backend, threads=threads)
    except (FileNotFoundError, ModelError, RuntimeUnavailableError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    return DigitReader(classifier, DetectorOptions(roi=roi), min_confidence)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _say(message: str) -> None:
    click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Read handwritten digits with an int8 TFLite model, no TensorFlow needed."""


@main.command()
@click.argument("images", nargs=-1, required=True, type=NonEmptyPath(readable=False, path_type=Path))
@_model_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line and image.")
@click.option("--debug-dir", type=NonEmptyPath(file_okay=False, path_type=Path), default=None,
              help="Write the annotated image and the 28x28 crops the model saw here.")
def predict(images, model, backend, threads, min_confidence, roi, max_pixels, as_json, debug_dir) -> None:
    """Print the digit string of each IMAGE (a 28x28 MNIST-style image is classified as it is)."""
    from edge.debug_dir import debug_names, write_pictures
    from edge.imagefile import display_name, utf8_name
    from edge.sources import load_image
    reader = _make_reader(model, backend, threads, min_confidence, roi)
    _say(f"model {reader.classifier.describe()}")
    if debug_dir is not None:
        from edge.files import ensure_writable_dir
        try:
            ensure_writable_dir(debug_dir)
        except OSError as exc:
            raise click.ClickException(str(exc)) from exc
    failed = 0
    for path, name in zip(images, debug_names(images)):
        try:
            frame = load_image(path, max_pixels)
        except (FileNotFoundError, ValueError) as exc:  # the message names the file
            failed += 1
            _say(f"error: {exc}")
            continue
        try:
            reading = reader.read(frame, trace=debug_dir is not None)
        except ValueError as exc:
            failed += 1
            _say(f"error: {display_name(path)}: {exc}")
            continue
        if as_json:
            click.echo(json.dumps({"file": utf8_name(path), **reading.to_json()}))
        else:
            click.echo(f"{display_name(path)}: {reading.text}" if len(images) > 1 else reading.text)
        if debug_dir is not None:  # after the reading: it is said even where its pictures cannot be
            try:
                write_pictures(debug_dir, name, frame, reading, reader.roi(frame.shape))
            except OSError as exc:
                raise click.ClickException(f"debug pictures: {exc}") from exc
    if failed:
        raise click.ClickException(f"{failed} of {len(images)} image(s) could not be read")


def _check_gui() -> None:
    """Fails early, in words, where a window cannot be opened."""
    import cv2
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise click.ClickException("no display to open a window on (over SSH?): add --headless")
    try:
        cv2.namedWindow("digits", cv2.WINDOW_AUTOSIZE)
    except cv2.error as exc:
        raise click.ClickException("this OpenCV build has no GUI (opencv-python-headless): add --headless, "
                                   "or pip install opencv-python") from exc


def _source_options(func):
    options = [
        click.option("--source", "source", required=True,
                     help="Camera index (0), video file, image folder or glob, or 'picamera2' on a Pi."),
        click.option("--width", type=click.IntRange(min=1), default=None, help="Camera frame width to request."),
        click.option("--height", type=click.IntRange(min=1), default=None, help="Camera frame height to request."),
        click.option("--fps", type=FiniteFloat(min=0.1), default=None, help="Camera frame rate to request."),
        click.option("--smooth", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Show the most frequent reading of the last N frames."),
    ]
    for option in reversed(options):
        func = option(func)
    return _model_options(func)


@main.command()
@_source_options
@click.option("--headless", is_flag=True, help="No window and no GUI call at all (SSH, services).")
@click.option("--json", "as_json", is_flag=True, help="Stream one JSON line per frame to stdout.")
@click.option("--max-frames", type=click.IntRange(min=1), default=None, help="Stop after N frames.")
def run(source, width, height, fps, smooth, model, backend, threads, min_confidence, roi, max_pixels, headless,
        as_json, max_frames) -> None:
    """Live recognition from a camera, a video or images, with per-stage timing."""
    from edge.live import LiveOptions, run_live
    from edge.sources import SourceError, open_source
    import signal
    reader = _make_reader(model, backend, threads, min_confidence, roi)
    if not headless:
        _check_gui()
    # systemctl stop sends SIGTERM: end like Ctrl-C, with the summary.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        frames = open_source(source, width, height, fps, on_error=lambda m: _say(f"warning: {m}"),
                             max_pixels=max_pixels)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from exc
    _say(f"reading {frames.name} with {reader.classifier.describe()}; Ctrl-C stops")
    emit = (lambda record: click.echo(json.dumps(record))) if as_json else None
    pace = None if headless else getattr(frames, "fps", None)
    options = LiveOptions(smooth=smooth, headless=headless, max_frames=max_frames, pace_fps=pace)
    summary = run_live(frames, reader, options,
                       emit=emit, on_text=None if as_json else (lambda text: click.echo(text)))
    _say(summary.describe())
    if summary.error:
        raise click.ClickException(summary.error)
    if summary.frames == 0 and not summary.interrupted:
        raise click.ClickException(f"{frames.name} gave no frame to read")


@main.command()
@_source_options
@click.option("--loop", "replay", is_flag=True, help="Replay a video or an image folder without end (a demo).")
@click.option("--bind", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 (or ::) lets other machines watch.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="HTTP port (0: any free port, printed at start).")
@click.option("--stream-fps", type=FiniteFloat(0.1, 60.0), default=10.0, show_default=True,
              help="Most frames per second sent to each viewer of /stream.mjpg.")
@click.option("--token", default=None, help="Require this token on every route (?token= or a Bearer header).")
@click.option("--token-file", type=NonEmptyPath(dir_okay=False, path_type=Path), default=None,
              help="Read the token from this file (not visible in the process list).")
@click.option("--mqtt", "mqtt_url", default=None, envvar="DIGIT_EDGE_MQTT",
              help="Publish to this broker: mqtt[s]://[user:pass@]host[:port]. Read from $DIGIT_EDGE_MQTT when "
                   "not given, which keeps a password out of the process list (deploy does so).")
@click.option("--mqtt-prefix", default="digit-edge", show_default=True, help="Topic prefix.")
@click.option("--device-id", default=None, help="This device's name in topics (default: the host name).")
@click.option("--ha-discovery", is_flag=True, help="Announce sensors to Home Assistant (MQTT discovery).")
@click.option("--ha-prefix", default="homeassistant", show_default=True,
              help="Home Assistant's discovery prefix.")
def serve(source, width, height, fps, smooth, model, backend, threads, min_confidence, roi, max_pixels, replay, bind,
          port, stream_fps, token, token_file, mqtt_url, mqtt_prefix, device_id, ha_discovery, ha_prefix) -> None:
    """The live loop of `run` with a web page, a JSON API, /healthz, /metrics and MQTT."""
    from edge.serve.server import ServeError, ServeOptions, serve as serve_forever
    from edge.serve.base import LOOPBACK_NAMES, WebOptions
    from edge.cli_serve import mqtt_publisher, web_token
    from edge.sources import open_source
    if not bind.strip():  # tornado would listen on every interface, and the loopback guard would be off
        raise click.BadParameter("is empty: give an address (0.0.0.0 or :: to let other machines watch)",
                                 param_hint="'--bind'")
    token = web_token(token, token_file)
    publisher = mqtt_publisher(mqtt_url, mqtt_prefix, device_id, ha_prefix if ha_discovery else None, model,
                               _say)
    reader = _make_reader(model, backend, threads, min_confidence, roi)
    upload_reader = _make_reader(model, backend, threads, min_confidence, roi)

    said: dict[str, float] = {}  # each warning, when it was last said

    def warn(message: str) -> None:
        # At most once an hour each: a damaged video replayed with --loop said its bad packet every
        # time round (18 lines a second into the journal of a Pi); a camera's dropout weeks later is
        # said again.
        now = time.monotonic()
        if now - said.get(message, -WARN_AGAIN_S) >= WARN_AGAIN_S:
            if len(said) >= 1000:  # a bounded memory over months of running
                said.clear()
            said[message] = now
            _say(f"warning: {message}")

    def open_frames():
        return open_source(source, width, height, fps, on_error=warn, max_pixels=max_pixels)

    _say(f"reading {source} with {reader.classifier.describe()}")
    options = ServeOptions(bind, port, smooth, replay,
                           WebOptions(stream_fps, token, max_pixels, loopback_only=bind in LOOPBACK_NAMES))
    info = {"model": str(model), "backend": reader.classifier.describe(), "source": source}
    try:
        summary = serve_forever(open_frames, reader, upload_reader, options, info, _say, publisher)
    except ServeError as exc:
        raise click.ClickException(str(exc)) from exc
    _say(summary.describe())


@main.command()
@click.argument("folders", nargs=-1, required=True, type=NonEmptyPath(file_okay=False, path_type=Path))
@_model_options
def score(folders, model, backend, threads, min_confidence, roi, max_pixels) -> None:
    """Read each photo of labelled FOLDERS (labels.csv: file,digits) and score it against the truth."""
    from edge.scoring import score_folder
    from edge.sources import load_image
    reader = _make_reader(model, backend, threads, min_confidence, roi)
    failed = 0
    for folder in folders:
        try:
            result = score_folder(folder, lambda path: reader.read(load_image(path, max_pixels)).text)
        except (FileNotFoundError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        for photo in result.photos:
            click.echo(photo.line())
        click.echo(f"{folder}: {result.summary()}")
        failed += sum(1 for photo in result.photos if photo.error)
    if failed:  # scored as read nothing, and said: the figures above are not the reader's
        raise click.ClickException(f"{failed} labelled photo(s) could not be read")


@main.command()
@click.option("--model", type=NonEmptyPath(dir_okay=False, path_type=Path), default=DEFAULT_MODEL,
              show_default=True, help="The model to try loading.")
def doctor(model) -> None:
    """Report runtime, versions, cameras and architecture, with a one-line verdict."""
    from edge.doctor import diagnose
    report = diagnose(model)
    click.echo(report.render())
    if report.problems:
        raise SystemExit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
