"""Lines drawn with the writing that are no digits (edge.boxes and edge.box_lines: a box or a form's comb
around digits; edge.underlines: a line under a number) are found per blob, in the blob's own frame: its
minimum-area rectangle (in_rectangle)."""

from __future__ import annotations

import cv2
import numpy as np

# Blobs whose rectangle is turned further than this from the image's axes are not looked at.
MAX_TURN_DEG = 25.0
# Blobs shorter than this are specks; the smallest box is a digit's size.
MIN_BLOB_PX = 8


def in_rectangle(ys: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """A blob's ink pixels (rows `ys`, columns `xs`) in the frame of its minimum-area rectangle, turned
    so that the rows of a blob written level run along the image's rows.

    Returns:
      (rows, columns) of each ink pixel in that frame, and the (n_rows, n_columns) grid of ink there;
      None for a blob whose rectangle is turned further than MAX_TURN_DEG (no box or line is drawn
      at such an angle to the writing on a page read level).
    """
    points = np.column_stack([xs, ys]).astype(np.float32)
    (cx, cy), (rw, rh), angle = cv2.minAreaRect(points)
    theta = np.radians(angle)
    # minAreaRect's angle turns its first side; a quarter turn more or less keeps the blob upright.
    if abs(np.cos(theta)) < abs(np.sin(theta)):
        theta -= np.pi / 2 * np.sign(np.sin(theta))
    if abs(theta) > np.radians(MAX_TURN_DEG):
        return None
    c, s = np.cos(theta), np.sin(theta)
    u = (xs - cx) * c + (ys - cy) * s
    v = -(xs - cx) * s + (ys - cy) * c
    cols = np.rint(u - u.min()).astype(np.int64)
    rows = np.rint(v - v.min()).astype(np.int64)
    grid = np.zeros((rows.max() + 1, cols.max() + 1), np.uint8)
    grid[rows, cols] = 1
    if theta:
        # Pixels turned onto a grid leave holes between them, a line's rows gaps: closed. (A 2x2
        # closing shifts by a pixel what it adds: the pixels themselves stay.)
        grid |= cv2.morphologyEx(grid, cv2.MORPH_CLOSE, np.ones((2, 2), np.uint8))
    return rows, cols, grid.astype(bool)

