"""Files and folders the user may not read or write. Root reads and writes everything, so under
root (CI, a container) each command runs as the unprivileged user `nobody` (setpriv); the files
are made in a folder that user can enter."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import pytest

from tests.conftest import REPO
from tests.faults.test_faults import _frame, _no_crash

pytestmark = pytest.mark.slow

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]


@pytest.fixture(scope="module")
def as_user() -> list[str]:
    """The command prefix that runs a command as a user whom file modes bind."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root, and setpriv (util-linux) is missing to run as another user")
    probe = subprocess.run([*NOBODY, sys.executable, "-c", "import edge"], cwd=REPO, capture_output=True,
                           text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    if probe.returncode != 0:
        pytest.skip(f"the project cannot be run as nobody from {REPO}: {probe.stderr.strip()[-200:]}")
    return NOBODY


@pytest.fixture
def folder(tiny_models):
    """A folder `nobody` can enter, holding a copy of the model, its sidecar and a good image."""
    path = Path(tempfile.mkdtemp(prefix="digit-edge-perm-"))
    path.chmod(0o755)
    for name in ("digits_int8.tflite", "digits_int8.json"):
        shutil.copy(tiny_models / name, path)
    cv2.imwrite(str(path / "good.png"), _frame())
    for p in path.iterdir():
        p.chmod(0o644)
    yield path
    for p in path.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    shutil.rmtree(path)


def _edge(as_user: list[str], *args) -> subprocess.CompletedProcess:
    return subprocess.run([*as_user, sys.executable, "-m", "edge", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def _lock(path: Path) -> None:
    path.chmod(0)
    assert not stat.S_IMODE(path.stat().st_mode)


def test_an_unreadable_image_is_reported_and_the_others_are_read(as_user, folder):
    locked = folder / "locked.png"
    shutil.copy(folder / "good.png", locked)
    _lock(locked)
    proc = _edge(as_user, "predict", locked, folder / "good.png", "--model", folder / "digits_int8.tflite")
    _no_crash(proc)
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {locked}: cannot be read (Permission denied)"], proc.stderr
    assert proc.stdout.startswith(f"{folder / 'good.png'}: ")


def test_run_on_a_folder_skips_an_unreadable_image_with_a_warning(as_user, folder):
    locked = folder / "locked.png"
    shutil.copy(folder / "good.png", locked)
    _lock(locked)
    proc = _edge(as_user, "run", "--source", folder, "--headless", "--json", "--model", folder / "digits_int8.tflite")
    _no_crash(proc)
    assert proc.returncode == 0, proc.stderr
    assert f"{locked}: cannot be read (Permission denied)" in proc.stderr
    assert len([line for line in proc.stdout.splitlines() if line.startswith("{")]) == 1  # good.png


@pytest.mark.parametrize("name, message", [
    ("digits_int8.tflite", "is not readable"),
    ("digits_int8.json", "sidecar {folder}/digits_int8.json cannot be read (Permission denied)"),
])
def test_an_unreadable_model_or_sidecar_is_one_line_naming_it(as_user, folder, name, message):
    _lock(folder / name)
    for args in (["predict", folder / "good.png"], ["doctor"]):
        proc = _edge(as_user, *args, "--model", folder / "digits_int8.tflite")
        _no_crash(proc)
        assert proc.returncode in (1, 2), proc.stdout + proc.stderr
        assert message.format(folder=folder) in proc.stdout + proc.stderr
        assert str(folder / name) in proc.stdout + proc.stderr


def test_a_debug_folder_that_cannot_be_written_is_an_error_before_reading(as_user, folder):
    debug = folder / "debug"
    debug.mkdir(mode=0o555)
    debug.chmod(0o555)
    proc = _edge(as_user, "predict", folder / "good.png", "--model", folder / "digits_int8.tflite",
                 "--debug-dir", debug)
    _no_crash(proc)
    assert proc.returncode == 1
    assert f"output folder {debug} is not writable (Permission denied)" in proc.stderr
    assert not any(debug.iterdir())


@pytest.mark.parametrize("source", ["{locked}/good.png", "{locked}", "{locked}/*.png"])
def test_a_source_in_a_folder_that_cannot_be_entered_is_one_line(as_user, folder, source):
    locked = folder / "private"
    locked.mkdir()
    shutil.copy(folder / "good.png", locked)
    _lock(locked)
    proc = _edge(as_user, "run", "--source", source.format(locked=locked), "--headless",
                 "--model", folder / "digits_int8.tflite")
    _no_crash(proc)
    assert proc.returncode == 1, proc.stderr
    assert "Permission denied" in proc.stderr or "no image files" in proc.stderr, proc.stderr
