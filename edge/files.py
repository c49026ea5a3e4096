"""Atomic file output: a failed run never leaves a half-written file that looks valid."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Yields a temporary path beside `path`; renames it onto `path` only on success.

    The temporary name keeps the suffix, so writers that dispatch on it
    (Keras's .keras, matplotlib's .png) behave as for the real name.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would hide outputs from other users
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def clear_stale_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Removes what atomic_output left in a folder when its process was killed (.name.XXXX.tmp.ext).

    Call it when a run starts; a concurrent run writing to the same folder would lose its
    temporaries, which only costs that run its output.
    """
    removed = []
    for path in Path(folder).glob(".*.tmp*"):
        if path.is_file() and ".tmp" in path.name:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Writes text atomically.

    Raises:
      OSError: naming the file (a full disk's "No space left on device" names none by itself).
    """
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Writes bytes atomically; an OSError names the file."""
    path = Path(path)
    try:
        with atomic_output(path) as tmp:
            tmp.write_bytes(data)
    except OSError as exc:
        raise OSError(exc.errno, f"{path}: {exc.strerror or exc}") from exc


def ensure_writable_dir(path: str | os.PathLike) -> Path:
    """Creates `path` if needed and proves it can be written, before long work starts.

    Raises:
      PermissionError / NotADirectoryError: with a message naming the folder.
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except FileExistsError as exc:
        raise NotADirectoryError(f"output folder {path} exists and is not a folder") from exc
    except OSError as exc:
        raise PermissionError(f"output folder {path} is not writable ({exc.strerror})") from exc
    return path


def write_image_atomic(path: str | os.PathLike, image) -> None:
    """Encodes an image by its suffix and writes it atomically.

    Raises:
      OSError: the image cannot be encoded or written (a full disk), naming the file.
    """
    import cv2
    path = Path(path)
    ok, encoded = cv2.imencode(path.suffix or ".png", image)
    if not ok:
        raise OSError(f"{path}: OpenCV could not encode the image")
    write_bytes_atomic(path, encoded.tobytes())


def read_small_text(path: str | os.PathLike, max_bytes: int = 1 << 20) -> str:
    """A small UTF-8 text file (a sidecar, a token, a result): refuses a pipe or a device (the
    read would block or never end) and anything over max_bytes, before reading.

    Raises:
      FileNotFoundError, IsADirectoryError, PermissionError (OSError): as open() would.
      ValueError: not a regular file, too large, or not UTF-8; the message says which.
    """
    with open(path, "rb", opener=lambda p, flags: os.open(p, flags | os.O_NONBLOCK)) as f:
        info = os.fstat(f.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("is not a regular file (a pipe or a device)")
        if info.st_size > max_bytes:
            raise ValueError(f"is {info.st_size:,} bytes, more than the {max_bytes:,} it may be")
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"grew past the {max_bytes:,} bytes it may be while being read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
