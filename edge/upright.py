"""A page photographed turned: digits unsure as they stand are read again turned upright.

A phone held at an angle turns the lines and every digit on them; the lines' slope
(edge.layout.estimate_skew) says by how much. Lines can also slope with the digits
upright (a hand that climbs), so the turned crop is only a second opinion: it is
made for the digits the model is unsure of, read in the reader's second batch, and
kept where the model is surer of it than of the digit as it stands.
"""

from __future__ import annotations

import cv2
import numpy as np

from edge import layout

# Lines sloped less than this are level enough: MNIST's digits lean by as much.
MIN_SKEW_DEG = 4.0
# A digit read with less confidence than this is read again, turned.
UNSURE_BELOW = 0.9


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


def unsure(confidence: np.ndarray) -> list[int]:
    """Which digits to read again turned, if the lines slope."""
    return np.flatnonzero(confidence < UNSURE_BELOW).tolist()
