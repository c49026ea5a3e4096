"""Fixtures of the benchmarks' tests."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest


@pytest.fixture
def labelled_folder(tmp_path, confident_digits) -> Path:
    """A labelled folder of two photos of the same five confident digits: p0.png labelled with them,
    p1.png with something else (read wrong, so never cut or ruled)."""
    from edge.synth import draw_digits
    images, labels = confident_digits
    cv2.imwrite(str(tmp_path / "p0.png"), draw_digits(images[:5], seed=0))
    cv2.imwrite(str(tmp_path / "p1.png"), draw_digits(images[:5], seed=0))
    truth = "".join(map(str, labels[:5]))
    (tmp_path / "labels.csv").write_text(f"file,digits\np0.png,{truth}\np1.png,{truth[::-1]}9\n")
    return tmp_path


def run_on_labelled(command, folder: Path, model: Path) -> list[str]:
    """A benchmark's click command run on `labelled_folder` with `model`: its output's lines, once it
    has exited 0 and said that p1.png (read wrong) is not used."""
    from click.testing import CliRunner

    result = CliRunner().invoke(command, [str(folder), "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert "1 photo(s) not read right as they are, not used (p1.png)" in result.output
    return result.output.splitlines()
