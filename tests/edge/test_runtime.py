"""Quantization maths, backend choice and fallback, and the model checks of the classifier."""

from __future__ import annotations

import importlib
import json

import numpy as np
import pytest

from edge import runtime
from edge.runtime import Classifier, RuntimeUnavailableError
from edge.sidecar import ModelError


def test_quantize_uint8_identity_is_free():
    pixels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    assert runtime.quantize(pixels, np.uint8, 1.0, 0) is pixels


def test_quantize_int8_widens_rounds_and_clips():
    values = np.array([0.0, 127.4, 255.0, 300.0, -10.0], np.float32)
    q = runtime.quantize(values, np.int8, 1.0, -128)
    assert q.dtype == np.int8
    assert q.tolist() == [-128, -1, 127, 127, -128]


def test_quantize_float_model_passes_pixels_as_float():
    q = runtime.quantize(np.array([0, 255], np.uint8), np.float32, 0.0, 0)
    assert q.dtype == np.float32 and q.tolist() == [0.0, 255.0]


def test_dequantize_widens_before_subtracting_zero_point():
    raw = np.array([0, 128, 255], np.uint8)
    assert runtime.dequantize(raw, 1 / 256, 0).tolist() == pytest.approx([0.0, 0.5, 255 / 256])
    raw8 = np.array([-128, 0, 127], np.int8)
    # int8 arithmetic would wrap: -128 - (-128) must be 0, 127 - (-128) must be 255.
    assert runtime.dequantize(raw8, 1 / 256, -128).tolist() == pytest.approx([0.0, 0.5, 255 / 256])


def test_top_classes():
    scores = np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]], np.float32)
    labels, conf = runtime.top_classes(scores)
    assert labels.tolist() == [1, 0] and conf.tolist() == pytest.approx([0.7, 0.5])


def _failing_import(blocked: set[str]):
    real = importlib.import_module

    def fake(name, *args, **kwargs):
        if name.split(".")[0] in blocked:
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)
    return fake


def test_backend_falls_back_in_order(monkeypatch):
    monkeypatch.setattr(runtime.importlib, "import_module", _failing_import({"ai_edge_litert", "tflite_runtime"}))
    try:
        backend = runtime.load_backend()
    except RuntimeUnavailableError:
        pytest.skip("tensorflow is not installed here to fall back to")
    assert backend.name == "tensorflow"


def test_litert_is_first_choice():
    pytest.importorskip("ai_edge_litert")
    backend = runtime.load_backend()
    assert backend.name == "litert" and backend.version[0].isdigit()


def test_no_backend_says_what_to_install(monkeypatch):
    monkeypatch.setattr(runtime.importlib, "import_module",
                        _failing_import({"ai_edge_litert", "tflite_runtime", "tensorflow"}))
    with pytest.raises(RuntimeUnavailableError, match=r"pip install ai-edge-litert"):
        runtime.load_backend()


def test_forced_backend_that_is_missing(monkeypatch):
    monkeypatch.setattr(runtime.importlib, "import_module", _failing_import({"tflite_runtime"}))
    with pytest.raises(RuntimeUnavailableError, match=r"tflite-runtime: ImportError"):
        runtime.load_backend("tflite-runtime")
    with pytest.raises(ValueError, match="unknown backend 'onnx'"):
        runtime.load_backend("onnx")


def test_missing_and_broken_models(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"not found: build it with `make train convert`"):
        Classifier(tmp_path / "none.tflite")
    junk = tmp_path / "junk.tflite"
    junk.write_bytes(b"\x00" * 64)
    with pytest.raises(ModelError, match=r"junk\.tflite: not a loadable TFLite model"):
        Classifier(junk)


@pytest.mark.slow
def test_sidecar_that_does_not_match(tiny_models, tmp_path):
    import shutil
    for name in ("digits_int8.tflite", "digits_int8.json", "digits_float32.tflite"):
        shutil.copy(tiny_models / name, tmp_path)
    sidecar = tmp_path / "digits_int8.json"
    # The float model under the int8 name: its hash is not the sidecar's.
    shutil.copy(tmp_path / "digits_float32.tflite", tmp_path / "digits_int8.tflite")
    with pytest.raises(ModelError, match=r"digits_int8\.json does not match .*rebuild with `make convert`"):
        Classifier(tmp_path / "digits_int8.tflite")
    shutil.copy(tiny_models / "digits_int8.tflite", tmp_path)
    data = json.loads(sidecar.read_text())
    sidecar.write_text(json.dumps({**data, "polarity": "black_on_white"}))
    with pytest.raises(ModelError, match=r"polarity 'black_on_white'"):
        Classifier(tmp_path / "digits_int8.tflite")
    broken = {
        "{not json": r"digits_int8\.json: not JSON",
        "[1, 2]": r"digits_int8\.json: not a JSON object",
        json.dumps({**data, "input_dtype": "bogus"}): r"input_dtype 'bogus' is not one of uint8, int8, float32",
        json.dumps({**data, "sha256": 42}): r"digits_int8\.json: sha256 must be a string, got 42",
        json.dumps({**data, "input_scale": "x"}): r"input_scale must be a number",
        json.dumps({k: v for k, v in data.items() if k != "labels"}): r"lacks labels",
    }
    for text, message in broken.items():
        sidecar.write_text(text)
        with pytest.raises(ModelError, match=message):
            Classifier(tmp_path / "digits_int8.tflite")
    sidecar.unlink()
    sidecar.mkdir()
    with pytest.raises(ModelError, match=r"sidecar .*digits_int8\.json is a folder"):
        Classifier(tmp_path / "digits_int8.tflite")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["4-D output", "int32 input", "Flex op"])
def test_models_this_runner_cannot_feed_are_refused_in_words(tmp_path, kind):
    tf = pytest.importorskip("tensorflow")
    ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if kind == "Flex op":  # a select-TF op: the converter embeds it, the device's runtime has no kernel
        spec_in = tf.TensorSpec([1, 28, 28, 1], tf.float32)
        fn = tf.function(lambda x: tf.math.cumprod(tf.reshape(x, [1, -1])[:, :10], axis=1), input_signature=[spec_in])
        message = r"the runtime cannot prepare this model \(Select TensorFlow op"
        ops.append(tf.lite.OpsSet.SELECT_TF_OPS)
    elif kind == "4-D output":
        spec_in = tf.TensorSpec([1, 28, 28, 1], tf.float32)
        fn = tf.function(lambda x: tf.tile(x[:, :1, :1, :], [1, 2, 2, 10]), input_signature=[spec_in])
        message = r"model output is \(1, 2, 2, 10\), this runner needs \(batch, 10\)"
    else:
        spec_in = tf.TensorSpec([1, 28, 28, 1], tf.int32)
        fn = tf.function(lambda x: tf.cast(tf.reshape(x, [1, -1])[:, :10], tf.float32), input_signature=[spec_in])
        message = r"model input is int32; this runner feeds and reads uint8, int8, float32 only"
    path = tmp_path / "odd.tflite"
    converter = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()], fn)
    converter.target_spec.supported_ops = ops
    path.write_bytes(converter.convert())
    with pytest.raises(ModelError, match=message):
        Classifier(path)


@pytest.mark.slow
def test_model_with_wrong_input_shape(tmp_path):
    tf = pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)])
    model.export(str(tmp_path / "sm"), format="tf_saved_model", verbose=False)
    path = tmp_path / "rgb.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_saved_model(str(tmp_path / "sm")).convert())
    with pytest.raises(ModelError, match=r"model input is \(32, 32, 3\), this runner needs \(28, 28, 1\)"):
        Classifier(path)


@pytest.mark.slow
def test_batched_scores_equal_one_by_one(tiny_models, mnist_dir):
    from train.data import load_mnist
    images = load_mnist(mnist_dir).test.images[:40]
    classifier = Classifier(tiny_models / "digits_int8.tflite")
    batched = classifier.scores(images)
    single = np.concatenate([classifier.scores(images[i:i + 1]) for i in range(len(images))])
    assert batched.shape == (40, 10)
    np.testing.assert_array_equal(batched, single)
    float_scores = Classifier(tiny_models / "digits_float32.tflite").scores(images)
    assert float_scores.dtype == np.float32
    assert np.allclose(float_scores.sum(axis=1), 1.0, atol=1e-4)
