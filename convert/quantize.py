"""Keras model -> float32 and full-integer int8 .tflite, with the integer-only check."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

import numpy as np


class ConversionError(RuntimeError):
    """The converter failed, or produced a model the device cannot run integer-only."""


# Tensor types an integer-only model may carry between its operators.
INTEGER_TYPES = {"INT8", "UINT8", "INT16", "INT32", "INT64", "BOOL"}


@dataclass(frozen=True)
class OpSummary:
    name: str  # builtin operator name, or the custom code
    tensor_types: tuple[str, ...]  # types of its inputs and outputs


def _convert(model, configure=None) -> bytes:
    """The model converted to TFLite through a SavedModel export, `configure(converter)` applied first.

    With Keras 3 on TF >= 2.16, from_keras_model traces the Keras 2 code path
    and fails or loses the signature on some models; exporting a SavedModel
    with a fixed serving signature and converting that works reliably. The
    export (2 MB) lives only while the converter reads it.
    """
    import tensorflow as tf
    with tempfile.TemporaryDirectory(prefix="digits-savedmodel-") as export_dir:
        model.export(export_dir, format="tf_saved_model", verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(export_dir)
        if configure is not None:
            configure(converter)
        return converter.convert()


def convert_float32(model) -> bytes:
    """The unquantized float32 model, for comparison."""
    try:
        return _convert(model)
    except Exception as exc:
        raise ConversionError(f"float32 conversion failed: {exc}") from exc


def convert_int8(model, representative: np.ndarray) -> bytes:
    """Full-integer post-training quantization with uint8 input and output.

    Args:
      model: the trained Keras model (takes raw 0..255 float pixels).
      representative: (N, 28, 28, 1) uint8 training images, fed exactly as in
        training (raw pixels as float32) to calibrate the activation ranges.

    uint8 I/O: the model's input range is 0..255, so the uint8 input tensor
    gets scale 1 and zero point 0 and the device feeds raw pixels with no
    arithmetic at all; int8 would need a subtraction of 128 on every frame.
    """
    import tensorflow as tf

    def samples():
        for image in representative:
            yield [image[np.newaxis].astype(np.float32)]

    def full_integer(converter):
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = samples
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.uint8
        converter.inference_output_type = tf.uint8

    try:
        tflite = _convert(model, full_integer)
    except Exception as exc:
        raise ConversionError(f"int8 conversion failed: {str(exc).splitlines()[0]}") from exc
    ensure_integer_only(tflite)
    return tflite


def list_ops(tflite: bytes) -> list[OpSummary]:
    """Every operator of the model's main graph with its tensors' types."""
    from tensorflow.lite.python import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(bytearray(tflite), 0)
    op_names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    type_names = {v: k for k, v in vars(schema.TensorType).items() if not k.startswith("_")}
    graph = model.subgraphs[0]
    ops = []
    for op in graph.operators:
        code = model.operatorCodes[op.opcodeIndex]
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        name = op_names.get(builtin, str(builtin))
        if name == "CUSTOM":
            custom = code.customCode
            name = custom.decode() if isinstance(custom, bytes) else str(custom)
        indices = [i for i in list(op.inputs) + list(op.outputs) if i >= 0]
        types = tuple(type_names[graph.tensors[i].type] for i in indices)
        ops.append(OpSummary(name, types))
    return ops


def ensure_integer_only(tflite: bytes) -> None:
    """Raises ConversionError when an operator is Flex (select TF), custom or computes in float."""
    problems = []
    for op in list_ops(tflite):
        if op.name.startswith("Flex") or not op.name.isupper():
            problems.append(f"{op.name} (select-TF or custom op)")
        elif not set(op.tensor_types) <= INTEGER_TYPES:
            floats = sorted(set(op.tensor_types) - INTEGER_TYPES)
            problems.append(f"{op.name} ({'/'.join(floats)} tensors)")
    if problems:
        raise ConversionError("the model is not integer-only; the device would fall back to float "
                              f"or fail to load it: {', '.join(problems)}")
