"""report.json and report.md: float against int8, side by side."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from edge.files import write_text_atomic


def render_markdown(report) -> str:
    """The conversion report as a markdown table a person reads first."""
    verdict = "PASSED" if report.passed else "FAILED: " + "; ".join(report.failures)
    kib = lambda n: f"{n / 1024:.1f} KiB"  # noqa: E731
    lines = [
        "# Conversion report",
        "",
        f"MNIST test set, {report.test_images} images. TFLite runtime: {report.backend}. "
        f"Machine: {report.machine}.",
        "",
        "| model | file | size | test accuracy |",
        "| --- | --- | ---: | ---: |",
        f"| Keras float32 | digits.keras | | {report.keras_accuracy:.2%} |",
        f"| TFLite float32 | {report.float32.file} | {kib(report.float32.size_bytes)} "
        f"| {report.float32.accuracy:.2%} |",
        f"| TFLite int8 | {report.int8.file} | {kib(report.int8.size_bytes)} "
        f"| {report.int8.accuracy:.2%} |",
        "",
        f"- int8 drop against Keras float: {report.drop_pp:+.2f} percentage points "
        "(positive means int8 is worse)",
        f"- float32 and int8 TFLite agree on {report.agreement:.2%} of the test images",
        f"- int8 file is {report.size_ratio:.1%} of the float32 file",
        f"- verdict: {verdict}",
        "",
    ]
    return "\n".join(lines)


def write_reports(report, json_path: Path, md_path: Path) -> None:
    write_text_atomic(json_path, json.dumps(asdict(report), indent=2) + "\n")
    write_text_atomic(md_path, render_markdown(report))
