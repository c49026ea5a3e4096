"""Atomic outputs: what a killed run left is cleared at the next start; images are written whole or not at all."""

from __future__ import annotations

import numpy as np
import pytest

from edge.files import atomic_output, clear_stale_temporaries, write_image_atomic


def test_stale_temporaries_of_a_killed_run_are_cleared(tmp_path):
    (tmp_path / ".history.abc123.tmp.csv").write_text("half")
    (tmp_path / ".digits.x9.tmp.keras").write_bytes(b"half")
    (tmp_path / "history.csv").write_text("kept")
    (tmp_path / ".hidden").write_text("not ours")
    removed = clear_stale_temporaries(tmp_path)
    assert sorted(p.name for p in removed) == [".digits.x9.tmp.keras", ".history.abc123.tmp.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".hidden", "history.csv"]


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    target = tmp_path / "model.bin"
    with pytest.raises(RuntimeError):
        with atomic_output(target) as tmp:
            tmp.write_bytes(b"partial")
            raise RuntimeError("killed mid-write")
    assert list(tmp_path.iterdir()) == []


def test_write_image_atomic_names_the_file_it_could_not_write(tmp_path):
    (tmp_path / "in_the_way.png").mkdir()  # a folder where the picture should go
    with pytest.raises(OSError, match="in_the_way.png"):
        write_image_atomic(tmp_path / "in_the_way.png", np.zeros((4, 4), np.uint8))
    write_image_atomic(tmp_path / "ok.png", np.zeros((4, 4), np.uint8))
    assert (tmp_path / "ok.png").stat().st_size > 0


def test_a_full_disk_names_the_file(tmp_path, monkeypatch):
    from pathlib import Path

    from edge.files import write_text_atomic

    def no_space(self, data):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(Path, "write_bytes", no_space)
    with pytest.raises(OSError, match=r"report\.json: No space left on device"):
        write_text_atomic(tmp_path / "report.json", "{}")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
