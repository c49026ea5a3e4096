"""Train -> convert -> validate on a tiny model; the integer-only check; the gates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow


def test_outputs_of_a_tiny_run(tiny_models):
    names = {p.name for p in tiny_models.iterdir()}
    assert {"digits.keras", "history.csv", "training_curves.png", "confusion_matrix.png",
            "metrics.json", "digits_int8.tflite", "digits_int8.json", "digits_float32.tflite",
            "digits_float32.json", "report.json", "report.md", "sample.png", "sample.json"} <= names
    assert not [n for n in names if n.startswith(".")], "temporary files left behind"
    metrics = json.loads((tiny_models / "metrics.json").read_text())
    assert metrics["test_images"] == 300 and 0.0 <= metrics["test_accuracy"] <= 1.0
    assert (tiny_models / "history.csv").read_text().startswith("epoch,")


def test_int8_sidecar_describes_its_model(tiny_models):
    from edge.sidecar import file_sha256

    sidecar = json.loads((tiny_models / "digits_int8.json").read_text())
    assert sidecar["model_file"] == "digits_int8.tflite"
    assert sidecar["sha256"] == file_sha256(tiny_models / "digits_int8.tflite")
    assert sidecar["labels"] == [str(d) for d in range(10)]
    assert sidecar["input_shape"] == [1, 28, 28, 1]
    assert sidecar["input_dtype"] == "uint8"
    # uint8 input over the 0..255 pixel range: raw pixels, no arithmetic on the device.
    assert (sidecar["input_scale"], sidecar["input_zero_point"]) == (1.0, 0)
    assert sidecar["output_dtype"] == "uint8"
    assert sidecar["output_scale"] == pytest.approx(1 / 256)
    assert sidecar["polarity"] == "white_on_black"
    assert sidecar["value_range"] == [0, 255]
    report = json.loads((tiny_models / "report.json").read_text())
    assert sidecar["test_accuracy"] == pytest.approx(report["int8"]["accuracy"], abs=1e-6)


def test_report_matches_a_fresh_evaluation(tiny_models, mnist_dir):
    from edge.runtime import Classifier
    from train.data import load_mnist

    report = json.loads((tiny_models / "report.json").read_text())
    test = load_mnist(mnist_dir).test
    scores = Classifier(tiny_models / "digits_int8.tflite").scores(test.images[:300])
    assert report["int8"]["accuracy"] == pytest.approx(np.mean(scores.argmax(1) == test.labels[:300]))
    assert report["size_ratio"] <= 0.3
    assert report["passed"] is True
    assert "| TFLite int8 | digits_int8.tflite |" in (tiny_models / "report.md").read_text()


def test_int8_model_is_integer_only(tiny_models):
    from convert.quantize import INTEGER_TYPES, list_ops

    ops = list_ops((tiny_models / "digits_int8.tflite").read_bytes())
    assert {"CONV_2D", "MAX_POOL_2D", "FULLY_CONNECTED", "SOFTMAX"} <= {op.name for op in ops}
    assert all(set(op.tensor_types) <= INTEGER_TYPES for op in ops)


def test_float_operators_are_refused(tiny_models):
    from convert.quantize import ConversionError, ensure_integer_only

    with pytest.raises(ConversionError, match=r"not integer-only.*CONV_2D \(FLOAT32 tensors\)"):
        ensure_integer_only((tiny_models / "digits_float32.tflite").read_bytes())


def test_a_rejected_conversion_changes_nothing_in_the_output_folder(tiny_models, mnist_dir, tmp_path,
                                                                    monkeypatch):
    """Gates are decided before anything is installed: the previous models stay, byte for byte.

    Of the run's temporary files only its report is left (the SavedModel
    exports, 2 MB each, are gone).
    """
    import hashlib
    import shutil
    import tempfile

    from convert.pipeline import QuantizeConfig, ValidationFailed, run_conversion

    out = tmp_path / "out"
    out.mkdir()
    for name in ("digits.keras", "digits_int8.tflite", "digits_int8.json", "digits_float32.tflite",
                 "digits_float32.json", "report.md", "report.json"):
        shutil.copy(tiny_models / name, out)
    (out / ".convert-leftover").mkdir()  # staging left by a killed run
    (out / ".convert-leftover" / "digits_int8.tflite").write_bytes(b"half")

    def hashes():
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir() if p.is_file()}

    before = hashes()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    cfg = QuantizeConfig(keras_model=out / "digits.keras", output_dir=out, data_dir=mnist_dir,
                         representative_size=20, test_limit=100, min_accuracy=0.999)
    with pytest.raises(ValidationFailed, match=r"accuracy .* is below --min-accuracy 99\.90%.*Nothing in .* "
                                               r"was changed; this run's report is .*report\.md") as failed:
        run_conversion(cfg)
    assert hashes() == before
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no staging left, old leftover cleared
    report = Path(str(failed.value).rsplit("report is ", 1)[1])
    assert "FAILED" in report.read_text()
    assert sorted(p.relative_to(scratch) for p in scratch.rglob("*") if p.is_file()) == [
        report.parent.relative_to(scratch) / name for name in sorted(p.name for p in report.parent.iterdir())]


def test_gate_thresholds():
    from convert.pipeline import QuantizeConfig, gate

    cfg = QuantizeConfig()
    assert gate(0.05, 0.995, cfg) == ()
    assert gate(0.31, 0.995, cfg) == ("int8 loses 0.31 percentage points against float, more than "
                                      "--max-drop 0.30",)
    assert len(gate(0.5, 0.98, cfg)) == 2
    assert gate(0.0, 0.995, cfg, float_accuracy=0.07) == ("float32 accuracy 7.00% is below --min-accuracy 99.00%",)


def test_smoke_sample_reads_as_its_digits(tiny_models):
    from edge.reader import DigitReader
    from edge.runtime import Classifier
    from edge.sidecar import file_sha256
    from edge.sources import load_image

    sample = json.loads((tiny_models / "sample.json").read_text())
    assert len(sample["digits"]) == 5 and sample["digits"].isdigit()
    assert sample["model_sha256"] == file_sha256(tiny_models / "digits_int8.tflite")
    reader = DigitReader(Classifier(tiny_models / "digits_int8.tflite"))
    assert reader.read(load_image(tiny_models / sample["file"])).text == sample["digits"]
