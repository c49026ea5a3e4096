"""Touching digits: cut candidates at the column ink profile's minima; recognition picks the cut."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# A blob at least this wide for its height may hold two digits; this wide, three.
MIN_ASPECT_FOR_TWO = 0.95
MIN_ASPECT_FOR_THREE = 1.6
# A cut is looked for this far (fraction of a piece's width) around where an even split would put it.
CUT_SEARCH = 0.35
# A piece narrower than this (fraction of the blob's height) is a sliver, not a digit.
MIN_PIECE_WIDTH = 0.18
# Splitting must beat reading the blob as one digit by this much (geometric mean of confidences):
# one wide digit ("0", "4", "6" written wide) is the safer reading when the cut is not clearly
# better, and the more so the closer the blob is to one digit's shape.
SPLIT_MARGIN = 0.12
SPLIT_MARGIN_NEAR_SQUARE = 0.3
NEAR_SQUARE_ASPECT = 1.2


@dataclass(frozen=True)
class Piece:
    x0: int  # column range of the blob's mask
    x1: int
    y0: int  # the piece's own rows, trimmed to its ink
    y1: int


def column_profile(mask: np.ndarray) -> np.ndarray:
    """Ink per column, lightly smoothed: (h, w) 0/255 -> (w,) float32."""
    profile = (mask > 0).sum(axis=0).astype(np.float32)
    return np.convolve(profile, np.ones(3, np.float32) / 3, mode="same")


def _trim(mask: np.ndarray, x0: int, x1: int) -> Piece | None:
    rows = np.flatnonzero((mask[:, x0:x1] > 0).any(axis=1))
    if rows.size == 0:
        return None
    return Piece(x0, x1, int(rows[0]), int(rows[-1]) + 1)


def candidate_cuts(mask: np.ndarray, pieces: int) -> list[int] | None:
    """Columns that cut a blob into `pieces`, each at the least ink near an even split."""
    h, w = mask.shape
    profile = column_profile(mask)
    cuts = []
    for k in range(1, pieces):
        centre = w * k / pieces
        half = CUT_SEARCH * w / pieces
        lo, hi = max(1, int(centre - half)), min(w - 1, int(centre + half) + 1)
        if hi <= lo:
            return None
        cuts.append(lo + int(np.argmin(profile[lo:hi])))
    bounds = [0, *cuts, w]
    if any(b - a < MIN_PIECE_WIDTH * h for a, b in zip(bounds, bounds[1:])):
        return None
    return cuts


def segmentations(mask: np.ndarray) -> list[list[Piece]]:
    """The ways of reading a blob as 2 or 3 digits that are worth scoring (none for a narrow blob)."""
    h, w = mask.shape
    options = []
    for pieces, min_aspect in ((2, MIN_ASPECT_FOR_TWO), (3, MIN_ASPECT_FOR_THREE)):
        if w < min_aspect * h:
            continue
        cuts = candidate_cuts(mask, pieces)
        if cuts is None:
            continue
        bounds = [0, *cuts, w]
        split = [_trim(mask, a, b) for a, b in zip(bounds, bounds[1:])]
        if all(p is not None for p in split):
            options.append(split)
    return options


def geometric_mean(confidences: np.ndarray) -> float:
    return float(np.exp(np.mean(np.log(np.maximum(confidences, 1e-6)))))


def choose(whole: float, splits: list[np.ndarray], aspect: float) -> int:
    """Which reading wins: -1 for the blob as one digit, else the index of the split.

    Args:
      whole: the classifier's confidence in the blob as one digit.
      splits: per segmentation, the confidences of its pieces.
      aspect: the blob's width over its height.
    """
    margin = SPLIT_MARGIN if aspect >= NEAR_SQUARE_ASPECT else SPLIT_MARGIN_NEAR_SQUARE
    best, best_score = -1, whole + margin
    for k, confidences in enumerate(splits):
        score = geometric_mean(confidences)
        if score > best_score:
            best, best_score = k, score
    return best
