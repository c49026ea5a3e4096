"""What a release ships: edge/, the int8 model and sidecar, the smoke-test sample."""

from __future__ import annotations

import hashlib
import shutil
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODEL_FILES = ("digits_int8.tflite", "digits_int8.json")
SAMPLE_FILES = ("sample.png", "sample.json")


class BundleError(RuntimeError):
    """The release cannot be assembled (nothing built yet, say)."""


def _edge_files(edge_dir: Path) -> list[Path]:
    return sorted(p for p in edge_dir.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".txt", ".html", ".js", ".css"))


def build_bundle(models_dir: Path, dest: Path, edge_dir: Path = REPO / "edge") -> str:
    """Copies the device side into dest/ and returns the release id (a content hash).

    Layout on the device: edge/, models/digits_int8.{tflite,json}, sample.png, sample.json.
    Raises BundleError when the model or the sample has not been built.
    """
    missing = [name for name in MODEL_FILES + SAMPLE_FILES if not (models_dir / name).is_file()]
    if missing:
        raise BundleError(f"no model built yet ({', '.join(missing)} missing in {models_dir}): "
                          "run `make train convert` first")
    digest = hashlib.sha256()
    for path in _edge_files(edge_dir):
        rel = Path("edge") / path.relative_to(edge_dir)
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest / rel)
        digest.update(str(rel).encode() + b"\0" + path.read_bytes())
    (dest / "models").mkdir(parents=True, exist_ok=True)
    for name in MODEL_FILES:
        shutil.copy2(models_dir / name, dest / "models" / name)
        digest.update(name.encode() + b"\0" + (models_dir / name).read_bytes())
    for name in SAMPLE_FILES:
        shutil.copy2(models_dir / name, dest / name)
        digest.update(name.encode() + b"\0" + (models_dir / name).read_bytes())
    return digest.hexdigest()[:12]


def pack_bundle(bundle: Path, archive: Path) -> Path:
    """The bundle folder as one .tar.gz, sample.json last.

    Shipping one archive costs one module run on the device instead of one per file
    (each costs seconds on a slow Pi). The deploy extracts it only into a release
    folder that lacks sample.json, the last member: a complete release is never
    extracted again.
    """
    members = sorted(p for p in bundle.rglob("*") if p.is_file())
    members.sort(key=lambda p: p.name == "sample.json")
    with tarfile.open(archive, "w:gz") as tar:
        for path in members:
            info = tar.gettarinfo(str(path), arcname=str(path.relative_to(bundle)))
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with open(path, "rb") as f:
                tar.addfile(info, f)
    return archive
