"""Writing a quarter or a half turn from upright in the frame: a sheet lying sideways or upside down on
the desk, or a photo stored turned with no EXIF orientation to say so. Its digits read unsure as they
stand (or as other digits: a 1 on its side is a dash, a 7 upside down an L); turned upright they read
sure. The reader looks at a frame turned only where it reads few of its blobs surely, first by its
blobs' crops turned (one batch), then by reading the whole frame turned where a turn reads enough more
of them surely (turns_to_try), and keeps that reading when it is surer still (turn_wins)."""

from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from edge import readings
from edge.detect import Box

# The turns tried: (OpenCV's rotation of the frame, the same turn as numpy's rot90 count).
TURNS = ((cv2.ROTATE_90_CLOCKWISE, -1), (cv2.ROTATE_90_COUNTERCLOCKWISE, 1), (cv2.ROTATE_180, 2))
# A frame of at least MIN_BLOBS blobs is looked at turned when this share of them or more do not read
# sure (the reader's SURE_CONFIDENCE): upright writing leaves few so (7 of the 107 blobs of desk_01),
# writing upside down many (34 of them: a 0, 1, 8 or 6/9 reads as surely either way up, most others not).
MIN_BLOBS = 3
MIN_UNSURE_SHARE = 0.2
# A turn is tried when its crops read at least MIN_GAIN more blobs sure than as they stand, and its
# reading of the whole frame kept when that also leaves at most MAX_UNSURE_LEFT of the unsure ones unsure
# (turn_wins): a page of 0s, 1s and 8s reads as surely upside down as upright, and keeps its reading. (On
# the crops the gain alone: touching pairs and triples read unsure whichever way their blob is turned,
# and only the turned frame's cuts show them sure. A review's turned frames, 18 conditions x 4 seeds x 3
# turns, read 30,843 of 32,478 digits with both tests on the crops, 31,120 with its variant testing the
# gain alone.)
MIN_GAIN = 2
MAX_UNSURE_LEFT = 0.5
# The frame read turned keeps this share of the blobs as digits at least: the same ink read the right way
# up is as many digits, or more where touching ones are cut. (An upright row of eight digits stretched
# wide read turned as four sure ones, and won: 1 of 300 such rows, a script of mine; none with this.)
MIN_KEPT = 0.75
# ... and this share of the digits the frame read as it stands, after its cuts: touching digits are fewer
# blobs than digits, each unsure read whole (touching groups in 7 blobs, one sure, read as 15 digits of
# their 16, read turned a quarter as six digits, four sure, and won: touching, seed 7, frame 29). With
# it, touching over 30 frames of seed 7: 450 -> 459 of 480; the 22 conditions turned both quarters and a
# half (10 frames each of seeds 7 and 101) and both photo sets perturbed 15 ways read as before (scripts
# of mine and benchmarks.perturb, AMD EPYC).
MIN_KEPT_OF_READ = 0.5
# Turns whose crops' summed confidence comes within this share of the blobs of the best turn's are tried
# too: the two quarter turns are a half turn apart, and a row of 0s, 1s, 8s, 6s and 9s reads nearly as
# surely either way (a review: 19 of 408 such rows turned a quarter read upside down, the wrong quarter
# winning on a near tie).
NEAR_TIE = 0.05
# Printed words read across the frame (edge.readings.words: runs of small readings side by side, many
# of them no digit) say that it stands upright or upside down, not a quarter turned, where they are this
# share of its readings or more. Letters on their side read as 1s and 0s: a probe's 40 frames of a
# handwritten number among lines of small printed words (a helper's script, 640x480 to 4000x3000, AMD
# EPYC) were read turned a quarter in 5 (107 spurious digits) and now in none: printed words made 18 % of
# the readings or more in the frames where any were found. The shared photos turned a quarter have
# specks in runs taken for words, 2 to 4 % of their readings: with a quarter turn refused wherever any
# word was read, both sets turned a quarter each way read 246 digits fewer (benchmarks.perturb).
WORDS_ACROSS = 0.1


def worth_a_look(confidence: np.ndarray, sure: float) -> bool:
    """Whether a frame whose blobs, read as they stand, read with these confidences may be turned."""
    unsure = np.count_nonzero(confidence < sure)
    return len(confidence) >= MIN_BLOBS and unsure >= MIN_UNSURE_SHARE * len(confidence)


def _gain(confidence_turned: np.ndarray, confidence: np.ndarray, sure: float) -> int:
    return int(np.count_nonzero(confidence_turned >= sure) - np.count_nonzero(confidence >= sure))


def turn_wins(confidence_turned: np.ndarray, confidence: np.ndarray, sure: float, read: int | None = None
              ) -> bool:
    """Whether a frame read turned (its digits' confidences, after its cuts) beats the frame's blobs as
    they stand (their confidences as first read): MIN_GAIN more of them at `sure` or more, no more than
    MAX_UNSURE_LEFT of the unsure ones left unsure, and MIN_KEPT of the blobs read as digits; and, with
    `read` (the digits read as the frame stands, after its cuts), MIN_KEPT_OF_READ of those."""
    unsure_turned = np.count_nonzero(confidence_turned < sure)
    return (_gain(confidence_turned, confidence, sure) >= MIN_GAIN
            and len(confidence_turned) >= MIN_KEPT * len(confidence)
            and (read is None or len(confidence_turned) >= MIN_KEPT_OF_READ * read)
            and unsure_turned <= MAX_UNSURE_LEFT * np.count_nonzero(confidence < sure))


def turns_to_try(crops: np.ndarray, confidence: np.ndarray, scores_of: Callable[[np.ndarray], np.ndarray],
                 sure: float, words_share: float = 0.0) -> list[tuple[int, int]]:
    """The turns (entries of TURNS) worth reading the frame under, best first: the one whose (N, 28, 28)
    blob crops sum the highest confidence turned, and any within NEAR_TIE of it, each reading MIN_GAIN
    more blobs `sure` than the crops as they stand (`confidence`); none where the crops mirrored sum as
    high as the best (writing seen from the back of the sheet, left to the reader's mirrored check); no
    quarter turn where WORDS_ACROSS or more of the frame's readings as it stands were read as printed
    words (`words_share`, edge.readings.words): it stands upright or upside down. `scores_of`: (M, 28,
    28) crops -> (M, 10) scores, called once, with every turn's crops and the mirrored ones."""
    if not len(crops):
        return []
    batch = np.concatenate([np.rot90(crops, k, axes=(1, 2)) for _, k in TURNS] + [readings.mirrored(crops)])
    turned = scores_of(np.ascontiguousarray(batch)).max(axis=1).reshape(len(TURNS) + 1, len(crops))
    total = turned.sum(axis=1)
    best = float(total[:-1].max())
    if total[-1] >= best:
        return []
    order = np.argsort(-total[:-1], kind="stable")
    return [TURNS[k] for k in order
            if total[k] >= best - NEAR_TIE * len(crops) and _gain(turned[k], confidence, sure) >= MIN_GAIN
            and not (words_share >= WORDS_ACROSS and TURNS[k][0] != cv2.ROTATE_180)]


# Each turn's inverse.
_BACK = {cv2.ROTATE_90_CLOCKWISE: cv2.ROTATE_90_COUNTERCLOCKWISE,
         cv2.ROTATE_90_COUNTERCLOCKWISE: cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180: cv2.ROTATE_180}


def turn_back(image: np.ndarray, rotation: int) -> np.ndarray:
    """An image made of a frame turned by `rotation` (a debug picture), turned as the frame is."""
    return cv2.rotate(image, _BACK[rotation])


def box_back(box: Box, rotation: int, frame_shape: tuple[int, ...]) -> Box:
    """A box in the pixels of a (H, W) frame turned by `rotation` -> the frame's own pixels."""
    h, w = frame_shape[:2]
    if rotation == cv2.ROTATE_90_CLOCKWISE:  # turned (x, y) is the frame's (y, h - 1 - x)
        return Box(box.y, h - box.x - box.w, box.h, box.w)
    if rotation == cv2.ROTATE_90_COUNTERCLOCKWISE:  # turned (x, y) is the frame's (w - 1 - y, x)
        return Box(w - box.y - box.h, box.x, box.h, box.w)
    return Box(w - box.x - box.w, h - box.y - box.h, box.w, box.h)
