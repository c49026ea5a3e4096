"""Pieces of one digit joined: a 5's flag, a broken 4, a pen lifted mid-stroke come out of the threshold
as separate components, and are one blob again before digits are told from the rest (edge.blobs)."""

from __future__ import annotations

from functools import reduce
from typing import Iterator

from edge import layout
from edge.detect import Box, Candidate
from edge.segment import MAX_PIECE_WIDTH


def _union(a: Candidate, b: Candidate) -> Candidate:
    x0, y0 = min(a.box.x, b.box.x), min(a.box.y, b.box.y)
    x1 = max(a.box.x + a.box.w, b.box.x + b.box.w)
    y1 = max(a.box.y + a.box.h, b.box.y + b.box.h)
    ink = a.ink + b.ink
    (ax, ay), (bx, by) = a.centre_or_box(), b.centre_or_box()
    centre = ((ax * a.ink + bx * b.ink) / max(ink, 1), (ay * a.ink + by * b.ink) / max(ink, 1))
    return Candidate(Box(x0, y0, x1 - x0, y1 - y0), a.ids + b.ids, ink, centre, max(a.tallest(), b.tallest()))


# A blob longer than any digit is wide (edge.segment.MAX_PIECE_WIDTH digit heights) and this many times
# as long as it is tall is a line drawn with the writing (under it, between numbers), not a piece of a
# digit: merged as one, an underline a little below a number took all its digits into one blob. (Its
# box is as tall as its slope makes it: a line 5 degrees off level under six digits is 0.6 of their
# height. A line joined to some digits that edge.underlines did not take out is such a blob too.)
MIN_LINE_ASPECT = 4.0


def _drawn_line(c: Candidate, digit_h: float) -> bool:
    return c.box.w > MAX_PIECE_WIDTH * digit_h and c.box.w >= MIN_LINE_ASPECT * c.box.h


def _are_fragments(a: Candidate, b: Candidate, digit_h: float) -> bool:
    """True when two components look like pieces of one digit (a broken 4, a 5's flag).

    Args:
      digit_h: the typical digit height in this frame, in pixels.
    """
    ax1, bx1 = a.box.x + a.box.w, b.box.x + b.box.w
    ay1, by1 = a.box.y + a.box.h, b.box.y + b.box.h
    if _drawn_line(a, digit_h) or _drawn_line(b, digit_h):
        return False
    x_overlap = min(ax1, bx1) - max(a.box.x, b.box.x)
    y_overlap = min(ay1, by1) - max(a.box.y, b.box.y)
    # Stacked and close, and together no taller than one digit: a digit broken
    # across (a 5's flag, a pen lifted mid-stroke), not two digits in a column.
    union_h = max(ay1, by1) - min(a.box.y, b.box.y)
    if (x_overlap >= 0.5 * min(a.box.w, b.box.w) and -y_overlap <= 0.25 * digit_h
            and union_h <= 1.3 * digit_h):
        return True
    if x_overlap <= 0 or y_overlap <= 0:
        return False
    # Boxes intersect: pieces of one digit unless both are full-size neighbours.
    small, big = (a, b) if a.box.h * a.box.w <= b.box.h * b.box.w else (b, a)
    return x_overlap * y_overlap >= 0.3 * small.box.w * small.box.h or small.box.h < 0.6 * big.box.h


def merge_fragments(candidates: list[Candidate], digit_h: float) -> list[Candidate]:
    """Joins candidates that are pieces of one digit, until nothing more joins.

    Pieces always overlap in x, so with the candidates sorted by x each one
    is only compared with those that start before it ends: near-linear for
    a line of digits. Each pass groups transitively (union-find); a pass that
    joins nothing ends it.
    """
    merged = sorted(candidates, key=lambda c: c.box.x)
    while True:
        joined = layout.groups(len(merged), _fragment_pairs(merged, digit_h))
        if len(joined) == len(merged):
            return merged
        merged = sorted((reduce(_union, [merged[i] for i in group]) for group in joined),
                        key=lambda c: c.box.x)


def _fragment_pairs(merged: list[Candidate], digit_h: float) -> Iterator[tuple[int, int]]:
    """The pairs (i, j) of candidates sorted by x that are pieces of one digit (_are_fragments)."""
    for i, a in enumerate(merged):
        right, top, bottom = a.box.x + a.box.w, a.box.y, a.box.y + a.box.h
        for j in range(i + 1, len(merged)):
            b = merged[j].box
            if b.x >= right:
                break
            # Fragments are at most a quarter digit apart in y (_are_fragments): the other
            # lines of a page, which overlap in x, need no closer look.
            if max(top, b.y) - min(bottom, b.y + b.h) > 0.25 * digit_h:
                continue
            if _are_fragments(a, merged[j], digit_h):
                yield i, j
