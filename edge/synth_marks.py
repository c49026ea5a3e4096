"""What a page holds that is no digit, as synthetic ink (coverage 0..1): writing showing through from the
back of the sheet, and letters, dashes, a logo and an underline beside the digits."""

from __future__ import annotations

import cv2
import numpy as np

from edge.synth import Handwriting, write_lines


def mirror_show_through(lines: list[np.ndarray], size: tuple[int, int], hand: Handwriting,
                        margin: float = 0.08) -> np.ndarray:
    """Writing from the back of the sheet: the same kind of lines, mirrored, as coverage 0..1."""
    return write_lines(lines, size, hand, margin)[:, ::-1].copy()


def draw_marks(size: tuple[int, int], rng: np.random.Generator, region: tuple[float, float, float, float],
               height_px: int, count: int = 8) -> np.ndarray:
    """Marks that are not digits, as coverage 0..1 in a region (x0, y0, x1, y1 fractions):
    letters in Hershey fonts, dashes, a filled logo, a long underline."""
    h, w = size
    marks = np.zeros((h, w), np.uint8)  # putText draws on 8-bit images only
    x0, y0, x1, y1 = region
    letters = "AKMWRHNEFV"
    x = x0 * w
    y = y0 * h + height_px * 1.5
    for k in range(count):
        kind = k % 4
        if kind == 0:
            scale = cv2.getFontScaleFromHeight(cv2.FONT_HERSHEY_SIMPLEX, height_px, 2)
            text = letters[int(rng.integers(len(letters)))]
            cv2.putText(marks, text, (int(x), int(y)), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, 2, cv2.LINE_AA)
        elif kind == 1:  # a dash
            middle = int(y - height_px / 2)
            cv2.line(marks, (int(x), middle), (int(x + 1.2 * height_px), middle), 255, 2)
        elif kind == 2:  # a filled logo
            centre = (int(x + height_px / 2), int(y - height_px / 2))
            cv2.circle(marks, centre, int(height_px * 0.45), 255, -1)
        else:  # an underline
            cv2.line(marks, (int(x), int(y + 4)), (int(x + 4 * height_px), int(y + 4)), 255, 2)
        x += 2.2 * height_px if kind != 3 else 4.6 * height_px
        if x > x1 * w - 5 * height_px:
            x, y = x0 * w, y + 2.5 * height_px
        if y > y1 * h:
            break
    return marks.astype(np.float32) / 255
