"""The benchmark suite: runs every measurement that this machine can, and says why it skips the rest."""

from __future__ import annotations

import csv
import datetime
import importlib.metadata
import os
import platform
import socket
from pathlib import Path
from typing import Callable

import numpy as np

from benchmarks import measure
from benchmarks.measure import BenchConfig

VARIANTS = {  # name -> file in the models folder
    "float32": "digits_float32.tflite",
    "int8": "digits_int8.tflite",
    "dynamic_range": "digits_dynamic_range.tflite",
}
PACKAGES = ("ai-edge-litert", "tflite-runtime", "tensorflow", "keras", "numpy", "opencv-python",
            "opencv-python-headless")
FRAME_SIZE = (640, 480)


def machine_info() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        fields = {k.strip().lower(): v.strip() for k, v in fields.items()}
        # x86 names the CPU; a Pi names the board ("Raspberry Pi 4 Model B Rev 1.4").
        cpu = fields.get("model name") or fields.get("model") or fields.get("hardware") or cpu
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return {"host": socket.gethostname(), "cpu": cpu, "cores": os.cpu_count(),
            "architecture": platform.machine(), "os": platform.platform(),
            "python": platform.python_version(), "packages": versions}


def tensorflow_available() -> bool:
    """Whether the Keras rows can run: TensorFlow and Keras import (a Pi has neither)."""
    try:
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
    except Exception:  # ImportError, or a broken install
        return False
    return True


def _mnist_test(data_dir: Path | None):
    """(images, labels) of the MNIST test set, or None where it is not at hand."""
    try:
        from train.data import DatasetError, load_mnist
    except ImportError:
        return None
    try:
        folder = data_dir or (Path(os.environ["MNIST_DIR"]) if os.environ.get("MNIST_DIR") else None)
        if folder is None:
            return None
        test = load_mnist(folder).test
        return test.images, test.labels
    except (DatasetError, OSError):
        return None


def _decode(data: bytes) -> np.ndarray:
    import cv2
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


def _encode(frames: list[np.ndarray]) -> list[bytes]:
    import cv2
    return [cv2.imencode(".jpg", f, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes() for f in frames]


def pipeline_frames(photos_dir: Path | None, mnist, desk_dir: Path | None = None) -> dict[str, list[bytes]]:
    """The fixed frame sets: the shared photos at 640x480, synthetic ten-digit frames, and
    sheets on a desk as the phone stored them (full size: reading one is weighed against
    decoding its JPEG)."""
    import cv2

    from edge.synth import draw_digits
    sets = {}
    if photos_dir is not None and (photos_dir / "labels.csv").is_file():
        with open(photos_dir / "labels.csv", newline="") as f:
            files = [row["file"] for row in csv.DictReader(f)]
        frames = [cv2.resize(cv2.imread(str(photos_dir / name)), FRAME_SIZE, interpolation=cv2.INTER_AREA)
                  for name in files]
        sets["photos_640x480"] = _encode(frames)
    if mnist is not None:
        images = mnist[0]
        rng = np.random.default_rng(0)
        frames = [draw_digits(images[rng.choice(len(images), 10, replace=False)], seed=k)
                  for k in range(8)]
        sets["synthetic_10_digits_640x480"] = _encode(frames)
    if desk_dir is not None and (desk_dir / "labels.csv").is_file():
        with open(desk_dir / "labels.csv", newline="") as f:
            files = [row["file"] for row in csv.DictReader(f)]
        sets[f"{measure.FULL_SIZE_PREFIX}_desk_photos"] = [(desk_dir / name).read_bytes() for name in files]
    return sets


def run_suite(models_dir: Path, cfg: BenchConfig, data_dir: Path | None = None,
              photos_dir: Path | None = None, log: Callable[[str], None] = lambda m: None,
              desk_dir: Path | None = None) -> dict:
    """Every figure as one JSON-ready dict; rows that cannot run here carry a 'skipped' note."""
    from edge.runtime import available_backends
    result: dict = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
                    "machine": machine_info(), "config": cfg.__dict__.copy(), "skipped": []}
    result["config"]["threads"] = list(cfg.threads)
    models = {name: models_dir / f for name, f in VARIANTS.items() if (models_dir / f).is_file()}
    if "int8" not in models:
        raise FileNotFoundError(f"{models_dir / VARIANTS['int8']} not found: run `make train convert` "
                                "(or copy the models folder from the training machine)")
    backends = [b for b in available_backends() if b.name in ("litert", "tflite-runtime")]
    result["backends"] = {b.name: b.version for b in backends}
    mnist = _mnist_test(data_dir)
    probe = mnist[0][0] if mnist is not None else np.zeros((28, 28), np.uint8)
    has_tf = tensorflow_available()

    latency = []
    for variant, path in models.items():
        for backend in backends:
            for threads in cfg.threads:
                for xnnpack in (True, False):
                    log(f"latency {variant} {backend.name} threads={threads} xnnpack={xnnpack}")
                    row = measure.tflite_latency(path, backend.name, threads, xnnpack, probe, cfg)
                    latency.append({"variant": variant, "backend": backend.name, "threads": threads,
                                    "xnnpack": xnnpack, **row})
    keras_path = models_dir / "digits.keras"
    if has_tf and keras_path.is_file():
        log("latency keras")
        for variant, row in measure.keras_latency(keras_path, probe, cfg).items():
            latency.append({"variant": variant, "backend": "tensorflow", "threads": None, "xnnpack": None, **row})
    else:
        result["skipped"].append("Keras rows: TensorFlow is not installed here (edge requirements only)"
                                 if not has_tf else f"Keras rows: {keras_path} not found")
    result["latency"] = latency

    if mnist is not None:
        log("throughput and accuracy over the MNIST test set")
        result["throughput"] = {v: measure.throughput(p, mnist[0]) for v, p in models.items()
                                if v in ("int8", "float32")}
        result["accuracy"] = {v: measure.accuracy(p, *mnist) for v, p in models.items()}
    else:
        result["skipped"].append("throughput, accuracy and synthetic frames: no MNIST test set "
                                 "(set MNIST_DIR or --data-dir)")
    result["size_bytes"] = {v: p.stat().st_size for v, p in models.items()}
    if keras_path.is_file():
        result["size_bytes"]["keras"] = keras_path.stat().st_size

    frames = pipeline_frames(photos_dir, mnist, desk_dir)
    if frames:
        log("frame pipeline")
        result["pipeline"] = measure.frame_pipeline(models["int8"], frames, cfg)
    if photos_dir is None:
        result["skipped"].append("photo frames: no photo set (set PHOTOS_DIR or --photos-dir)")
    if desk_dir is None:
        result["skipped"].append("full-size desk photos: no desk set (set DESK_DIR or --desk-dir)")

    if mnist is not None:
        from benchmarks.serving import serving_figures
        scenes = [_decode(data) for data in frames["synthetic_10_digits_640x480"]]
        result["serving"] = serving_figures(models["int8"], scenes, cfg.serving_frames, log)

    log("cold start and memory")
    result["cold_start"] = {"edge_int8": measure.cold_start(measure._EDGE_COLD, models["int8"],
                                                            cfg.cold_start_repeats)}
    if has_tf and keras_path.is_file():
        result["cold_start"]["tensorflow_keras"] = measure.cold_start(measure._TF_COLD, keras_path,
                                                                      cfg.cold_start_repeats)
    else:
        result["skipped"].append("TensorFlow cold start: TensorFlow or the Keras model is not here")
    result["targets"] = check_targets(result)
    return result


def _latency_row(result: dict, variant: str, threads: int | None = 1, backend: str | None = None) -> dict | None:
    for row in result.get("latency", []):
        if row["variant"] == variant and (threads is None or row["threads"] == threads) \
                and row.get("xnnpack") in (True, None) and (backend is None or row["backend"] == backend):
            return row
    return None


def check_targets(result: dict) -> list[dict]:
    """The issue's targets as measured ratios; a missed one is reported, never raised."""
    targets = []

    def add(name: str, value: float | None, limit: float, lower_is_better: bool = True) -> None:
        if value is None:
            return
        ok = value <= limit if lower_is_better else value >= limit
        targets.append({"target": name, "measured": value, "limit": limit, "met": bool(ok)})

    int8, f32 = _latency_row(result, "int8"), _latency_row(result, "float32")
    if int8 and f32:
        add("int8 / float32 invoke p50, 1 thread", int8["inference"]["p50"] / f32["inference"]["p50"], 0.5)
    call, predict = _latency_row(result, "keras_call", None), _latency_row(result, "keras_predict", None)
    if int8 and predict:
        add("int8 set+invoke+get / Keras predict p50", int8["inference_with_io"]["p50"] /
            predict["inference"]["p50"], 1 / 100)
    if int8 and call:
        add("int8 set+invoke+get / Keras direct call p50", int8["inference_with_io"]["p50"] /
            call["inference"]["p50"], 1 / 20)
    cold = result.get("cold_start", {})
    if "tensorflow_keras" in cold:
        edge, tf = cold["edge_int8"], cold["tensorflow_keras"]
        add("edge cold start / TensorFlow cold start", edge["seconds_to_first_prediction"] /
            tf["seconds_to_first_prediction"], 1 / 8)
        add("edge peak RSS / TensorFlow peak RSS", edge["peak_rss_mib"] / tf["peak_rss_mib"], 1 / 5)
    synthetic = result.get("pipeline", {}).get("synthetic_10_digits_640x480")
    if synthetic:
        add("640x480 frame, 10 digits: read p50 (ms)", synthetic["read_ms"]["p50"], 3.0)
    photos = result.get("pipeline", {}).get(f"{measure.FULL_SIZE_PREFIX}_desk_photos")
    if photos:
        add("full-size desk photos: read p50 / JPEG decode p50", photos["read_ms"]["p50"] /
            photos["stages_ms"]["decode"]["p50"], 1.0)
        largest = max(photos["per_frame"], key=lambda f: f["megapixels"])
        add(f"largest desk photo ({largest['megapixels']:.0f} MP): its read p50 / its decode p50",
            largest["read_ms_p50"] / largest["decode_ms_p50"], 1.0)
    serving = result.get("serving")
    if serving:
        add("edge serve loop p50 (a stream viewer, MQTT) / edge run --headless p50", serving["loop_p50_ratio"], 1.10)
        add("edge serve RSS, nobody watching, minus edge run RSS (MiB)", serving["idle_rss_extra_mib"], 30.0)
    tp = result.get("throughput", {}).get("int8")
    if tp:
        add("int8 batched throughput (images/s)", tp["batched_images_per_s"], 30000, lower_is_better=False)
    return targets
