"""The benchmark's statistics, its JSON, --compare, and the skipping of TensorFlow rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from benchmarks.measure import BenchConfig, summarize_us
from benchmarks.report import compare
from tests.conftest import REPO


def test_statistics_of_known_samples():
    samples_s = np.arange(1, 101) * 1e-6  # 1..100 microseconds
    stats = summarize_us(samples_s)
    assert stats["count"] == 100
    assert (stats["min"], stats["max"]) == pytest.approx((1.0, 100.0))
    assert stats["avg"] == pytest.approx(50.5)
    assert stats["std"] == pytest.approx(np.std(np.arange(1, 101)))
    assert stats["p50"] == pytest.approx(50.5)
    assert stats["p90"] == pytest.approx(90.1)
    assert stats["p99"] == pytest.approx(99.01)
    assert summarize_us([]) == {"count": 0}


def _result(p50_us: float, host: str = "pi") -> dict:
    row = {"variant": "int8", "backend": "litert", "threads": 1, "xnnpack": True,
           "inference": {"p50": p50_us}, "inference_with_io": {"p50": p50_us + 4}}
    return {"machine": {"host": host}, "date": "2026-11-21", "latency": [row],
            "throughput": {"int8": {"batched_images_per_s": 1e6 / p50_us}}}


def test_compare_flags_only_real_regressions():
    table, regressions = compare(_result(20.0, "x86"), _result(15.0))
    assert "now / earlier" in table and "1.33x" in table
    assert regressions == ["latency int8 litert t1 xnnpack=True invoke p50 us",
                           "latency int8 litert t1 xnnpack=True set+invoke+get p50 us",
                           "throughput int8 batched images/s"]
    _, none = compare(_result(15.5), _result(15.0))
    assert none == []


SCHEMA_KEYS = {"date", "machine", "config", "skipped", "backends", "latency", "size_bytes", "cold_start", "targets"}


def _run_quick(models, out, env_extra=None):
    """`python -m benchmarks --quick`; the shared photo folders only where a test gives them (CI exports
    PHOTOS_DIR and DESK_DIR for the gates, and the benchmark reads them too)."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PHOTOS_DIR": "", "DESK_DIR": "", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--models-dir", str(models),
                           "--output-dir", str(out)], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.slow
def test_quick_run_writes_the_result_json(tiny_models, mnist_dir, tmp_path):
    import cv2

    from edge.synth import DESKS, desk_texture
    desk = tmp_path / "desk"  # full-size photos made here: each is timed against its own decode
    desk.mkdir()
    rng = np.random.default_rng(0)
    for k, size in enumerate([(600, 800), (1500, 2000)]):
        cv2.imwrite(str(desk / f"d{k}.jpg"), desk_texture(size, DESKS[k], rng).astype(np.uint8))
    (desk / "labels.csv").write_text("file,digits\nd0.jpg,\nd1.jpg,\n")
    out = tmp_path / "out"
    proc = _run_quick(tiny_models, out, {"MNIST_DIR": str(mnist_dir), "DESK_DIR": str(desk)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    [result_file] = out.glob("*.json")
    result = json.loads(result_file.read_text())
    assert SCHEMA_KEYS | {"throughput", "accuracy", "pipeline"} <= set(result)
    machine = result["machine"]
    assert {"cpu", "cores", "architecture", "os", "python", "packages"} <= set(machine)
    variants = {(r["variant"], r["threads"], r["xnnpack"]) for r in result["latency"]}
    for threads in BenchConfig().threads:
        assert ("int8", threads, True) in variants and ("float32", threads, False) in variants
    assert ("keras_predict", None, None) in variants and ("keras_call", None, None) in variants
    row = result["latency"][0]
    assert {"init_us", "first_inference_us", "inference", "inference_with_io"} <= set(row)
    assert {"count", "min", "max", "avg", "std", "p50", "p90", "p99"} <= set(row["inference"])
    assert row["inference"]["count"] == BenchConfig.quick().timed_runs
    synthetic = result["pipeline"]["synthetic_10_digits_640x480"]
    stages = {"decode", "preprocess", "inference", "postprocess", "draw", "total"}
    # The ten-digit frames are read whole (no sheet in them): the look at their ground (stage 10) is timed,
    # and so is the look for a cut-out (stage 11), taken at every frame.
    reader_stages = {f"preprocess.{k}" for k in ("page", "ink", "digits", "crops", "cuts", "polarity", "cutout")}
    assert set(synthetic["stages_ms"]) == stages | reader_stages
    assert set(result["cold_start"]) == {"edge_int8", "tensorflow_keras"}
    assert result["throughput"]["int8"]["images"] == 10000
    assert "| int8 | litert | 1 | on |" in proc.stdout
    assert len(list(out.glob("*.png"))) == 2
    photos = result["pipeline"]["full_size_desk_photos"]["per_frame"]
    assert [round(f["megapixels"], 2) for f in photos] == [0.48, 3.0]
    assert all(f["decode_ms_p50"] > 0 and f["read_ms_p50"] > 0 for f in photos)
    assert any(t["target"].startswith("largest desk photo (3 MP)") for t in result["targets"])
    compared = CliRunner().invoke(__import__("benchmarks.cli", fromlist=["main"]).main,
                                  ["--help"])
    assert compared.exit_code == 0 and "--compare" in compared.output


@pytest.mark.slow
def test_tensorflow_rows_are_skipped_without_tensorflow(tiny_models, tmp_path):
    blocker = tmp_path / "blocker"
    for name in ("tensorflow", "keras"):
        (blocker / name).mkdir(parents=True)
        (blocker / name / "__init__.py").write_text(f"raise ImportError('no {name} on this device')\n")
    env = {"PYTHONPATH": f"{blocker}{os.pathsep}{REPO}", "MNIST_DIR": ""}
    proc = _run_quick(tiny_models, tmp_path / "out", env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(next((tmp_path / "out").glob("*.json")).read_text())
    assert not [r for r in result["latency"] if r["backend"] == "tensorflow"]
    assert set(result["cold_start"]) == {"edge_int8"}
    assert any("TensorFlow is not installed here" in note for note in result["skipped"])
    assert "_skipped: Keras rows: TensorFlow is not installed here" in proc.stdout


def test_missing_models_is_a_clear_error(tmp_path):
    from benchmarks.cli import main
    result = CliRunner().invoke(main, ["--quick", "--models-dir", str(tmp_path), "--output-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "digits_int8.tflite not found: run `make train convert`" in result.output


def test_compare_with_a_file_that_is_not_a_result(tmp_path):
    from benchmarks.cli import main
    bad = tmp_path / "x.json"
    bad.write_text("[1, 2]")
    result = CliRunner().invoke(main, ["--compare", str(bad), "--models-dir", str(tmp_path)])
    assert result.exit_code == 1 and "is not a benchmark result" in result.output
