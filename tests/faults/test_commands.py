"""The fault suite for train, convert, benchmarks and deploy: one row per bad input or option, each
checked for its exit code, one line naming the file or option, no traceback, and the output folder
before and after (nothing changed, nothing left over)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(package: str, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", package, *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, env=env, timeout=300)


def _setup(tmp_path: Path) -> dict[str, Path]:
    """An output folder holding earlier results, and the bad files the rows point at."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "digits.keras").write_bytes(b"the previous model")
    (out / "metrics.json").write_text("{}")
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(os.urandom(2048))
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    no_date = tmp_path / "no_date.json"
    no_date.write_text(json.dumps({"machine": {"host": "pi"}}))
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{ not json")
    empty_inventory = tmp_path / "empty.ini"
    empty_inventory.write_text("[pis]\n")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    text_figure = tmp_path / "text_figure.json"
    text_figure.write_text(json.dumps({"machine": {"host": "pi"}, "date": "2026-12-01",
                                       "cold_start": {"edge": {"seconds_to_first_prediction": "fast",
                                                               "peak_rss_mib": 40}}}))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    return {"out": out, "corrupt": corrupt, "a_file": a_file, "no_date": no_date, "garbage": garbage,
            "empty_inventory": empty_inventory, "missing": tmp_path / "missing", "tmp": tmp_path,
            "deep": deep, "text_figure": text_figure, "fifo": fifo}


# (package, arguments with {placeholders}, exit code, what stderr must say)
ROWS = {
    "train: learning rate NaN": ("train", ["--learning-rate", "nan", "--output-dir", "{out}"], 2,
                                 "'nan' is not a finite number"),
    "train: no epochs": ("train", ["--epochs", "0", "--output-dir", "{out}"], 2, "epochs must be at least 1"),
    "train: output is a file": ("train", ["--output-dir", "{a_file}"], 2, "is a file"),
    "train: data folder missing": ("train", ["--data-dir", "{missing}", "--output-dir", "{out}"], 1, "missing"),
    "convert: Keras model missing": ("convert", ["--keras-model", "{missing}", "--output-dir", "{out}"], 1,
                                     "not found"),
    "convert: Keras model corrupt": ("convert", ["--keras-model", "{corrupt}", "--output-dir", "{out}"], 1,
                                     "is not a loadable Keras model"),
    "convert: max drop NaN": ("convert", ["--max-drop", "nan", "--output-dir", "{out}"], 2,
                              "'nan' is not a finite number"),
    "convert: accuracy gate over 1": ("convert", ["--min-accuracy", "2", "--output-dir", "{out}"], 2,
                                      "min-accuracy is a fraction between 0 and 1"),
    "benchmarks: no model": ("benchmarks", ["--models-dir", "{missing}", "--output-dir", "{out}"], 1,
                             "digits_int8.tflite not found"),
    "benchmarks: comparison file without a date": ("benchmarks", ["--compare", "{no_date}", "--models-dir",
                                                                  "{missing}"], 1, "is not a benchmark result"),
    "benchmarks: comparison file not JSON": ("benchmarks", ["--compare", "{garbage}", "--models-dir", "{missing}"],
                                             1, "is not a benchmark result"),
    "benchmarks: comparison file nested too deep": ("benchmarks", ["--compare", "{deep}", "--models-dir", "{missing}"],
                                                    1, "is not a benchmark result"),
    "benchmarks: comparison figure not a number": ("benchmarks", ["--compare", "{text_figure}", "--models-dir",
                                                                  "{missing}"], 1, "'fast', not a number"),
    "benchmarks: comparison file a pipe": ("benchmarks", ["--compare", "{fifo}", "--models-dir", "{missing}"], 1,
                                           "not a regular file"),
    "benchmarks: output folder empty": ("benchmarks", ["--output-dir", ""], 2, "is empty"),
    "train: output folder empty": ("train", ["--output-dir", ""], 2, "is empty"),
    "convert: output folder empty": ("convert", ["--output-dir", ""], 2, "is empty"),
    "benchmarks.conditions: data folder missing": ("benchmarks.conditions", ["--data-dir", "{missing}", "--model",
                                                                             "{corrupt}"], 1, "lacks train-images"),
    "benchmarks.conditions: model missing": ("benchmarks.conditions", ["--model", "{missing}"], 2, "does not exist"),
    "benchmarks: tolerance NaN": ("benchmarks", ["--tolerance", "nan"], 2, "'nan' is not a finite number"),
    "deploy: inventory without hosts": ("deploy", ["push", "--hosts", "{empty_inventory}", "--models-dir", "{out}"],
                                        1, "names no host"),
    "deploy: inventory missing": ("deploy", ["push", "--hosts", "{missing}", "--models-dir", "{out}"], 2,
                                  "not found"),
    "deploy: not user@host": ("deploy", ["push", "--pi", "bad target!", "--models-dir", "{out}"], 2,
                              "is not user@host"),
    "deploy: port out of range": ("deploy", ["push", "--pi", "pi@raspberrypi.local:99999", "--models-dir", "{out}"],
                                  2, "is not between 1 and 65535"),
    "deploy: host like an ssh option": ("deploy", ["push", "--pi", "pi@-oProxyCommand=id", "--models-dir", "{out}"],
                                        2, "cannot start with '-'"),
    "deploy: inventory a pipe": ("deploy", ["rollback", "--hosts", "{fifo}"], 2, "a pipe or a device"),
    "deploy: nothing built": ("deploy", ["push", "--pi", "pi@raspberrypi.local", "--models-dir", "{tmp}"], 1,
                              "no model built yet"),
}


@pytest.mark.parametrize("row", list(ROWS))
def test_bad_input_to_a_command(row, tmp_path, mnist_dir):
    package, args, code, message = ROWS[row]
    paths = _setup(tmp_path)
    before = _hashes(paths["out"])
    if package in ("train", "convert") and "--data-dir" not in args:
        args = [*args, "--data-dir", str(mnist_dir)]
    proc = _run(package, *[a.format(**paths) for a in args])
    assert proc.returncode == code, proc.stdout[-1000:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr + proc.stdout
    assert message in proc.stderr, proc.stderr[-2000:]
    assert _hashes(paths["out"]) == before  # nothing changed, nothing half-written or left over
