"""What C libraries print: collected instead of written past the program's own messages."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from typing import Iterator

# File descriptor 2 is the process's: two threads swapping it at once (a service decoding a frame
# and an upload) left it on one's deleted sink for good, and every later line of the log was lost.
_SWAPPING = threading.Lock()


@contextlib.contextmanager
def native_stderr_captured() -> Iterator[list[str]]:
    """Collects what C libraries write to file descriptor 2 meanwhile, instead of printing it.

    libjpeg and libpng write past OpenCV's log level, and the TFLite runtime announces its
    delegate on every model load; the caller decides what of it matters. One thread at a time:
    another waits for the descriptor (a decode: milliseconds for a camera frame, up to a second for
    50 megapixels); what another thread writes to it meanwhile is collected too.
    """
    lines: list[str] = []
    with _SWAPPING, tempfile.TemporaryFile() as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            lines.extend(sink.read().decode("utf-8", "replace").splitlines())
