"""`edge doctor`: what this device has, and whether it can run the reader."""

from __future__ import annotations

import glob
import importlib.metadata
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED_ARCHS = ("aarch64", "x86_64", "arm64", "amd64")


@dataclass
class Report:
    lines: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, name: str, value: str) -> None:
        self.lines.append((name, value))

    @property
    def verdict(self) -> str:
        return "ready" if not self.problems else "NOT READY: " + "; ".join(self.problems)

    def render(self) -> str:
        width = max(len(n) for n, _ in self.lines)
        body = "\n".join(f"{n.ljust(width)}  {v}" for n, v in self.lines)
        return f"{body}\n{'verdict'.ljust(width)}  {self.verdict}"


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def camera_sources() -> list[str]:
    """V4L2 device nodes, and picamera2's cameras where picamera2 is installed."""
    found = sorted(glob.glob("/dev/video*"))
    try:
        from picamera2 import Picamera2
        found += [f"picamera2: {c.get('Model', 'camera')}" for c in Picamera2.global_camera_info()]
    except Exception:  # not installed, or libcamera without cameras
        pass
    return found


def diagnose(model: Path | None) -> Report:
    """Backend and versions, numpy, OpenCV, cameras, architecture, CPUs, and the model."""
    from edge.runtime import BACKEND_NAMES, Classifier, RuntimeUnavailableError, load_backend
    from edge.sidecar import ModelError
    report = Report()
    arch = platform.machine()
    report.add("architecture", f"{arch}, {os.cpu_count()} CPU(s), {platform.platform()}")
    if arch not in SUPPORTED_ARCHS:
        report.problems.append(f"{arch} is not supported: install the 64-bit OS (no maintained TFLite "
                               "runtime ships 32-bit ARM wheels)")
    report.add("python", platform.python_version())
    try:
        backend = load_backend()
        report.add("backend", f"{backend.name} {backend.version}")
    except RuntimeUnavailableError as exc:
        report.add("backend", "none")
        report.problems.append(str(exc))
    others = [n for n in BACKEND_NAMES if _version({"litert": "ai-edge-litert"}.get(n, n))]
    report.add("backends installed", ", ".join(others) or "none")
    import numpy
    report.add("numpy", numpy.__version__)
    try:
        import cv2
        gui = "headless" if _version("opencv-python-headless") else "with GUI"
        report.add("opencv", f"{cv2.__version__} ({gui})")
    except ImportError:
        report.add("opencv", "missing")
        report.problems.append("OpenCV is missing: pip install opencv-python-headless")
    pyav = _version("av")
    report.add("pyav (video files)", pyav or "missing")
    if not pyav:
        report.problems.append("PyAV is missing, so video files cannot be read: pip install av")
    cams = camera_sources()
    report.add("cameras", ", ".join(cams) or "none found")
    if model is not None:
        try:
            classifier = Classifier(model)
            sidecar = classifier.sidecar
            acc = f", test accuracy {sidecar.test_accuracy:.2%}" if sidecar and sidecar.test_accuracy else ""
            report.add("model", f"{classifier.describe()}{acc}")
        except (FileNotFoundError, ModelError, RuntimeUnavailableError, ValueError) as exc:
            report.add("model", "unusable")
            report.problems.append(str(exc))
    return report
