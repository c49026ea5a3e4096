"""Which reading of a blob wins: the blob read whole, or a chain of the pieces edge.segment cut it into.

Each piece's confidence is weighed by how well its reading fits its width; the chain of pieces
with the highest product of weighed confidences (best_split) competes with the blob read whole
(split_wins: by a margin, or by none for full-height pieces, or whatever the whole's confidence for
a sure split: sure_split).
"""

from __future__ import annotations

import numpy as np

from edge.segment import Piece

# Each piece beyond the first costs this factor: a model sure of every sliver (a stroke of a
# 7 reads as a confident 1) must not win over fewer, equally sure pieces.
PIECE_COST = 0.85
# The best split must beat the blob read whole by this much (product of confidences against
# confidence): one wide digit ("0", "4", "6" written wide) is the safer reading when the cut
# is not clearly better, and the more so the closer the blob is to one digit's shape. (Not a
# split into full-height pieces: FULL_HEIGHT below.)
SPLIT_MARGIN = 0.12
SPLIT_MARGIN_NEAR_SQUARE = 0.3
NEAR_SQUARE_ASPECT = 1.2
# The widest each digit is written, width over height of its ink: per class 0..9, the 99th
# percentile over MNIST's 60,000 training digits binarized at 127. A blob read as a 9 but wider
# than nearly every 9 is likelier a 9 and a neighbour: the reading's weight drops, and halves
# again for every TOO_WIDE_HALVING of aspect beyond the class's widest.
WIDEST_ASPECT = (1.43, 0.9, 1.67, 1.25, 1.25, 1.67, 1.18, 1.33, 1.25, 1.11)
TOO_WIDE_HALVING = 0.15
# Two digits side by side in a line are each about the line's height (the median blob's of its line,
# or of the frame where taller: edge.frame_pass), so the pieces of a true split of a blob of that
# height span it from top to bottom;
# cutting one digit leaves a piece that does not (the foot of a 2, the bar of a 7, the bowl of a
# 6). A split whose every piece has ink on at least this share of the blob's rows, in a blob at
# least this share of its digit height, each read with confidence (their product at least
# FULL_HEIGHT_MIN_SPLIT), needs no margin: it wins when it beats the blob read whole. On 60 frames
# of each undistorted condition (seeds 1 and 2), it split 10 more of 270 touching groups (256
# against 246) and no more single digits (6 of 6,960 either way).
FULL_HEIGHT = 0.9
FULL_HEIGHT_MIN_SPLIT = 0.7
# A blob the model reads as no digit (a letter: it is trained to be unsure of them), split into pieces
# not all of its full height, is read as those pieces only when their product of weighed confidences
# reaches this: a bold "R" split into its stem and its bowl read "1" and "8" (0.53). Over 30 frames of
# seeds 101, 7, 55 and 3 (AMD EPYC host's model), the non-digit marks read 6, 11, 10 and 7 spurious
# digits without it, 3, 1, 1 and 7 with it, the same digits right; touching digits 1,839 -> 1,836 of
# 1,920, spurious the same (refusing all such splits: 1,807).
DROPPED_MIN_SPLIT = 0.6
# A blob narrower than this (edge.segment tries them from MIN_ASPECT_TO_SPLIT, 0.6) is one digit unless
# it comes apart into full-height pieces: a 1 leaning into a 9. (Pieces of the height of a line's
# digits, not the halves of a small letter or a speck.)
NARROW_ASPECT = 0.8
# A sure split overrules even a confident reading of the whole: the model reads an 8 with a 1
# against it, or two 8s squeezed together, as one 8 and nearly sure, and no split's product of
# confidences (at most PIECE_COST) beats that. A split is sure when the blob is at least as wide as
# tall, the whole falls short of certainty (a wide single digit mostly reads at 0.99 and up), every
# piece spans the line (full_height) and reads at SURE_PIECE or more, and every cut enters at most
# SURE_STROKES strokes: between two touching digits a cut crosses the one stroke they share, through
# one digit two or more (a 0's both sides). On 30 frames of each condition, seeds 101 and 7, it and
# NARROW_ASPECT read 454 and 453 touching digits of 480 (449 and 451 before; sure splits alone, 5 of
# the 7) and no other condition changed. Without the stroke count and the 0.99 ceiling, single 0s
# and 4s were split: 11 spurious digits more; without the ceiling alone, 3 more (ruled paper).
SURE_SPLIT_ASPECT = 1.0
SURE_WHOLE = 0.99
SURE_PIECE = 0.95
SURE_STROKES = 1
# A blob read narrowed (edge.readings.NARROWED_ASPECT) at least this surely is one digit drawn wide,
# and is not split into pieces that do not all span the line (the bowl of a 6 cut off and read as
# a 1; a 5 with a long flag cut into 5-4-5), however wide it is. On 30 frames of each condition,
# seeds 101 and 7: 6 spurious digits fewer, one more right, touching pairs unchanged; 0.8 and 0.6
# removed 5 and 7 but lost 2 touching digits.
SURE_NARROWED = 0.9
# No single handwritten digit is this much wider than tall: such a blob is split whenever
# a chain of pieces spans it, however sure the model is of the whole (it has never seen one),
# unless it is one_wide_digit().
MAX_ONE_DIGIT_ASPECT = 2.0


def plausibility(labels: np.ndarray, aspects: np.ndarray) -> np.ndarray:
    """How well each reading fits its blob's shape: 1 up to the class's widest, halving beyond it.

    Args:
      labels: (N,) classes read; aspects: (N,) aspect() of each blob (scalars work too).
    """
    excess = np.asarray(aspects, np.float32) - np.asarray(WIDEST_ASPECT, np.float32)[labels]
    return np.where(excess <= 0, 1.0, 0.5 ** (np.maximum(excess, 0) / TOO_WIDE_HALVING)).astype(np.float32)


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
    """Whether any split could beat the blob read whole (its confidence times its plausibility):
    a product of confidences is at most 1, and a split into two or more pieces at most PIECE_COST.

    Blobs read whole with confidence are never cut, so their pieces are never prepared
    or classified (most digits of a page).
    """
    return (aspect >= MAX_ONE_DIGIT_ASPECT or whole + _margin(aspect) < 1.0 or whole <= PIECE_COST
            or (aspect >= SURE_SPLIT_ASPECT and whole < SURE_WHOLE))


def only_strokes(labels: list[int]) -> bool:
    """A cut into nothing but 1s: the uprights of an H, N, U or M read as strokes, far likelier
    than two 1s joined. Such a blob is read whole (and a letter is then unsure, or dropped)."""
    return bool(labels) and all(label == 1 for label in labels)


def full_height(pieces: list[Piece], blob_height: int, digit_height: float) -> bool:
    """Whether the blob is at least FULL_HEIGHT of its digit height (edge.frame_pass) and every
    piece has ink on at least FULL_HEIGHT of the blob's rows, as digits side by side do. (Rows, not
    the piece's box: a piece of two fragments, one at the top and one at the bottom, has a box of the
    full height and is no digit. And the two halves of a small 0 each span it, but it is smaller
    than the line's digits.) False for no pieces."""
    return bool(pieces) and blob_height >= FULL_HEIGHT * digit_height and all(
        np.count_nonzero(p.mask.any(axis=1)) >= FULL_HEIGHT * blob_height for p in pieces)


def one_wide_digit(narrowed: float, full: bool) -> bool:
    """Whether the blob is one digit drawn wide, not the split offered: its narrowed reading's
    confidence is SURE_NARROWED or more and the split's pieces do not all span the line
    (full_height()). (No split could beat such a reading: a product of two pieces or more is at
    most PIECE_COST.)"""
    return not full and narrowed >= SURE_NARROWED


def through_a_digit(full: bool, strokes: list[int]) -> bool:
    """Whether a split cuts through a digit rather than between two: some cut enters more than
    SURE_STROKES strokes (both sides of a 0, the bowl and stem of a 6), and its pieces do not all
    span the line (full_height()). Such a split must beat the blob read narrowed as well as read
    whole: a wide 9, unsure as it is, read 0.78 narrowed, and the "5" and "2" cut from it lost.
    On 30 frames of each condition, seeds 101 and 7: 2 spurious digits fewer (slanted lines, colour)
    and none lost; asked of every split short of the line, it lost 2 touching digits."""
    return not full and max(strokes, default=0) > SURE_STROKES


def sure_split(whole: float, aspect: float, full: bool, pieces: list[float], strokes: list[int]) -> bool:
    """Whether a split is sure (see SURE_SPLIT_ASPECT): whole, the blob's weighed confidence read
    whole; full, full_height() of the chain; pieces, each piece's weighed confidence; strokes, how
    many strokes each cut between them enters."""
    return (full and aspect >= SURE_SPLIT_ASPECT and whole < SURE_WHOLE and len(pieces) > 1
            and min(pieces) >= SURE_PIECE and max(strokes) <= SURE_STROKES)


def split_wins(whole: float, split: float, aspect: float, full: bool = False, sure: bool = False,
               dropped: bool = False) -> bool:
    """Whether the split's product of weighed confidences beats the blob read whole (weighed the
    same way): by the margin for its shape, or, for pieces each of the blob's full height
    (full_height()) read with confidence, or of a blob that read whole is no digit to the model
    (`dropped`: it would be dropped, so no reading of it is at stake), at all (other pieces of such a
    blob must reach DROPPED_MIN_SPLIT as well as the margin); a sure split
    (sure_split()) always wins. A blob narrower than NARROW_ASPECT is split only into full-height
    pieces."""
    if split <= 0.0 or (aspect < NARROW_ASPECT and not full):
        return False
    if aspect >= MAX_ONE_DIGIT_ASPECT or sure:
        return True
    if full and (split >= FULL_HEIGHT_MIN_SPLIT or dropped):
        return split > whole
    if dropped and split < DROPPED_MIN_SPLIT:
        return False
    return split > whole + _margin(aspect)
