"""What C libraries print, collected: file descriptor 2 is the process's, and is given back whole."""

import os
import threading

from edge.native import native_stderr_captured


def test_threads_collecting_at_once_leave_the_processs_stderr_as_it_was():
    """A service decodes frames and uploads on two threads: swapping fd 2 at once left it on a deleted
    sink for good (every later line of its log lost)."""
    before = os.readlink("/proc/self/fd/2")

    collected: list[list[str]] = []

    def collect() -> None:
        for _ in range(300):
            with native_stderr_captured() as printed:
                os.write(2, b"libpng warning: a C library's line\n")
            collected.append(printed)

    threads = [threading.Thread(target=collect) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert os.readlink("/proc/self/fd/2") == before
    assert len(collected) == 1200 and all(p == ["libpng warning: a C library's line"] for p in collected)
