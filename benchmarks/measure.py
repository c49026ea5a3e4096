"""The measurements: model latency, batch throughput, the frame pipeline, cold start and memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from edge.stats import percentiles

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class BenchConfig:
    """How long to measure. --quick trades precision for a CI-sized run."""

    warmup_runs: int = 100
    timed_runs: int = 2000
    keras_runs: int = 50  # Keras calls cost milliseconds each
    threads: tuple[int, ...] = (1, 2, 4)
    pipeline_repeats: int = 20  # passes over the fixed frame set
    photo_repeats: int = 3  # passes over full-size photos (each costs a JPEG decode of megapixels)
    cold_start_repeats: int = 3
    serving_frames: int = 1500  # frames of `edge run` and of `edge serve` on the same video

    @classmethod
    def quick(cls) -> "BenchConfig":
        return cls(warmup_runs=20, timed_runs=300, keras_runs=10, pipeline_repeats=3, photo_repeats=1,
                   cold_start_repeats=1, serving_frames=500)


def summarize_us(samples_s) -> dict[str, float]:
    """Seconds -> benchmark_model's statistics in microseconds: count, min, max, avg, std, p50, p90, p99."""
    us = np.asarray(samples_s, dtype=np.float64) * 1e6
    if us.size == 0:
        return {"count": 0}
    stats = {"count": int(us.size), "min": float(us.min()), "max": float(us.max()),
             "avg": float(us.mean()), "std": float(us.std())}
    stats.update(percentiles(us, (50, 90, 99)))
    return stats


def time_calls(fn: Callable[[], object], warmup: int, runs: int) -> tuple[float, list[float]]:
    """(first call in s, timed samples in s) after `warmup` discarded calls, as benchmark_model does."""
    t = time.perf_counter()
    fn()
    first = time.perf_counter() - t
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return first, samples


def tflite_latency(model_path: Path, backend: str, threads: int, xnnpack: bool, image: np.ndarray,
                   cfg: BenchConfig) -> dict:
    """Init, first inference, then invoke-only and set+invoke+get statistics for one image."""
    from edge.runtime import Classifier
    t = time.perf_counter()
    clf = Classifier(model_path, backend=backend, threads=threads, use_xnnpack=xnnpack)
    init_us = (time.perf_counter() - t) * 1e6
    tensor = clf.prepare(image[np.newaxis])
    clf.invoke(tensor)  # sizes the batch-1 input once
    interpreter = clf.interpreter
    first, invoke_only = time_calls(interpreter.invoke, cfg.warmup_runs, cfg.timed_runs)
    _, with_io = time_calls(lambda: clf.scores(image[np.newaxis]), cfg.warmup_runs, cfg.timed_runs)
    return {"init_us": init_us, "first_inference_us": first * 1e6,
            "inference": summarize_us(invoke_only), "inference_with_io": summarize_us(with_io)}


def keras_latency(keras_model: Path, image: np.ndarray, cfg: BenchConfig) -> dict:
    """A direct call model(x) and model.predict(x) on one image."""
    import keras
    t = time.perf_counter()
    model = keras.models.load_model(keras_model, compile=False)
    init_us = (time.perf_counter() - t) * 1e6
    x = image[np.newaxis, ..., np.newaxis].astype(np.float32)
    first_call, call = time_calls(lambda: model(x, training=False), 5, cfg.keras_runs)
    first_predict, predict = time_calls(lambda: model.predict(x, verbose=0), 5, cfg.keras_runs)
    return {
        "keras_call": {"init_us": init_us, "first_inference_us": first_call * 1e6,
                       "inference": summarize_us(call), "inference_with_io": summarize_us(call)},
        "keras_predict": {"init_us": init_us, "first_inference_us": first_predict * 1e6,
                          "inference": summarize_us(predict), "inference_with_io": summarize_us(predict)},
    }


def throughput(model_path: Path, images: np.ndarray, backend: str | None = None) -> dict:
    """Images per second over all `images`, one per invoke and batched (edge.runtime.MAX_BATCH)."""
    from edge.runtime import MAX_BATCH, Classifier
    clf = Classifier(model_path, backend=backend)
    clf.scores(images[:MAX_BATCH])  # warm-up at both sizes
    clf.scores(images[:1])
    t = time.perf_counter()
    for i in range(len(images)):
        clf.scores(images[i:i + 1])
    single = time.perf_counter() - t
    t = time.perf_counter()
    clf.scores(images)
    batched = time.perf_counter() - t
    return {"images": int(len(images)), "single_images_per_s": len(images) / single,
            "batched_images_per_s": len(images) / batched, "batch_size": MAX_BATCH}


def accuracy(model_path: Path, images: np.ndarray, labels: np.ndarray) -> float:
    """Test accuracy through the device's code (convert.validate needs no TensorFlow)."""
    from convert.validate import evaluate_tflite
    from edge.runtime import Classifier
    return evaluate_tflite(Classifier(model_path), images, labels).accuracy


FULL_SIZE_PREFIX = "full_size"  # frame sets of full-size photos: fewer passes


def frame_pipeline(model_path: Path, frames: dict[str, list[bytes]], cfg: BenchConfig) -> dict:
    """Per-stage p50/p95 over encoded frames: decode, preprocess (and its stages), inference,
    postprocess, draw.

    One OpenCV thread and one interpreter thread: the frames per second
    reported are those of one core.
    """
    import cv2

    from edge.overlay import annotate
    from edge.reader import DigitReader
    from edge.runtime import Classifier
    previous_threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        reader = DigitReader(Classifier(model_path, threads=1))
        result = {}
        for name, encoded in frames.items():
            stages: dict[str, list[float]] = {k: [] for k in
                                              ("decode", "preprocess", "inference", "postprocess", "draw",
                                               "total")}
            digits = []
            full_size = name.startswith(FULL_SIZE_PREFIX)
            repeats = cfg.photo_repeats if full_size else cfg.pipeline_repeats
            each: list[dict[str, list[float]]] = [{"decode": [], "read": []} for _ in encoded]
            pixels = [0] * len(encoded)
            for repeat in range(repeats + 1):
                for index, blob in enumerate(encoded):
                    t0 = time.perf_counter()
                    frame = cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_COLOR)
                    t1 = time.perf_counter()
                    reading = reader.read(frame)
                    t2 = time.perf_counter()
                    annotate(frame, reading)
                    t3 = time.perf_counter()
                    if repeat == 0:  # the first pass warms caches and is discarded
                        digits.append(len(reading.digits))
                        pixels[index] = frame.shape[0] * frame.shape[1]
                        continue
                    stages["decode"].append((t1 - t0) * 1e3)
                    each[index]["decode"].append((t1 - t0) * 1e3)
                    each[index]["read"].append(reading.timing_ms["total"])
                    for key, value in reading.timing_ms.items():
                        if key != "total":  # the reader's total; "total" here includes decode and draw
                            stages.setdefault(key, []).append(value)
                    stages["draw"].append((t3 - t2) * 1e3)
                    stages["total"].append((t3 - t0) * 1e3)
            read_ms = np.add(np.add(stages["preprocess"], stages["inference"]), stages["postprocess"])
            result[name] = {
                "frames": len(encoded),
                "digits_per_frame": float(np.mean(digits)),
                "stages_ms": {k: percentiles(v, (50, 95)) for k, v in stages.items()},
                # Preprocess + inference + postprocess: the reader's own cost per frame.
                "read_ms": percentiles(read_ms, (50, 95)),
                "fps_one_core": 1000.0 / float(np.median(stages["total"])),
            }
            if full_size:  # each photo's own read against its own decode
                result[name]["per_frame"] = [
                    {"megapixels": px / 1e6, "decode_ms_p50": float(np.median(t["decode"])),
                     "read_ms_p50": float(np.median(t["read"]))} for px, t in zip(pixels, each)]
        return result
    finally:
        cv2.setNumThreads(previous_threads)


# The child reports its own peak: the high-water mark of its address space,
# which starts afresh at exec (a forked parent's pages do not count).
_PEAK_RSS = """
def peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

_EDGE_COLD = _PEAK_RSS + """
import time, sys
start = float(sys.argv[1])
from edge.runtime import Classifier
from edge.reader import DigitReader
import numpy as np
reader = DigitReader(Classifier(sys.argv[2]))
reader.read(np.zeros((28, 28), np.uint8))
elapsed = time.time() - start
print(elapsed, peak_rss_mib())
"""

_TF_COLD = _PEAK_RSS + """
import time, sys
start = float(sys.argv[1])
import os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np, keras
model = keras.models.load_model(sys.argv[2], compile=False)
model.predict(np.zeros((1, 28, 28, 1), np.float32), verbose=0)
elapsed = time.time() - start
print(elapsed, peak_rss_mib())
"""


def cold_start(script: str, model: Path, repeats: int) -> dict:
    """Median seconds from process start to the first prediction, and the largest peak RSS."""
    times, rss = [], []
    for _ in range(repeats):
        start = time.time()
        proc = subprocess.run([sys.executable, "-c", script, repr(start), str(model)], cwd=REPO,
                              capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        if proc.returncode != 0:
            raise RuntimeError(f"cold-start process failed ({proc.stderr.strip().splitlines()[-1:]})")
        elapsed, peak = proc.stdout.strip().splitlines()[-1].split()
        times.append(float(elapsed))
        rss.append(float(peak))
    return {"seconds_to_first_prediction": float(np.median(times)), "peak_rss_mib": float(max(rss)),
            "runs": repeats}
