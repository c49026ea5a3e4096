"""Which reading of each located blob is kept: read whole, read narrowed, cut into the pieces that read
best (edge.segment, edge.splits), or a second opinion turned upright or deskewed (edge.upright). The
reader makes the crops of the first invoke; these plan the second and choose among the two."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Iterator

import numpy as np

from edge import filled, layout, preprocess, segment, spec, splits, upright
from edge.detect import Box, DetectorOptions, Found, mnist_crop

# A blob offered for cutting that no split wins for is read again narrowed to this width over
# height (preprocess.narrowed), and that reading is kept when surer than the blob read as it is: a
# wide 6, or a 4 stretched by a tilted camera. Over 30 frames of each synthetic condition, seeds
# 101 and 7, it read 34 more digits right (ruled +2/+6, squared +2/+4, notebook +4/+6) and no more
# spurious ones; 0.8 read 23 more, 0.6 31 more, each with one spurious digit more.
NARROWED_ASPECT = 0.7


@dataclass(frozen=True)
class Cuts:
    """A blob offered for cutting: its candidate pieces and where each sits in the cut batch."""

    candidates: segment.Candidates
    rows: dict[tuple[int, int], int]  # piece -> row of the cut batch
    narrowed: int | None  # the row of the blob read narrowed (NARROWED_ASPECT); None: no wider than that


def stack(crops: list[np.ndarray]) -> np.ndarray:
    """(28, 28) crops -> one (N, 28, 28) batch, (0, 28, 28) for none."""
    return np.stack(crops) if crops else np.zeros((0, spec.INPUT_HEIGHT_PX, spec.INPUT_WIDTH_PX), np.uint8)


def _weighed(scores: np.ndarray, aspects: list[float]) -> np.ndarray:
    """Each reading's confidence times its plausibility for its blob's shape: (N, 10), N -> (N,)."""
    return scores.max(axis=1) * splits.plausibility(scores.argmax(axis=1), np.asarray(aspects))


def plan_cuts(found: list[Found], aspects: list[float], whole_weight: np.ndarray, opts: DetectorOptions
               ) -> tuple[dict[int, Cuts], np.ndarray]:
    """Candidate pieces of the blobs that a split could win for, as one batch of crops."""
    crops: list[np.ndarray] = []
    plans = {}
    for k, (f, aspect) in enumerate(zip(found, aspects)):
        if not splits.could_split(float(whole_weight[k]), aspect):
            continue
        cuts = segment.candidates(f.mask, aspect)
        if cuts is None:
            continue
        pen = preprocess.stroke_width_px(f.mask)  # the pieces share the blob's pen
        rows = {}
        for key, piece in cuts.pieces.items():
            rows[key] = len(crops)
            crops.append(mnist_crop(piece.mask, opts, pen))
        wide = f.mask.shape[1] > NARROWED_ASPECT * f.mask.shape[0]
        plans[k] = Cuts(cuts, rows, len(crops) if wide else None)
        if wide:
            crops.append(mnist_crop(preprocess.narrowed(f.mask, NARROWED_ASPECT), opts, pen))
    return plans, stack(crops)


def _winning_chain(f: Found, aspect: float, digit_height: float, whole_weight: float, narrowed: float,
                   dropped: bool, plan: Cuts, cut_scores: np.ndarray) -> list[tuple[int, int]]:
    """The best chain of a blob's pieces when it wins over the blob read whole, else []. `whole_weight`
    is the blob's confidence read whole, weighed (_weighed); `narrowed` is the blob's confidence read
    narrowed (read as it is when no wider than NARROWED_ASPECT): no split wins where that says one wide
    digit (splits.one_wide_digit), and a split through a digit (splits.through_a_digit) must beat it
    too. `dropped`: read whole or narrowed, the blob is under the floor of what is kept (no digit to
    the model), so there is no reading of it to keep (splits.split_wins)."""
    keys = list(plan.rows)
    pieces = [plan.candidates.pieces[key] for key in keys]
    weight = _weighed(cut_scores[[plan.rows[key] for key in keys]],
                      [segment.aspect(p.x1 - p.x0, p.y1 - p.y0, digit_height) for p in pieces])
    confidence = dict(zip(keys, weight.tolist()))
    chain, product = splits.best_split(len(plan.candidates.points), confidence)
    if not chain or splits.only_strokes([int(np.argmax(cut_scores[plan.rows[key]])) for key in chain]):
        return []
    full = splits.full_height([plan.candidates.pieces[key] for key in chain], f.mask.shape[0], digit_height)
    if splits.one_wide_digit(narrowed, full):
        return []
    strokes = [int(plan.candidates.strokes[i]) for i, _ in chain[1:]]
    sure = splits.sure_split(whole_weight, aspect, full, [confidence[key] for key in chain], strokes)
    rival = max(whole_weight, narrowed) if splits.through_a_digit(full, strokes) else whole_weight
    return chain if splits.split_wins(rival, product, aspect, full, sure, dropped) else []


def resolve(found: list[Found], aspects: list[float], heights: list[float], whole: np.ndarray,
             whole_scores: np.ndarray, plans: dict[int, Cuts], cut_crops: np.ndarray, cut_scores: np.ndarray,
             floor: float) -> tuple[list[Box], np.ndarray, np.ndarray, dict[int, list[int]]]:
    """Per located digit, the reading that wins: boxes (processing pixels), (M, 10) scores, (M, 28, 28)
    crops; and per blob cut, the indices of its cut points where the cuts were made. A blob no split
    wins for is read as it is or narrowed, whichever is surer. `floor`: the confidence under which a
    reading is dropped. `heights`: per blob, its digit height (edge.frame_pass: its line's, where taller than
    the frame's)."""
    whole_weight = _weighed(whole_scores, aspects)
    boxes, scores, crops, made = [], [], [], {}
    for k, (f, aspect, digit_height) in enumerate(zip(found, aspects, heights)):
        plan = plans.get(k)
        has_narrowed = plan is not None and plan.narrowed is not None
        narrowed = float((cut_scores[plan.narrowed] if has_narrowed else whole_scores[k]).max())
        narrow = has_narrowed and narrowed > whole_scores[k].max()
        dropped = max(float(whole_scores[k].max()), narrowed) < floor
        chain = [] if plan is None else _winning_chain(f, aspect, digit_height, float(whole_weight[k]),
                                                        narrowed, dropped, plan, cut_scores)
        if not chain:
            boxes.append(f.box)
            scores.append(cut_scores[plan.narrowed] if narrow else whole_scores[k])
            crops.append(cut_crops[plan.narrowed] if narrow else whole[k])
            continue
        made[k] = [i for i, _ in chain[1:]]
        for key in chain:
            piece, row = plan.candidates.pieces[key], plan.rows[key]
            boxes.append(Box(f.box.x + piece.x0, f.box.y + piece.y0, piece.x1 - piece.x0, piece.y1 - piece.y0))
            scores.append(cut_scores[row])
            crops.append(cut_crops[row])
    return boxes, np.array(scores, np.float32).reshape(-1, spec.NUM_CLASSES), stack(crops), made


# A second opinion on a blob: (its index, the confidence it must reach to be kept, its crop).
Opinion = tuple[int, float, np.ndarray]


# Out of focus, a small 6's or 9's loop (an 8's, a 0's with a tail) fills with ink while the rest of the
# blob keeps it from filling its box like a blot (edge.filled.reopen opens those): read unsure, such a blob
# is read again with its loops opened (filled.loops_blurred_shut: each mostly ink as the blob stands).
# One read as no digit is kept opened only where the opened one reads sure (upright.UNSURE_BELOW): kept
# wherever surer, a review's probes of coins, washers, bullets, stamps and smudges beside digits (61
# folders, 2,680 frames, scripts of last session's helper) read 1,219 spurious digits against 1,209; this
# way 1,204. Both sets perturbed 15 ways (benchmarks.perturb): defocus-1 618 -> 625 of 652, defocus-1.5
# 531 -> 534, defocus-2 390 -> 391, the others as they were, none spurious; the probes' digits (bold
# loops, small digits, touching ones, conditions blurred) 10,822 -> 10,890 of 14,594 right, spurious
# 21 -> 20; the 22 conditions over 30 frames of seeds 101, 7 and 3, 12 digits more, spurious as they
# were (AMD EPYC, 2 cores, 2026-12-07). Cost: 32 us p50 a blob read unsure (38 us mean; the 64 such
# blobs of the desk photos defocused by 1 px per 1,000, one thread, AMD EPYC), and a crop more in the
# second invoke where a loop opens; the bench's ten-digit frames, whose digits read sure, read as fast.
def _opened(found: Found, darkness: np.ndarray) -> np.ndarray | None:
    """A blob's own ink with the loops blur shut opened (filled.loops_blurred_shut), or None where it
    encloses none; `darkness`: the ink's darkness it was found in."""
    b = found.box
    loop = filled.loops_blurred_shut(found.mask > 0, darkness[b.y:b.y + b.h, b.x:b.x + b.w])
    if loop is None:
        return None
    mask = found.mask.copy()
    mask[loop] = 0
    return mask


def second_batch(found: list[Found], aspects: list[float], digit_height: float, whole_scores: np.ndarray,
                 opts: DetectorOptions, darkness: np.ndarray, not_a_digit: float
                 ) -> tuple[dict[int, Cuts], np.ndarray, list[Opinion]]:
    """What the second invoke reads: the candidate pieces of blobs that may be touching digits (the
    cut batch), and second opinions on unsure digits as (blob, floor, crop): turned upright where the
    lines slope, deskewed where barely readable, and with the loops blur shut opened (with the ink's
    `darkness`; a blob read as no digit, under `not_a_digit`, only where the opened one reads sure),
    kept only if that sure (see keep_surer)."""
    plans, cut_crops = plan_cuts(found, aspects, _weighed(whole_scores, aspects), opts)
    confidence = whole_scores.max(axis=1)
    unsure = upright.unsure(confidence)
    skew = upright.skew_deg(np.array([f.centre for f in found]), digit_height) if unsure else 0.0
    opinions = [(k, 0.0, mnist_crop(upright.turn_upright(found[k].mask, skew), opts))
                for k in (unsure if skew else [])]
    opinions += [(k, upright.DESKEW_BELOW, mnist_crop(upright.deskewed(found[k].mask), opts))
                 for k in upright.unsure(confidence, upright.DESKEW_BELOW)]
    opened = [(k, _opened(found[k], darkness)) for k in unsure]
    opinions += [(k, 0.0 if confidence[k] >= not_a_digit else upright.UNSURE_BELOW, mnist_crop(mask, opts))
                 for k, mask in opened if mask is not None]
    return plans, cut_crops, opinions


def keep_surer(whole: np.ndarray, whole_scores: np.ndarray, opinions: list[Opinion],
                scores: np.ndarray) -> None:
    """Each second opinion replaces its blob's crop and scores (in place) where the model is surer of
    it and at least as sure as its floor (a smudge lifted from below the not-a-digit floor to a "?" by
    deskewing is no gain)."""
    for (k, floor, crop), s in zip(opinions, scores):
        if s.max() > whole_scores[k].max() and s.max() >= floor:
            whole_scores[k], whole[k] = s, crop


# Printed words beside a number: their letters come apart into blobs and pieces the model reads one
# by one, the o's and l's as 0s and 1s, most others as no digit (it is trained to be unsure of
# letters). Readings side by side form a run (each within WORD_GAP of the taller's height of the
# next, their centres within half of it, neither under half the other's height); a run of
# WORD_MIN_READINGS or more of which over WORD_UNSURE_SHARE read as no digit is words where it is
# under WORD_HEIGHT of the tallest run that is not words, and none of it is read. A probe's 40 frames
# of a handwritten number with a printed label before it and lines of printed words above and below
# (a helper's script: OpenCV's Hershey simplex or duplex, the words 0.25 to 0.4 of the number's
# height, the label 0.4 to 0.6; 640x480 to 4000x3000; AMD EPYC): 735 spurious digits -> 184, the
# number's digits 139 -> 138 of 165. A review's frames of numbers beside labels, units and words
# (1,300, a helper's script of last session): 1,673 -> 1,341 spurious, the 9,475 digits right as they
# were. Both photo sets perturbed 15 ways and the 19 conditions (30 frames, seeds 101 and 7) read as
# they were. Runs within a height of each other took more words (164 spurious on the probe's frames,
# 1,290 on the review's) but joined small handwritten digits to the printed unit beside them: a
# review's 40 frames of a number over a line "No 12 34 pcs 567 ml" in small digits and letters read
# 395 of 432 digits (428 without words, 427 now), and of "12 kg 345 ml" 336 of 356 (354, and 354 now).
# A run only under half the tallest took 410 spurious digits out of the review's frames, but lost 7
# digits of the perturbed sets: `desk_01` defocused has a run "062800" whose 0s, written half as tall
# as its other digits, read as no digit (3 of 6), and the run is half as tall as the sheet's other lines.
WORD_GAP = 0.5
WORD_MIN_READINGS = 3
WORD_UNSURE_SHARE = 1 / 3
WORD_HEIGHT = 0.4


def _runs(boxes: list[Box]) -> list[list[int]]:
    """Indices of the readings in each run of readings side by side (see WORD_GAP)."""
    return layout.groups(len(boxes), _side_by_side(boxes))


def _side_by_side(boxes: list[Box]) -> Iterator[tuple[int, int]]:
    """The pairs of readings side by side (see WORD_GAP)."""
    order = sorted(range(len(boxes)), key=lambda i: boxes[i].x)
    reach = WORD_GAP * max((b.h for b in boxes), default=0)
    for n, i in enumerate(order):
        a = boxes[i]
        for j in order[n + 1:]:
            b = boxes[j]
            gap = b.x - (a.x + a.w)
            if gap > reach:
                break
            h = max(a.h, b.h)
            if (gap <= WORD_GAP * h and abs(a.y + a.h / 2 - b.y - b.h / 2) < 0.5 * h
                    and min(a.h, b.h) >= 0.5 * h):
                yield i, j


def words(boxes: list[Box], confidences: np.ndarray, floor: float) -> np.ndarray:
    """(N,) bool: which of the readings (boxes, (N,) confidences) are in a run of words (WORD_HEIGHT), by
    the readings under `floor` (no digit to the model) in it."""
    text = np.zeros(len(boxes), bool)
    unsure = (confidences < floor).tolist()
    if not any(unsure):  # most frames: every reading a digit (the bench's frame: 0.01 ms, not 0.09; AMD EPYC)
        return text
    runs = [run for run in _runs(boxes) if len(run) >= WORD_MIN_READINGS]
    wordy = [sum(unsure[i] for i in run) > WORD_UNSURE_SHARE * len(run) for run in runs]
    heights = [float(median(boxes[i].h for i in run)) for run in runs]
    tallest = max([h for h, w in zip(heights, wordy) if not w], default=0.0)
    for run, h, w in zip(runs, heights, wordy):
        if w and h < WORD_HEIGHT * tallest:
            text[run] = True
    return text


# Writing seen from the back of the sheet (show-through, mirrored) reads as surely as writing when
# mirrored back: a reading of at least MIRRORED_MIN_DIGITS digits, unsure on the whole (their mean
# confidence under MIRRORED_BELOW), whose digits flipped left to right read surer by MIRRORED_MARGIN
# on average, is of such writing and none of it is read. Blank sheets on a desk showing only writing
# from their back (edge.synth_conditions.blank_showing_through, 10 frames of seed 11 as photographed
# and out of focus: the gate in tests/edge/test_gates.py) read 273 digits without this, 18 with it;
# the 18 of those 20 readings that hold five digits or more read 0.79 to 0.93 on average as they are,
# 0.95 to 1.00 mirrored (the one read, 0.93 and 0.96, is within the margin). The desk sheets blurred
# (python -m benchmarks.perturb) read 0.71 to 0.99 as they are, 0.41 to 0.82 mirrored (a script of
# mine, AMD EPYC); no reading of them, of the 16 conditions (30 frames of seeds 101 and 7) nor of the
# photos changed.
MIRRORED_MIN_DIGITS = 5
MIRRORED_BELOW = 0.95
MIRRORED_MARGIN = 0.05


def _mean_confidence(scores: np.ndarray) -> float:
    """The mean of (N, 10) scores' top score, N > 0."""
    return float(scores.max(axis=1).mean())


def may_be_mirrored(scores: np.ndarray) -> bool:
    """Whether a reading's (N, 10) scores are unsure enough, of enough digits, to be read mirrored."""
    return len(scores) >= MIRRORED_MIN_DIGITS and _mean_confidence(scores) < MIRRORED_BELOW


def mirrored(crops: np.ndarray) -> np.ndarray:
    """(N, 28, 28) crops flipped left to right."""
    return np.ascontiguousarray(crops[:, :, ::-1])


def seen_from_behind(scores: np.ndarray, mirrored_scores: np.ndarray) -> bool:
    """Whether digits read surer mirrored (their scores flipped: `mirrored_scores`) than as they are."""
    return _mean_confidence(mirrored_scores) > _mean_confidence(scores) + MIRRORED_MARGIN
