"""What C libraries print: collected instead of written past the program's own messages."""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Iterator


@contextlib.contextmanager
def native_stderr_captured() -> Iterator[list[str]]:
    """Collects what C libraries write to file descriptor 2 meanwhile, instead of printing it.

    libjpeg and libpng write past OpenCV's log level, and the TFLite runtime announces its
    delegate on every model load; the caller decides what of it matters.
    """
    lines: list[str] = []
    with tempfile.TemporaryFile() as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            lines.extend(sink.read().decode("utf-8", "replace").splitlines())
