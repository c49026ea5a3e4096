"""Touching digits: cut candidates at the column ink profile's minima; recognition picks the cuts.

A blob the model is unsure of, and wide for the frame's digit height, is cut at
every low point of its column profile; each run of pieces between two cuts that
is about a digit wide becomes a candidate crop; the candidates of a frame go
through the model in one second batch; the best chain of pieces (highest product
of confidences) competes with the blob read whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# A blob at least this wide for its height may hold two digits ("17" joined at the base).
MIN_ASPECT_TO_SPLIT = 0.8
# Pieces are this wide, in blob heights: narrower is a sliver ("1" is about 0.15), wider two digits.
MIN_PIECE_WIDTH = 0.12
MAX_PIECE_WIDTH = 1.1
# A cut sits where the column holds at most this share of the blob's busiest column.
MAX_CUT_INK = 0.75
MAX_CUTS = 8  # the lowest ones; a wider blob is a scribble, not three touching digits
# Each piece beyond the first costs this factor: a model sure of every sliver (a stroke of a
# 7 reads as a confident 1) must not win over fewer, equally sure pieces.
PIECE_COST = 0.85
# The best split must beat the blob read whole by this much (product of confidences against
# confidence): one wide digit ("0", "4", "6" written wide) is the safer reading when the cut
# is not clearly better, and the more so the closer the blob is to one digit's shape.
SPLIT_MARGIN = 0.12
SPLIT_MARGIN_NEAR_SQUARE = 0.3
NEAR_SQUARE_ASPECT = 1.2
# No single handwritten digit is this much wider than tall: such a blob is split whenever
# a chain of pieces spans it, however sure the model is of the whole (it has never seen one).
MAX_ONE_DIGIT_ASPECT = 2.0


@dataclass(frozen=True)
class Piece:
    x0: int  # column range inside the blob's mask
    x1: int
    y0: int  # the piece's own rows, trimmed to its ink
    y1: int


@dataclass(frozen=True)
class Candidates:
    """The cut points of one blob and the pieces between them worth reading."""

    points: list[int]  # 0, the cuts, the width
    pieces: dict[tuple[int, int], Piece]  # (i, j) into points -> the piece from points[i] to points[j]


def column_profile(mask: np.ndarray) -> np.ndarray:
    """Ink per column, lightly smoothed: (h, w) 0/255 -> (w,) float32."""
    profile = np.count_nonzero(mask, axis=0).astype(np.float32)
    return np.convolve(profile, np.ones(3, np.float32) / 3, mode="same")


def cut_points(mask: np.ndarray) -> list[int]:
    """Columns at the low points of the ink profile where a cut could separate two digits."""
    h, w = mask.shape
    profile = column_profile(mask)
    edge = max(1, int(MIN_PIECE_WIDTH * h))
    if w <= 2 * edge:
        return []
    inner = profile[edge:w - edge]
    left = np.concatenate([[np.inf], inner[:-1]])
    right = np.concatenate([inner[1:], [np.inf]])
    low = (inner <= left) & (inner <= right) & (inner <= MAX_CUT_INK * profile.max())
    columns = np.flatnonzero(low) + edge
    if columns.size == 0:
        return []
    # A flat valley gives a run of minima: keep the middle of each run.
    runs = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
    cuts = [int(run[len(run) // 2]) for run in runs]
    cuts = sorted(sorted(cuts, key=lambda c: profile[c])[:MAX_CUTS])
    return cuts


def _trim(mask: np.ndarray, x0: int, x1: int) -> Piece | None:
    rows = np.flatnonzero(mask[:, x0:x1].any(axis=1))
    if rows.size == 0:
        return None
    return Piece(x0, x1, int(rows[0]), int(rows[-1]) + 1)


def aspect(width: int, height: int, digit_height: float) -> float:
    """A blob's width over its height, the height capped at the frame's typical digit height:
    a long tail (a 7's, a 9's) makes a blob taller than its digits."""
    return width / max(min(height, digit_height), 1.0)


def candidates(mask: np.ndarray, blob_aspect: float) -> Candidates | None:
    """The pieces of a blob worth reading, or None for a blob too narrow to hold two digits.

    Args:
      blob_aspect: aspect() of the blob.
    """
    h, w = mask.shape
    if blob_aspect < MIN_ASPECT_TO_SPLIT:
        return None
    points = [0, *cut_points(mask), w]
    if len(points) < 3:
        return None
    pieces = {}
    for i in range(len(points) - 1):
        for j in range(i + 1, len(points)):
            width = points[j] - points[i]
            if (i, j) == (0, len(points) - 1) or width > MAX_PIECE_WIDTH * h:
                break
            if width < MIN_PIECE_WIDTH * h:
                continue
            piece = _trim(mask, points[i], points[j])
            if piece is not None:
                pieces[(i, j)] = piece
    return Candidates(points, pieces) if pieces else None


def best_split(count: int, confidence: dict[tuple[int, int], float]) -> tuple[list[tuple[int, int]], float]:
    """The chain of pieces from point 0 to point count-1 with the highest product of confidences,
    each piece beyond the first weighed by PIECE_COST.

    Returns:
      ([(i, j), ...], score), or ([], 0.0) when no chain of pieces spans the blob.
    """
    best = [-np.inf] * count
    back: list[tuple[int, int] | None] = [None] * count
    best[0] = 0.0
    for j in range(1, count):
        for i in range(j):
            c = confidence.get((i, j))
            if c is None or best[i] == -np.inf:
                continue
            score = best[i] + float(np.log(max(c, 1e-6))) + (np.log(PIECE_COST) if i > 0 else 0.0)
            if score > best[j]:
                best[j], back[j] = score, (i, j)
    if best[-1] == -np.inf:
        return [], 0.0
    chain, j = [], count - 1
    while j > 0:
        link = back[j]
        chain.append(link)
        j = link[0]
    return chain[::-1], float(np.exp(best[-1]))


def _margin(aspect: float) -> float:
    return SPLIT_MARGIN if aspect >= NEAR_SQUARE_ASPECT else SPLIT_MARGIN_NEAR_SQUARE


def could_split(whole: float, aspect: float) -> bool:
    """Whether any split could beat the blob read whole: a product of confidences is at most 1.

    Blobs read whole with confidence are never cut, so their pieces are never prepared
    or classified (most digits of a page).
    """
    return aspect >= MAX_ONE_DIGIT_ASPECT or whole + _margin(aspect) < 1.0


def only_strokes(labels: list[int]) -> bool:
    """A cut into nothing but 1s: the uprights of an H, N, U or M read as strokes, far likelier
    than two 1s joined. Such a blob is read whole (and a letter is then unsure, or dropped)."""
    return bool(labels) and all(label == 1 for label in labels)


def split_wins(whole: float, split: float, aspect: float) -> bool:
    """Whether the split's product of confidences beats the blob read whole, by the margin for its shape."""
    if split <= 0.0:
        return False
    if aspect >= MAX_ONE_DIGIT_ASPECT:
        return True
    return split > whole + _margin(aspect)
