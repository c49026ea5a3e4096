"""From ink to digits: connected components, specks and edges out, fragments merged (edge.fragments),
non-digits filtered, reading order."""

from __future__ import annotations

from statistics import median

import cv2
import numpy as np

from edge import layout
from edge.detect import Box, Candidate, DetectorOptions, Found
from edge.fragments import merge_fragments
from edge.preprocess import label_type

# More blobs than this in one frame is noise or texture, not handwriting.
MAX_CANDIDATES = 200


def components(mask: np.ndarray) -> tuple[np.ndarray, list[Candidate]]:
    """Binary (H, W) mask -> label image and one candidate per component (background dropped)."""
    # Labelled inside the ink's bounding box only: a line of digits across a camera frame
    # is a tenth of it (0.07 against 0.38 ms on a 640x480 frame, Intel(R) Xeon(R) Processor, one thread).
    x0, y0, w, h = cv2.boundingRect(mask)
    if w == 0 or h == 0:  # no ink (OpenCV would crash labelling an empty image)
        return np.zeros(mask.shape, np.uint16), []
    count, inner, stats, centroids = cv2.connectedComponentsWithStats(
        mask[y0:y0 + h, x0:x0 + w], connectivity=8, ltype=label_type(mask))
    labels = np.zeros(mask.shape, inner.dtype)
    labels[y0:y0 + h, x0:x0 + w] = inner
    rows = zip(stats[1:].tolist(), centroids[1:].tolist())  # Python numbers: the loop reads each once
    candidates = [Candidate(Box(x + x0, y + y0, bw, bh), (i,), area, (cx + x0, cy + y0))
                  for i, ((x, y, bw, bh, area), (cx, cy)) in enumerate(rows, start=1)]
    return labels, candidates


def typical_height(candidates: list[Candidate], min_height_px: float) -> float:
    """Median height of the candidates big enough to be digits (or of all, if none is)."""
    heights = [c.box.h for c in candidates if c.box.h >= min_height_px] or [c.box.h for c in candidates]
    return float(median(heights)) if heights else 0.0


MAX_PIECE_HEIGHT = 3.0  # of the digits' height: no piece of a digit is taller


# A blob under the least digit height (DetectorOptions.min_digit_height, a page's or the frame's) but
# this share of it or taller is a digit where it stands in a line of digits that passed it
# (_tall_enough_in_line): writing a little taller than that height has its shorter digits (a 1, a
# small 0) under it.
LINE_FLOOR = 0.7


def _merge_height(candidates: list[Candidate], digit_h: float, min_height_px: float) -> float:
    """The digit height pieces of one digit are joined against (edge.fragments): `digit_h`, or where two
    blobs or fewer are min_height_px tall, the taller: the median of a 5's body and its flag alone in a
    frame (a digit held up close, a crop of it) is no digit's height, and the two stayed apart."""
    sizable = [c.box.h for c in candidates if c.box.h >= min_height_px]
    return float(max(sizable)) if 0 < len(sizable) <= 2 else digit_h


def _in_margin(b: Box, frame_shape: tuple[int, int], margin_px: int) -> bool:
    h, w = frame_shape
    return b.x <= margin_px or b.y <= margin_px or b.x + b.w >= w - margin_px or b.y + b.h >= h - margin_px


# Ink spread across its own main axis by at least this share of its box height (the standard
# deviation) is written, not drawn as one line: a rule, dash or underline spreads by about
# a pen's width over 3.5 (0.03 of a digit's height), a digit by 0.25 of its height or more.
MIN_WRITTEN_SPREAD = 0.12


def line_spread(mask: np.ndarray) -> float:
    """The standard deviation of a blob's ink across its main axis, in pixels: (h, w) 0/255 -> float."""
    m = cv2.moments(mask, binaryImage=True)
    if m["m00"] == 0:
        return 0.0
    a, b, c = m["mu20"] / m["m00"], m["mu11"] / m["m00"], m["mu02"] / m["m00"]
    smaller = (a + c) / 2 - np.sqrt(((a - c) / 2) ** 2 + b * b)
    return float(np.sqrt(max(smaller, 0.0)))


# A blob none of whose pieces is this tall, of the median blob's height, is specks joined (the dots
# of a ":", the crumbs of a broken stroke), not a digit broken across. Over 30 frames of each
# synthetic condition (seeds 101 and 7) and both photo sets, seven joined blobs had no piece of 0.35
# of the line's height, read as 1s and 3s at 0.56 to 0.97; the next were 0.48 and up. Dropping them:
# 4 spurious digits fewer, no digit lost.
MIN_TALLEST_PART = 0.4


def _specks_joined(c: Candidate, median_h: float) -> bool:
    """Fragments joined (merge_fragments) none of which is MIN_TALLEST_PART of `median_h` (the height
    filter_digits measures a blob against)."""
    return c.tallest_part is not None and c.tallest_part < MIN_TALLEST_PART * median_h


def solid(c: Candidate, opts: DetectorOptions) -> bool:
    """Whether a blob fills its box like a blot (over max_fill), not narrow: a straight "1" fills its box
    too."""
    return c.ink > opts.max_fill * c.box.w * c.box.h and c.box.w > 0.35 * c.box.h


def filter_digits(candidates: list[Candidate], frame_shape: tuple[int, int],
                  opts: DetectorOptions, min_height_px: float | None = None, margin_px: int = 0,
                  labels: np.ndarray | None = None) -> list[Candidate]:
    """Drops what is not a digit: specks, rules, blobs, things cut by the frame edge.

    Args:
      margin_px: ink reaching this close to the edge is cut by it (a rectified page's own
        edge and the desk beyond it).
      labels: the components' label image; with it, a blob wider than max_aspect is kept when its
        ink is written across the line (touching digits), not drawn along it (a dash).
    """
    h, w = frame_shape
    min_h = opts.min_digit_height * h if min_height_px is None else min_height_px
    max_h = opts.max_digit_height * h
    kept, short = [], []
    for c in candidates:
        b = c.box
        if _in_margin(b, (h, w), margin_px) or not LINE_FLOOR * min_h <= b.h <= max_h:
            continue
        if b.w > opts.max_aspect * b.h and not (
                labels is not None and b.w <= opts.max_touching_aspect * b.h
                and line_spread(digit_mask(labels, c)) >= MIN_WRITTEN_SPREAD * b.h):
            continue
        if solid(c, opts):
            continue
        (kept if b.h >= min_h else short).append(c)
    if len(kept) >= 3:
        # Short of its line's digits and of the frame's: a line of smaller digits under larger ones is
        # read, and so is a small number on a line of larger digits where the frame holds more of them.
        # (Reviews' frames of numbers beside smaller writing, 2,600: digits, raised cents, labels, marks:
        # with this and edge.frame_pass's line heights, 18,882 of 19,274 digits right, 18,647 against
        # the frame's alone for both; 3,005 digits read in the rows of words and marks, 2,976.)
        line_h, frame_h = line_heights([c.box for c in kept])
        line_h = np.minimum(line_h, frame_h)
        kept = [c for c, median_h in zip(kept, line_h) if _tall_enough(c, median_h, opts)]
        kept += [c for c in short if _tall_enough_in_line(c, kept, opts)]
    return kept


def _tall_enough(c: Candidate, median_h: float, opts: DetectorOptions) -> bool:
    """Whether a blob is a digit beside digits `median_h` tall: min_relative_height of them (or
    min_relative_height_round, when round), and not specks joined."""
    return ((c.box.h >= opts.min_relative_height * median_h
             or (c.box.h >= opts.min_relative_height_round * median_h and c.box.w >= 0.6 * c.box.h))
            and not _specks_joined(c, median_h))


def _tall_enough_in_line(c: Candidate, digits: list[Candidate], opts: DetectorOptions) -> bool:
    """Whether a blob under the least digit height (down to LINE_FLOOR of it) stands in a line of three
    of the `digits` or more (their boxes span its centre's height) and is _tall_enough beside them."""
    centre = c.box.y + c.box.h / 2
    mates = [d.box.h for d in digits if d.box.y <= centre < d.box.y + d.box.h]
    return len(mates) >= 3 and _tall_enough(c, float(median(mates)), opts)


# Up to this many boxes, line_heights compares them in Python: a camera frame's ten digits in 26 us
# a call, against 86 us in numpy, its dozen calls (the bench's frames in the reader, one thread, AMD
# EPYC, a timer of mine); 120 random boxes in numpy, 0.15 ms.
SMALL_COUNT = 24


def line_heights(boxes: list[Box]) -> tuple[np.ndarray, float]:
    """Per box (at least one), the median height of its line: of the boxes that span its centre's
    height, where they are three or more; else of all. And the median height of all."""
    spans = [(b.y, b.y + b.h, b.h) for b in boxes]
    overall = float(median(h for _, _, h in spans))
    if len(spans) <= SMALL_COUNT:
        mates = ([h for top, bottom, h in spans if top <= y + bh / 2 < bottom] for y, _, bh in spans)
        return np.array([float(median(m)) if len(m) >= 3 else overall for m in mates]), overall
    top, bottom, h = np.array(spans, np.float64).T
    centre = top + h / 2
    mate = (top[None, :] <= centre[:, None]) & (centre[:, None] < bottom[None, :])
    # Each row's median in one pass: the mates counted along the heights in order, the middle one (or
    # two) of each row found where its count passes half.
    order = np.argsort(h, kind="stable")
    counts = np.cumsum(mate[:, order], axis=1)
    n = counts[:, -1]
    low = np.argmax(counts >= ((n + 1) // 2)[:, None], axis=1)
    high = np.argmax(counts >= (n // 2 + 1)[:, None], axis=1)
    return np.where(n >= 3, (h[order][low] + h[order][high]) / 2, overall), overall


def reading_order(boxes: list[Box], centres: list[tuple[float, float]] | None = None) -> list[int]:
    """Indices of boxes in reading order: lines top to bottom, left to right in a line.

    Lines may slope (see edge.layout); `centres` are the digits' ink centres,
    the boxes' centres when not given.
    """
    if not boxes:
        return []
    if centres is None:
        centres = [(b.x + b.w / 2, b.y + b.h / 2) for b in boxes]
    height = float(median([b.h for b in boxes]))
    return layout.reading_order(np.asarray(centres, np.float64), height)


def digit_mask(labels: np.ndarray, candidate: Candidate) -> np.ndarray:
    """The candidate's own ink inside its box, (h, w) uint8 0/255; neighbours' ink is left out."""
    b = candidate.box
    window = labels[b.y:b.y + b.h, b.x:b.x + b.w]
    if len(candidate.ids) == 1:
        return (window == candidate.ids[0]).astype(np.uint8) * 255
    return np.isin(window, candidate.ids).astype(np.uint8) * 255


def find_candidates(mask: np.ndarray, margin_px: int = 0, excluded: np.ndarray | None = None
                    ) -> tuple[np.ndarray, list[Candidate]]:
    """(H, W) 0/255 ink (rules already out) -> its label image and the blobs that may be digits or
    pieces of digits: specks, and blobs cut by an edge, out.

    Args:
      margin_px: blobs reaching into this band along the edge are cut by it and dropped.
      excluded: (H, W) 0/255, where blobs reaching it are cut (a page's part beyond the frame).
    """
    h, w = mask.shape
    labels, candidates = components(mask)
    # Specks below a few pixels are noise before any merging is worth trying;
    # a frame of pure noise keeps only its largest blobs, so its cost stays bounded.
    min_area = max(4, int(0.00002 * h * w))
    candidates = [c for c in candidates if c.ink >= min_area]
    if margin_px:
        # A page's own edge (a thin line along it, its box spanning the page) must go
        # before merging, or it swallows the digits its box overlaps.
        candidates = [c for c in candidates if not _in_margin(c.box, (h, w), margin_px)]
    if excluded is not None:
        cut = set(np.unique(labels[excluded > 0]).tolist())
        candidates = [c for c in candidates if c.ids[0] not in cut]
    if len(candidates) > MAX_CANDIDATES:
        candidates = sorted(candidates, key=lambda c: c.ink, reverse=True)[:MAX_CANDIDATES]
    return labels, candidates


def writing_height(candidates: list[Candidate], shape: tuple[int, ...] | None = None) -> float:
    """The height of the writing: the blobs' heights weighed by their ink, at the median (paper
    grain makes many specks but little ink); 0 for none. With the mask's `shape`, blobs reaching its
    edge are left out: cut by it, they are no writing (the edge of a sheet filling the frame, a strip
    of desk beyond it, long and heavy, made a thin pen's writing look digit-sized)."""
    if shape is not None:
        candidates = [c for c in candidates if not _in_margin(c.box, shape[:2], 0)]
    if not candidates:
        return 0.0
    heights = np.array([c.box.h for c in candidates])
    ink = np.array([c.ink for c in candidates])
    order = np.argsort(heights)
    return float(heights[order][np.searchsorted(np.cumsum(ink[order]), ink.sum() / 2)])


def digits_among(labels: np.ndarray, candidates: list[Candidate], opts: DetectorOptions,
                 min_height_px: float | None = None, margin_px: int = 0) -> list[Found]:
    """The digits among find_candidates' blobs, fragments joined, in reading order, each with its own ink.

    Args:
      min_height_px: digits shorter than this are specks; default opts.min_digit_height of the height.
    """
    h, w = labels.shape
    if min_height_px is None:
        min_height_px = opts.min_digit_height * h
    digit_h = typical_height(candidates, min_height_px)
    # Reaching the edge, it is cut by it and goes (filter_digits); over MAX_PIECE_HEIGHT digits tall (the
    # desk along the frame's edges around a page that nearly fills it), it goes first: its box holds
    # digits, which merging would join to it. (Tall blobs inside, such as grain clumps, still join
    # their neighbours and go with them.)
    candidates = [c for c in candidates
                  if not (c.box.h > MAX_PIECE_HEIGHT * digit_h and _in_margin(c.box, (h, w), margin_px))]
    joined = merge_fragments(candidates, _merge_height(candidates, digit_h, min_height_px))
    digits = filter_digits(joined, (h, w), opts, min_height_px, margin_px, labels)
    order = reading_order([c.box for c in digits], [c.centre_or_box() for c in digits])
    return [Found(digits[i].box, digit_mask(labels, digits[i]), digits[i].centre_or_box()) for i in order]


def locate_digits(mask: np.ndarray, opts: DetectorOptions, min_height_px: float | None = None,
                  margin_px: int = 0, excluded: np.ndarray | None = None) -> list[Found]:
    """(H, W) 0/255 ink (rules already out) -> the digits in reading order (find_candidates, then
    digits_among)."""
    labels, candidates = find_candidates(mask, margin_px, excluded)
    return digits_among(labels, candidates, opts, min_height_px, margin_px)
