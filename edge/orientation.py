"""Writing a quarter or a half turn from upright in the frame: a sheet lying sideways or upside down on
the desk, or a photo stored turned with no EXIF orientation to say so. Its digits read unsure as they
stand (or as other digits: a 1 on its side is a dash, a 7 upside down an L); turned upright they read
sure. The reader looks at a frame turned only where it reads few of its blobs surely, first by its
blobs' crops turned (one batch), then by reading the whole frame turned when a turn reads enough more
of them surely (turn_to_try), and keeps that reading when it is as much surer (turn_wins)."""

from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from edge.detect import Box

# The turns tried: (OpenCV's rotation of the frame, the same turn as numpy's rot90 count).
TURNS = ((cv2.ROTATE_90_CLOCKWISE, -1), (cv2.ROTATE_90_COUNTERCLOCKWISE, 1), (cv2.ROTATE_180, 2))
# A frame of at least MIN_BLOBS blobs is looked at turned when this share of them or more do not read
# sure (the reader's SURE_CONFIDENCE): upright writing leaves few so (7 of the 107 blobs of desk_01),
# writing upside down many (34 of them: a 0, 1, 8 or 6/9 reads as surely either way up, most others not).
MIN_BLOBS = 3
MIN_UNSURE_SHARE = 0.2
# A turn wins with at least MIN_GAIN sure readings more and at most this share of the unsure ones: a page
# of 0s, 1s and 8s reads as surely upside down as upright, and keeps its reading.
MIN_GAIN = 2
MAX_UNSURE_LEFT = 0.5


def worth_a_look(confidence: np.ndarray, sure: float) -> bool:
    """Whether a frame whose blobs, read as they stand, read with these confidences may be turned."""
    return len(confidence) >= MIN_BLOBS and np.count_nonzero(confidence < sure) >= MIN_UNSURE_SHARE * len(confidence)


def turn_wins(confidence_turned: np.ndarray, confidence: np.ndarray, sure: float) -> bool:
    """Whether readings turned (their confidences) beat those as they stand: MIN_GAIN more of them at
    `sure` or more, and no more than MAX_UNSURE_LEFT of the unsure ones left unsure."""
    gain = np.count_nonzero(confidence_turned >= sure) - np.count_nonzero(confidence >= sure)
    unsure_turned = np.count_nonzero(confidence_turned < sure)
    return gain >= MIN_GAIN and unsure_turned <= MAX_UNSURE_LEFT * np.count_nonzero(confidence < sure)


def turn_to_try(crops: np.ndarray, confidence: np.ndarray, scores_of: Callable[[np.ndarray], np.ndarray],
                sure: float) -> tuple[int, int] | None:
    """The turn (an entry of TURNS) under which the most of the (N, 28, 28) blob crops read `sure`, when it
    wins over the crops as they stand (`confidence`, turn_wins) and over the crops mirrored (writing seen
    from the back of the sheet reads surest mirrored, and is left to the reader's mirrored check); else
    None. `scores_of`: (M, 28, 28) crops -> (M, 10) scores, called once, with every turn's crops and the
    mirrored ones."""
    if not len(crops):
        return None
    batch = np.concatenate([np.rot90(crops, k, axes=(1, 2)) for _, k in TURNS] + [crops[:, :, ::-1]])
    turned = scores_of(np.ascontiguousarray(batch)).max(axis=1).reshape(len(TURNS) + 1, len(crops))
    total = turned.sum(axis=1)
    best = int(np.argmax(total[:-1]))
    if total[-1] >= total[best]:
        return None
    return TURNS[best] if turn_wins(turned[best], confidence, sure) else None


# Each turn's inverse.
_BACK = {cv2.ROTATE_90_CLOCKWISE: cv2.ROTATE_90_COUNTERCLOCKWISE,
         cv2.ROTATE_90_COUNTERCLOCKWISE: cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180: cv2.ROTATE_180}


def turn(frame: np.ndarray, rotation: int) -> np.ndarray:
    return cv2.rotate(frame, rotation)


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
