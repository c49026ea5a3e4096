"""Second opinions on digits unsure as they stand: turned upright, or their slant undone.

A phone held at an angle turns the lines and every digit on them; the lines' slope
(edge.layout.estimate_skew) says by how much. Lines can also slope with the digits
upright (a hand that climbs), so the turned crop is only a second opinion: it is
made for the digits the model is unsure of, read in the reader's second batch, and
kept where the model is surer of it than of the digit as it stands. A digit the
model can hardly read at all is also read with its own slant sheared away
(deskewed, from its ink's second moments, as MNIST's digits are often deskewed).
"""

from __future__ import annotations

import cv2
import numpy as np

from edge import layout, preprocess

# Lines sloped less than this are level enough: MNIST's digits lean by as much.
MIN_SKEW_DEG = 4.0
# A digit read with less confidence than this is read again, turned.
UNSURE_BELOW = 0.9
# A digit read with less confidence than this (the reader's default --min-confidence: it would
# be shown as "?", or dropped under 0.4) is read again deskewed, and the deskewed reading kept
# where it is surer and reaches this. Over 30 frames of each synthetic condition, seeds 101 and 7,
# it read 15 more digits right and one spurious digit fewer (the desk photos unchanged); 0.4, 0.6,
# 0.7 and 0.9 read 6, 12, 10 and 12 more (0.9 one desk-photo digit fewer); kept whenever surer, a
# smudge became a "?".
DESKEW_BELOW = 0.5
# A slant sheared away is at most this (horizontal shift per row): a blob leaning further is
# no digit's slant.
MAX_SLANT = 0.7


def skew_deg(centres: np.ndarray, digit_height: float) -> float:
    """The lines' slope in degrees (positive: down to the right), 0 when level enough."""
    skew = float(np.degrees(layout.estimate_skew(centres, digit_height)))
    return skew if abs(skew) >= MIN_SKEW_DEG else 0.0


def turn_upright(mask: np.ndarray, skew: float) -> np.ndarray:
    """A digit's (h, w) 0/255 ink turned by -skew degrees, on a canvas that holds all of it."""
    h, w = mask.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
    cos, sin = abs(turn[0, 0]), abs(turn[0, 1])
    out_w, out_h = int(np.ceil(w * cos + h * sin)), int(np.ceil(w * sin + h * cos))
    turn[:, 2] += ((out_w - w) / 2, (out_h - h) / 2)
    turned = cv2.warpAffine(mask, turn, (out_w, out_h), flags=cv2.INTER_LINEAR)
    return np.where(turned > 127, 255, 0).astype(np.uint8)


def deskewed(mask: np.ndarray) -> np.ndarray:
    """A digit's (h, w) 0/255 ink sheared so that its main axis stands upright (tight, 0/255)."""
    m = cv2.moments(mask, binaryImage=True)
    if m["m00"] == 0 or m["mu02"] < 1e-2:
        return mask
    slant = float(np.clip(m["mu11"] / m["mu02"], -MAX_SLANT, MAX_SLANT))
    h = mask.shape[0]
    pad = int(np.ceil(abs(slant) * h)) + 1
    padded = cv2.copyMakeBorder(mask, 0, 0, pad, pad, cv2.BORDER_CONSTANT, value=0)
    # Each row moves by the slant times its height above or below the ink's centre of mass.
    shear = np.float32([[1, slant, -slant * m["m01"] / m["m00"]], [0, 1, 0]])
    sheared = cv2.warpAffine(padded, shear, (padded.shape[1], h),
                             flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR)
    tight = preprocess.tight_crop(np.where(sheared > 127, 255, 0).astype(np.uint8))
    return mask if tight is None else tight


def unsure(confidence: np.ndarray, below: float = UNSURE_BELOW) -> list[int]:
    """Which digits to read again: turned, if the lines slope (below UNSURE_BELOW); deskewed
    (below DESKEW_BELOW)."""
    return np.flatnonzero(confidence < below).tolist()
