"""Voting over the last frames so a live reading does not flicker."""

from __future__ import annotations

from collections import Counter, deque


class MajorityVote:
    """The most frequent text among the last `window` frames; ties go to the newest."""

    def __init__(self, window: int) -> None:
        if window < 1:
            raise ValueError(f"smooth window must be at least 1 frame, got {window}")
        self.history: deque[str] = deque(maxlen=window)

    def update(self, text: str) -> str:
        self.history.append(text)
        counts = Counter(self.history)
        best = max(counts.values())
        for candidate in reversed(self.history):
            if counts[candidate] == best:
                return candidate
        raise AssertionError("unreachable: history is not empty")
