"""Every command's --help, and the bad inputs of issue 2: one clear line, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.conftest import REPO


@pytest.mark.parametrize("module", ["train", "convert"])
def test_help(module):
    cli = __import__(f"{module}.cli", fromlist=["main"]).main
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and "--output-dir" in result.output


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True,
                          text=True, env=full_env, timeout=300)


@pytest.mark.parametrize("args, message", [
    (["--epochs", "0"], "epochs must be at least 1, got 0"),
    (["--batch-size", "-5"], "batch-size must be at least 1, got -5"),
    (["--learning-rate", "0"], "learning-rate must be positive"),
    (["--learning-rate", "nan"], "'nan' is not a finite number"),
    (["--outlier-fraction", "inf"], "'inf' is not a finite number"),
    (["--read-fraction", "1.5"], "read-fraction must be between 0 and 1, got 1.5"),
])
def test_train_rejects_bad_numbers(args, message):
    from train.cli import main
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert message in result.output


def test_train_with_corrupt_data_dir(tmp_path, mnist_dir):
    import shutil
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        shutil.copy(mnist_dir / name, tmp_path)
    blob = (mnist_dir / "train-images-idx3-ubyte.gz").read_bytes()
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(blob[:5000])
    result = _run("train", "--data-dir", str(tmp_path), "--output-dir", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Error: " in result.stderr and "train-images-idx3-ubyte.gz: cannot decompress" in result.stderr
    assert not (tmp_path / "out" / "digits.keras").exists()


def test_train_with_missing_data_dir(tmp_path):
    result = _run("train", "--data-dir", str(tmp_path / "nowhere"), "--output-dir", str(tmp_path / "o"))
    assert result.returncode == 1
    assert "lacks train-images-idx3-ubyte.gz" in result.stderr and "Traceback" not in result.stderr


def test_unwritable_output_dir(tmp_path, mnist_dir):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _run("train", "--data-dir", str(mnist_dir), "--output-dir", str(blocker / "models"))
    assert result.returncode == 1
    assert "output folder" in result.stderr and "not writable" in result.stderr
    assert "Traceback" not in result.stderr


def test_convert_without_a_model(tmp_path):
    result = _run("convert", "--keras-model", str(tmp_path / "missing.keras"), "--output-dir", str(tmp_path))
    assert result.returncode == 1
    assert "missing.keras not found: train one first with `make train`" in result.stderr
    assert "Traceback" not in result.stderr


def test_convert_with_a_corrupt_model(tmp_path, mnist_dir):
    bad = tmp_path / "digits.keras"
    bad.write_bytes(b"definitely not a zip")
    result = _run("convert", "--keras-model", str(bad), "--output-dir", str(tmp_path),
                  "--data-dir", str(mnist_dir))
    assert result.returncode == 1
    assert "is not a loadable Keras model" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.glob("*.tflite"))


def test_convert_rejects_bad_gates():
    from convert.cli import main
    result = CliRunner().invoke(main, ["--min-accuracy", "99"])
    assert result.exit_code == 2
    assert "min-accuracy is a fraction between 0 and 1, got 99.0" in result.output


@pytest.mark.parametrize("module, args", [
    ("convert.cli", ["--max-drop", "nan"]),  # NaN used to switch the drop gate off
    ("convert.cli", ["--min-accuracy", "nan"]),
    ("edge.cli", ["predict", "x.png", "--min-confidence", "nan"]),
    ("edge.cli", ["predict", "x.png", "--roi", "nan"]),
    ("edge.cli", ["run", "--source", "0", "--fps", "inf"]),
    ("benchmarks.cli", ["--tolerance", "nan"]),
])
def test_non_finite_numbers_are_refused_in_words(module, args):
    import importlib
    main = importlib.import_module(module).main
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "is not a finite number" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("package", ["edge", "train", "convert", "benchmarks", "deploy"])
def test_a_full_disk_on_standard_output_is_one_line(package):
    """stdout to /dev/full gave a traceback; now one line on stderr and exit 1."""
    import os
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", package, "--help"], cwd=REPO, stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert f"python -m {package}: cannot write the output (No space left on device)" in proc.stderr


def test_threads_beyond_reason_are_refused():
    from edge.cli import main
    result = CliRunner().invoke(main, ["predict", "x.png", "--threads", "99999999999"])
    assert result.exit_code == 2 and "99999999999 is not in the range" in result.output


def test_compare_checks_the_earlier_result_before_measuring(tmp_path):
    from benchmarks.cli import main
    earlier = tmp_path / "old.json"
    earlier.write_text(json.dumps({"machine": {"host": "pi"}}))  # no date
    result = CliRunner().invoke(main, ["--compare", str(earlier), "--models-dir", str(tmp_path / "none")])
    assert result.exit_code == 1 and "is not a benchmark result" in result.output
