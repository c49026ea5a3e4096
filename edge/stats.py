"""Timing statistics: per-stage samples and their percentiles."""

from __future__ import annotations

from collections import defaultdict

import numpy as np


def percentiles(samples, qs=(50, 90, 95, 99)) -> dict[str, float]:
    """{'p50': ..., ...} of a sequence of numbers; NaN for none."""
    values = np.asarray(samples, dtype=np.float64)
    if values.size == 0:
        return {f"p{q}": float("nan") for q in qs}
    return {f"p{q}": float(v) for q, v in zip(qs, np.percentile(values, qs))}


class StageTimer:
    """Collects milliseconds per named stage over many frames."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)

    def add(self, stage: str, ms: float) -> None:
        self.samples[stage].append(ms)

    def add_all(self, timing_ms: dict[str, float]) -> None:
        for stage, ms in timing_ms.items():
            self.add(stage, ms)

    def summary(self) -> dict[str, dict[str, float]]:
        """{stage: {'p50': ms, 'p95': ms}} for every stage seen."""
        return {stage: percentiles(v, (50, 95)) for stage, v in self.samples.items()}
