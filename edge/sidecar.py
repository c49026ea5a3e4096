"""The sidecar a model is stored with (models/digits_int8.json): what the device needs to know about the
.tflite beside it (its sha256, labels, tensors' types and quantization, polarity), written by
`make convert` and checked before the model is loaded."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from edge import spec
from edge.files import read_small_text

# The input and output types this runner can feed and read.
TENSOR_DTYPES = ("uint8", "int8", "float32")


class ModelError(ValueError):
    """The model or its sidecar cannot be used by this runner."""


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Sidecar:
    """What the device needs to know about a .tflite, stored beside it as JSON."""

    model_file: str
    sha256: str
    labels: tuple[str, ...]
    input_shape: tuple[int, ...]
    input_dtype: str
    input_scale: float
    input_zero_point: int
    output_dtype: str
    output_scale: float
    output_zero_point: int
    polarity: str = spec.POLARITY
    value_range: tuple[int, int] = (spec.VALUE_MIN, spec.VALUE_MAX)
    test_accuracy: float | None = None

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Sidecar":
        """Parses and type-checks a sidecar.

        Raises:
          ModelError: not JSON, a field missing, or a field of the wrong kind (an input_dtype
            of "bogus", a sha256 that is a number).
        """
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelError(f"not JSON ({exc})") from exc
        except RecursionError:
            raise ModelError("not a sidecar (JSON nested too deep)") from None
        if not isinstance(raw, dict):
            raise ModelError("not a JSON object")
        names = {f.name for f in dataclasses.fields(cls)}
        missing = names - set(raw) - {"polarity", "value_range", "test_accuracy"}
        if missing:
            raise ModelError(f"lacks {', '.join(sorted(missing))}")
        raw = {k: v for k, v in raw.items() if k in names}
        for key in ("model_file", "sha256", "input_dtype", "output_dtype", "polarity"):
            if key in raw and not isinstance(raw[key], str):
                raise ModelError(f"{key} must be a string, got {raw[key]!r}")
        for key in ("input_dtype", "output_dtype"):
            if raw[key] not in TENSOR_DTYPES:
                raise ModelError(f"{key} {raw[key]!r} is not one of {', '.join(TENSOR_DTYPES)}")
        for key in ("labels", "input_shape", "value_range"):
            if key in raw:
                if not isinstance(raw[key], list):
                    raise ModelError(f"{key} must be a list, got {raw[key]!r}")
                raw[key] = tuple(raw[key])
        for key in ("input_scale", "output_scale", "input_zero_point", "output_zero_point", "test_accuracy"):
            value = raw.get(key)
            if key == "test_accuracy" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
                raise ModelError(f"{key} must be a number, got {value!r}")
        if raw.get("test_accuracy") is not None and not 0.0 <= raw["test_accuracy"] <= 1.0:
            raise ModelError(f"test_accuracy must be between 0 and 1, got {raw['test_accuracy']!r}")
        return cls(**raw)


def sidecar_path(model_path: str | os.PathLike) -> Path:
    """models/digits_int8.tflite -> models/digits_int8.json"""
    return Path(model_path).with_suffix(".json")


def load_sidecar(model_path: str | os.PathLike) -> Sidecar | None:
    """Reads and checks the sidecar of a model; None when there is none.

    Raises:
      ModelError: unreadable sidecar, or one that describes another file.
    """
    path = sidecar_path(model_path)
    if not path.exists():
        return None
    try:
        text = read_small_text(path)
    except IsADirectoryError:
        raise ModelError(f"sidecar {path} is a folder, not a file") from None
    except OSError as exc:
        raise ModelError(f"sidecar {path} cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise ModelError(f"sidecar {path} {exc}") from None
    try:
        sidecar = Sidecar.from_json(text)
    except ModelError as exc:
        raise ModelError(f"sidecar {path}: {exc}") from None
    actual = file_sha256(model_path)
    if sidecar.sha256 != actual:
        raise ModelError(
            f"{path} does not match {model_path} (sha256 {sidecar.sha256[:12]}... in the "
            f"sidecar, {actual[:12]}... on disk): rebuild with `make convert` or copy both files together")
    if tuple(sidecar.labels) != spec.LABELS:
        raise ModelError(f"{path}: labels {sidecar.labels} are not the digits 0-9")
    if sidecar.polarity != spec.POLARITY:
        raise ModelError(f"{path}: polarity {sidecar.polarity!r}, this runner feeds {spec.POLARITY!r}")
    return sidecar
