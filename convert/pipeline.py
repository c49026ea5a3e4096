"""The conversion run: quantize, validate against float, install the models, report."""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge import spec
from edge.files import clear_stale_temporaries, ensure_writable_dir, write_text_atomic
from edge.runtime import Classifier
from edge.sidecar import Sidecar, file_sha256, sidecar_path

INT8_FILE = "digits_int8.tflite"
FLOAT32_FILE = "digits_float32.tflite"
REPORT_JSON = "report.json"
REPORT_MD = "report.md"
SAMPLE_IMAGE = "sample.png"
SAMPLE_DIGITS = "sample.json"
SAMPLE_ATTEMPTS = 20
STAGING_PREFIX = ".convert-"  # candidates are staged in out/.convert-*, never installed half-written


class ValidationFailed(RuntimeError):
    """The int8 model is too inaccurate to ship; the report says by how much."""


@dataclass(frozen=True)
class QuantizeConfig:
    """Conversion options; the gates are what `make convert` enforces."""

    keras_model: Path = Path("models/digits.keras")
    output_dir: Path = Path("models")
    data_dir: Path | None = None  # None: $MNIST_DIR, else the download cache
    representative_size: int = 500  # training images used to calibrate int8 ranges
    min_accuracy: float = 0.99  # int8 test accuracy below this fails the build
    max_drop: float = 0.3  # percentage points int8 may lose against Keras float
    seed: int = 0
    test_limit: int | None = None  # first N test images only (smoke tests)

    def __post_init__(self) -> None:
        if self.representative_size < 1:
            raise ValueError(f"representative-size must be at least 1, got {self.representative_size}")
        if not 0.0 <= self.min_accuracy <= 1.0:
            raise ValueError(f"min-accuracy is a fraction between 0 and 1, got {self.min_accuracy}")
        if not self.max_drop >= 0:  # also true for NaN, which would switch the gate off
            raise ValueError(f"max-drop must be a non-negative number, got {self.max_drop}")
        if self.test_limit is not None and self.test_limit < 1:
            raise ValueError(f"test-limit must be at least 1, got {self.test_limit}")


@dataclass(frozen=True)
class VariantResult:
    file: str
    size_bytes: int
    accuracy: float


@dataclass(frozen=True)
class ConversionReport:
    test_images: int
    keras_accuracy: float
    float32: VariantResult
    int8: VariantResult
    drop_pp: float  # Keras float accuracy minus int8 accuracy, percentage points
    agreement: float  # share of test images where float32 and int8 TFLite agree
    size_ratio: float  # int8 file size / float32 file size
    passed: bool
    failures: tuple[str, ...]
    backend: str
    machine: str


def _sidecar_for(classifier: Classifier, accuracy: float) -> Sidecar:
    return Sidecar(
        model_file=classifier.model_path.name,
        sha256=file_sha256(classifier.model_path),
        labels=spec.LABELS,
        input_shape=(1, *spec.INPUT_SHAPE),
        input_dtype=classifier.input_dtype.name,
        input_scale=classifier.input_scale,
        input_zero_point=classifier.input_zero_point,
        output_dtype=classifier.output_dtype.name,
        output_scale=classifier.output_scale,
        output_zero_point=classifier.output_zero_point,
        test_accuracy=round(accuracy, 6),
    )


def _install(classifier: Classifier, final: Path, accuracy: float) -> None:
    """Moves a validated model into place, then its sidecar (which names its hash).

    The staged file already has the final name, so the sidecar describes it as installed.
    """
    sidecar = _sidecar_for(classifier, accuracy)
    os.replace(classifier.model_path, final)
    write_text_atomic(sidecar_path(final), sidecar.to_json())


def gate(report_drop_pp: float, int8_accuracy: float, cfg: QuantizeConfig,
         float_accuracy: float | None = None) -> tuple[str, ...]:
    """The reasons the models fail the build; empty when they pass.

    The float32 model answers to --min-accuracy too: an untrained model's 7 %
    float32 file must not replace a good one.
    """
    failures = []
    if float_accuracy is not None and float_accuracy < cfg.min_accuracy:
        failures.append(f"float32 accuracy {float_accuracy:.2%} is below --min-accuracy {cfg.min_accuracy:.2%}")
    if int8_accuracy < cfg.min_accuracy:
        failures.append(f"int8 accuracy {int8_accuracy:.2%} is below --min-accuracy {cfg.min_accuracy:.2%}")
    if report_drop_pp > cfg.max_drop:
        failures.append(f"int8 loses {report_drop_pp:.2f} percentage points against float, "
                        f"more than --max-drop {cfg.max_drop:.2f}")
    return tuple(failures)


def run_conversion(cfg: QuantizeConfig, log=lambda message: None) -> ConversionReport:
    """Converts, validates and writes models, sidecars and reports into cfg.output_dir.

    The gates are decided before anything is installed. A rejected run changes
    nothing in the output folder (the previous models, sidecars and reports
    stay): ValidationFailed says why, and where the rejected run's report is.
    Candidates are staged in a hidden folder inside the output folder; one
    left by a killed run is cleared at the next start.
    """
    if not cfg.keras_model.is_file():
        raise FileNotFoundError(f"Keras model {cfg.keras_model} not found: train one first with `make train`")
    out = ensure_writable_dir(cfg.output_dir)
    for stale in out.glob(f"{STAGING_PREFIX}*"):  # left by a run that was killed
        shutil.rmtree(stale, ignore_errors=True)
    clear_stale_temporaries(out)
    from train.data import load_mnist
    mnist = load_mnist(cfg.data_dir)

    import keras

    from convert.quantize import convert_float32, convert_int8
    from convert.report import write_reports
    from convert.validate import agreement, evaluate_keras, evaluate_tflite

    try:
        model = keras.models.load_model(cfg.keras_model, compile=False)  # no optimizer or metrics needed
    except Exception as exc:
        # Keras says "File not found" of a corrupt archive; say what it is.
        raise ValueError(f"{cfg.keras_model} is not a loadable Keras model: a damaged or foreign file "
                         f"({type(exc).__name__}); retrain with `make train`") from exc
    rng = np.random.default_rng(cfg.seed)
    pick = rng.choice(len(mnist.train.images), size=min(cfg.representative_size, len(mnist.train.images)),
                      replace=False)
    representative = mnist.train.images[pick][..., np.newaxis]  # (N, 28, 28, 1) uint8
    test_images, test_labels = mnist.test.images, mnist.test.labels
    if cfg.test_limit:
        test_images, test_labels = test_images[:cfg.test_limit], test_labels[:cfg.test_limit]

    log("converting to float32 .tflite")
    float_bytes = convert_float32(model)
    log(f"quantizing to int8 with {len(representative)} representative images")
    int8_bytes = convert_int8(model, representative)

    float_final, int8_final = out / FLOAT32_FILE, out / INT8_FILE
    # Candidates live in a hidden folder beside the outputs until validated;
    # whatever is not installed is deleted with it, even on Ctrl-C.
    with tempfile.TemporaryDirectory(dir=out, prefix=STAGING_PREFIX) as staging:
        float_tmp, int8_tmp = Path(staging) / FLOAT32_FILE, Path(staging) / INT8_FILE
        for staged, data in ((float_tmp, float_bytes), (int8_tmp, int8_bytes)):
            try:
                staged.write_bytes(data)
            except OSError as exc:  # a full disk names no file by itself
                raise OSError(exc.errno, f"{staged}: {exc.strerror or exc}") from exc
        log(f"validating on {len(test_labels)} test images")
        float_clf, int8_clf = Classifier(float_tmp), Classifier(int8_tmp)
        keras_eval = evaluate_keras(model, test_images, test_labels)
        float_eval = evaluate_tflite(float_clf, test_images, test_labels)
        int8_eval = evaluate_tflite(int8_clf, test_images, test_labels)
        drop_pp = (keras_eval.accuracy - int8_eval.accuracy) * 100
        failures = gate(drop_pp, int8_eval.accuracy, cfg, float_eval.accuracy)
        backend = int8_clf.backend
        report = ConversionReport(
            test_images=int(len(test_labels)),
            keras_accuracy=keras_eval.accuracy,
            float32=VariantResult(FLOAT32_FILE, len(float_bytes), float_eval.accuracy),
            int8=VariantResult(INT8_FILE, len(int8_bytes), int8_eval.accuracy),
            drop_pp=drop_pp,
            agreement=agreement(float_eval.predictions, int8_eval.predictions),
            size_ratio=len(int8_bytes) / len(float_bytes),
            passed=not failures,
            failures=failures,
            backend=f"{backend.name} {backend.version}",
            machine=f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        )
        if not report.passed:
            rejected = Path(tempfile.mkdtemp(prefix="digit-edge-rejected-"))
            write_reports(report, rejected / REPORT_JSON, rejected / REPORT_MD)
            raise ValidationFailed("; ".join(report.failures) + f". Nothing in {out} was changed; "
                                   f"this run's report is {rejected / REPORT_MD}")
        _install(float_clf, float_final, float_eval.accuracy)
        _install(int8_clf, int8_final, int8_eval.accuracy)
        write_reports(report, out / REPORT_JSON, out / REPORT_MD)
    if write_smoke_sample(int8_clf, test_images, test_labels, out):
        log(f"wrote {SAMPLE_IMAGE} for the deploy smoke test")
    else:
        log(f"no synthetic sheet read right in {SAMPLE_ATTEMPTS} tries: no {SAMPLE_IMAGE} written")
    return report



def write_smoke_sample(classifier: Classifier, images: np.ndarray, labels: np.ndarray, out: Path) -> bool:
    """A synthetic sheet of five test digits that this model reads right, with its digits.

    Deploy ships it and runs `edge predict` on it on the device: the same
    model and code must give the same digits there.
    """
    from edge.files import write_image_atomic
    from edge.reader import DigitReader
    from edge.synth import draw_digits
    reader = DigitReader(classifier)
    rng = np.random.default_rng(0)
    for seed in range(SAMPLE_ATTEMPTS):
        pick = rng.choice(len(images), 5, replace=False)
        sheet = draw_digits(images[pick], digit_height_px=64, seed=seed)
        expected = "".join(str(d) for d in labels[pick])
        if reader.read(sheet).text == expected:
            write_image_atomic(out / SAMPLE_IMAGE, sheet)
            write_text_atomic(out / SAMPLE_DIGITS, json.dumps(
                {"file": SAMPLE_IMAGE, "digits": expected, "model_sha256": file_sha256(out / INT8_FILE)}) + "\n")
            return True
    return False
