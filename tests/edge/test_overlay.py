"""The pictures of what was read: labels that stay readable on a page of digits, the whole text shown."""

import cv2
import numpy as np

from edge import overlay
from edge.detect import Box
from edge.frame_pass import Digit, Reading


def _digits(xs: list[int], width: int = 40) -> list[Digit]:
    return [Digit(str(k % 10), 0.97, Box(x, 100, width, 60)) for k, x in enumerate(xs)]


def test_a_label_keeps_its_confidence_only_where_it_overlaps_no_other_label():
    close = _digits([100, 145, 190])  # a page's digits, a few pixels apart
    apart = _digits([100, 400, 700])  # a row written with room between the digits
    assert overlay.label_texts(close, 1.0, 2) == ["0", "1", "2 97%"]  # the last has room to its right
    assert overlay.label_texts(apart, 1.0, 2) == ["0 97%", "1 97%", "2 97%"]
    assert overlay.label_texts(apart, 0.4, 1) == ["0", "1", "2"]  # too small a font to read one


def test_the_text_of_a_page_is_shown_whole_on_as_many_lines_as_it_needs():
    text = "0123456789" * 12
    lines = overlay.banner_lines(text, 600, 1.0, 3)
    assert len(lines) > 1 and "".join(lines) == text
    widths = [cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, 1.0, 3)[0][0] for line in lines]
    assert max(widths) <= 600
    # A 28x28 tile is too narrow to wrap in: one line cut by its edge, not a letter a line.
    assert overlay.banner_lines("(no digits)", 20, 0.56, 4) == ["(no digits)"]
    frame = np.full((480, 640, 3), 200, np.uint8)
    out = overlay.annotate(frame, Reading(text, [], np.zeros((0, 28, 28), np.uint8)))
    white_rows = np.flatnonzero((out == 255).all(axis=2).any(axis=1))
    assert white_rows.max() - white_rows.min() > 40  # more than one line of text


def test_a_page_of_crops_is_shown_in_rows():
    crops = np.zeros((45, 28, 28), np.uint8)
    strip = overlay.crop_strip(crops, ["1"] * 45, zoom=2, per_row=20)
    tile_h, tile_w = 28 * 2 + 22, 28 * 2 + 2
    assert strip.shape == (3 * tile_h, 20 * tile_w, 3)
