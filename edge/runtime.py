"""TFLite interpreter backends and the digit classifier (the model's sidecar: edge.sidecar)."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edge import spec
from edge.native import native_stderr_captured
from edge.sidecar import TENSOR_DTYPES, ModelError, load_sidecar, sidecar_path

# Tried in this order when no backend is forced.
BACKEND_NAMES = ("litert", "tflite-runtime", "tensorflow")
_BACKEND_MODULES = {
    "litert": ("ai_edge_litert.interpreter", "ai-edge-litert"),
    "tflite-runtime": ("tflite_runtime.interpreter", "tflite-runtime"),
    "tensorflow": ("tensorflow", "tensorflow"),
}
# Large batches are split so the interpreter's arena stays small on a Pi.
MAX_BATCH = 256


class RuntimeUnavailableError(RuntimeError):
    """No TFLite interpreter package can be imported."""


@dataclass(frozen=True)
class Backend:
    """An importable TFLite interpreter implementation."""

    name: str
    version: str
    interpreter_class: Any
    # OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES: switches XNNPACK off.
    no_xnnpack_resolver: Any


def _import_backend(name: str) -> Backend:
    module_name, dist_name = _BACKEND_MODULES[name]
    module = importlib.import_module(module_name)
    if name == "tensorflow":
        interpreter_class = module.lite.Interpreter
        resolver_type = module.lite.experimental.OpResolverType
    else:
        interpreter_class = module.Interpreter
        resolver_type = module.OpResolverType
    try:
        version = importlib.metadata.version(dist_name)
    except importlib.metadata.PackageNotFoundError:
        version = getattr(module, "__version__", "unknown")
    return Backend(name, version, interpreter_class,
                   resolver_type.BUILTIN_WITHOUT_DEFAULT_DELEGATES)


def load_backend(name: str | None = None) -> Backend:
    """Imports the forced backend, or the first available one.

    Args:
      name: one of BACKEND_NAMES, or None to try them in order.

    Raises:
      RuntimeUnavailableError: nothing importable, with what to install.
    """
    if name is not None and name not in BACKEND_NAMES:
        raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}")
    errors = []
    for candidate in ([name] if name else BACKEND_NAMES):
        try:
            return _import_backend(candidate)
        except Exception as exc:  # ImportError, or a wheel built against another numpy
            errors.append(f"{candidate}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    hint = ("pip install ai-edge-litert  (or, on Python <= 3.11 with numpy < 2: "
            "pip install tflite-runtime)")
    raise RuntimeUnavailableError(
        f"no TFLite runtime could be loaded ({'; '.join(errors)}). Install one: {hint}")


def available_backends() -> list[Backend]:
    """Every backend that imports on this machine."""
    found = []
    for name in BACKEND_NAMES:
        try:
            found.append(_import_backend(name))
        except Exception:
            pass
    return found


def quantize(values: np.ndarray, dtype: np.dtype, scale: float, zero_point: int) -> np.ndarray:
    """Real values -> the tensor's storage type. Float tensors (scale 0) pass through."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return values.astype(dtype, copy=False)
    if scale == 1.0 and zero_point == 0 and values.dtype == dtype:
        return values  # raw uint8 pixels straight into a uint8 input: no arithmetic
    info = np.iinfo(dtype)
    q = np.rint(values.astype(np.float32) / np.float32(scale)) + np.int32(zero_point)
    return np.clip(q, info.min, info.max).astype(dtype)


def dequantize(values: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """Tensor storage -> real values; widened to int32 before the zero point goes."""
    if values.dtype.kind == "f":
        return values.astype(np.float32, copy=False)
    return (values.astype(np.int32) - np.int32(zero_point)).astype(np.float32) * np.float32(scale)


def _tensor_quantization(detail: dict) -> tuple[float, int]:
    scale, zero_point = detail.get("quantization", (0.0, 0))
    return float(scale), int(zero_point)


def _without_runtime_chatter(call):
    """Runs call(); the runtime's "INFO: Created TensorFlow Lite XNNPACK delegate" lines, printed
    on every model load, are dropped; anything else it prints is passed on."""
    printed: list[str] = []
    try:
        with native_stderr_captured() as printed:
            return call()
    finally:
        for line in printed:
            if not line.startswith("INFO: "):
                print(line, file=sys.stderr)


class Classifier:
    """A digit model loaded once; classifies batches of 28x28 images.

    The same code serves float32 and integer models: the input and output
    conversions are read from the tensor details.
    """

    def __init__(self, model_path: str | os.PathLike, backend: str | None = None,
                 threads: int = 1, use_xnnpack: bool = True) -> None:
        model_path = Path(model_path)
        if not model_path.is_file():
            raise FileNotFoundError(f"model {model_path} not found: build it with `make train convert`")
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        self.model_path = model_path
        self.sidecar = load_sidecar(model_path)
        self.backend = load_backend(backend)
        kwargs: dict[str, Any] = {"model_path": str(model_path), "num_threads": threads}
        if not use_xnnpack:
            kwargs["experimental_op_resolver_type"] = self.backend.no_xnnpack_resolver
        try:
            self.interpreter = _without_runtime_chatter(lambda: self.backend.interpreter_class(**kwargs))
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"{model_path}: not a loadable TFLite model ({str(exc).splitlines()[0]})") from exc
        self._input = self.interpreter.get_input_details()[0]
        self._output = self.interpreter.get_output_details()[0]
        shape = tuple(int(d) for d in self._input["shape"][1:])
        if shape != spec.INPUT_SHAPE:
            raise ModelError(f"{model_path}: model input is {shape}, this runner needs "
                             f"{spec.INPUT_SHAPE} (28x28 grayscale)")
        out_shape = tuple(int(d) for d in self._output["shape"])
        if len(out_shape) != 2 or out_shape[-1] != spec.NUM_CLASSES:
            raise ModelError(f"{model_path}: model output is {out_shape}, this runner needs "
                             f"(batch, {spec.NUM_CLASSES}) class scores")
        self.input_dtype = np.dtype(self._input["dtype"])
        self.output_dtype = np.dtype(self._output["dtype"])
        for role, dtype in (("input", self.input_dtype), ("output", self.output_dtype)):
            if dtype.name not in TENSOR_DTYPES:
                raise ModelError(f"{model_path}: model {role} is {dtype.name}; this runner feeds and reads "
                                 f"{', '.join(TENSOR_DTYPES)} only")
        self.input_scale, self.input_zero_point = _tensor_quantization(self._input)
        self.output_scale, self.output_zero_point = _tensor_quantization(self._output)
        if self.sidecar is not None and np.dtype(self.sidecar.input_dtype) != self.input_dtype:
            raise ModelError(f"{sidecar_path(model_path)} says input {self.sidecar.input_dtype}, "
                             f"the model has {self.input_dtype}")
        self._batch = 0
        try:
            _without_runtime_chatter(lambda: self._resize(1))  # the delegate is made here
        except (ValueError, RuntimeError) as exc:  # a Flex (select TF) op has no kernel here
            raise ModelError(f"{model_path}: the runtime cannot prepare this model "
                             f"({str(exc).splitlines()[0]})") from exc

    def _resize(self, batch: int) -> None:
        if batch != self._batch:
            self.interpreter.resize_tensor_input(self._input["index"], [batch, *spec.INPUT_SHAPE])
            self.interpreter.allocate_tensors()
            self._batch = batch

    def prepare(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) or (N, 28, 28, 1) pixels 0..255 -> the model's input tensor."""
        if images.ndim == 3:
            images = images[..., np.newaxis]
        if images.shape[1:] != spec.INPUT_SHAPE:
            raise ValueError(f"images must be (N, 28, 28[, 1]), got {images.shape}")
        return quantize(images, self.input_dtype, self.input_scale, self.input_zero_point)

    def invoke(self, tensor: np.ndarray) -> np.ndarray:
        """One interpreter call on a prepared (N, 28, 28, 1) tensor -> raw output (N, 10)."""
        self._resize(len(tensor))
        self.interpreter.set_tensor(self._input["index"], tensor)
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self._output["index"])

    def scores(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28[, 1]) pixels 0..255 -> (N, 10) float32 class probabilities."""
        if len(images) == 0:
            return np.zeros((0, spec.NUM_CLASSES), np.float32)
        tensor = self.prepare(images)
        chunks = [self.invoke(tensor[i:i + MAX_BATCH]) for i in range(0, len(tensor), MAX_BATCH)]
        raw = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
        return dequantize(raw, self.output_scale, self.output_zero_point)

    def describe(self) -> str:
        return (f"{self.model_path.name} ({self.input_dtype} input) on {self.backend.name} "
                f"{self.backend.version}")


def top_classes(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, 10) probabilities -> labels (N,) int and confidences (N,) float."""
    labels = np.argmax(scores, axis=1)
    return labels, scores[np.arange(len(scores)), labels]
