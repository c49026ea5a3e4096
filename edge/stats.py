"""Timing statistics: per-stage samples and their percentiles."""

from __future__ import annotations

import threading
from collections import defaultdict, deque

import numpy as np


def percentiles(samples, qs=(50, 90, 95, 99)) -> dict[str, float]:
    """{'p50': ..., ...} of a sequence of numbers; NaN for none."""
    values = np.asarray(samples, dtype=np.float64)
    if values.size == 0:
        return {f"p{q}": float("nan") for q in qs}
    return {f"p{q}": float(v) for q, v in zip(qs, np.percentile(values, qs))}


# A service reads for months: percentiles over the most recent frames, in bounded memory.
MAX_SAMPLES = 10_000


class StageTimer:
    """Collects milliseconds per named stage over the last MAX_SAMPLES frames.

    One thread adds while another may ask for the summary (`edge serve`'s status page).
    """

    def __init__(self, max_samples: int = MAX_SAMPLES) -> None:
        self.samples: dict[str, deque[float]] = defaultdict(lambda: deque(maxlen=max_samples))
        self._lock = threading.Lock()

    def add(self, stage: str, ms: float) -> None:
        with self._lock:
            self.samples[stage].append(ms)

    def add_all(self, timing_ms: dict[str, float]) -> None:
        for stage, ms in timing_ms.items():
            self.add(stage, ms)

    def summary(self) -> dict[str, dict[str, float]]:
        """{stage: {'p50': ms, 'p95': ms}} for every stage seen."""
        with self._lock:
            copies = {stage: list(v) for stage, v in self.samples.items()}
        return {stage: percentiles(v, (50, 95)) for stage, v in copies.items()}
