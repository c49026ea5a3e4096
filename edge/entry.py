"""Running a command-line entry point: an output that cannot be written is one line, not a traceback."""

from __future__ import annotations

import errno
import os
import sys
from typing import Callable

# Writing to standard output fails with these when it is a full disk (/dev/full), a broken
# pipe, or a terminal that went away.
OUTPUT_ERRORS = (errno.ENOSPC, errno.EPIPE, errno.EIO)


def run_main(main: Callable[..., object], prog_name: str) -> None:
    """Runs a click group; a failed write to standard output ends it with one line and exit 1."""
    try:
        main(prog_name=prog_name)
    except OSError as exc:
        if exc.errno not in OUTPUT_ERRORS or exc.filename is not None:
            raise
        # Nothing more can reach standard output, not even the final flush.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        print(f"{prog_name}: cannot write the output ({exc.strerror})", file=sys.stderr)
        sys.exit(1)
