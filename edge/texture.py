"""Writing tells itself from texture by what lies around it: a digit has a few neighbours, a clump of
a desk's or pad's grain read as ink is surrounded by more grain."""

from __future__ import annotations

import cv2
import numpy as np

from edge.detect import Box

# Grain of a desk or pad read as ink (a frame read whole, a note on a pad beside a textured desk) is
# blobs among blobs: around a digit, its box grown by its height on every side, ink covers at most
# 0.14 of the rest (each found digit of 20 frames of each synthetic condition, seed 5; 0.09 on the
# desk and photo sets); around clumps of grain mostly 0.2 to 0.4 (some 0.16 to 0.2, which stay: two
# frames of notes on a pad read whole, seeds 3 and 55). Looked at only where a frame has this many
# blobs: a frame of writing has few.
MAX_SURROUNDING_INK = 0.2
TEXTURE_CANDIDATES = 50
TEXTURE_SAMPLE = 2


def in_texture(boxes: list[Box], labels: np.ndarray) -> np.ndarray:
    """(N,) bool: whether ink covers more than MAX_SURROUNDING_INK of each box's surroundings (the
    box grown by its height on every side, the box itself left out) in a label image: texture, not
    writing. Counted on every TEXTURE_SAMPLE-th pixel of each way, all boxes at once (the whole label image and a loop
    over 111 digits took 1.1 to 2.2 ms a desk photo, this 0.2 to 0.6 ms, Intel(R) Xeon(R) Processor,
    2 cores, the other busy)."""
    h, w = labels.shape
    step = TEXTURE_SAMPLE
    sampled = cv2.resize(labels, (-(-w // step), -(-h // step)), interpolation=cv2.INTER_NEAREST)
    counts = cv2.integral(cv2.compare(sampled, 0, cv2.CMP_GT), sdepth=cv2.CV_32S)  # 255 a sample
    x, y, bw, bh = np.array([(b.x, b.y, b.w, b.h) for b in boxes], np.int64).reshape(-1, 4).T

    def ink(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
        """Samples of ink in each box, and how many samples it holds."""
        x0, y0 = -(-x0 // step), -(-y0 // step)  # the first sample at or after each start
        x1, y1 = np.maximum(-(-x1 // step), x0), np.maximum(-(-y1 // step), y0)
        inked = (counts[y1, x1] - counts[y0, x1] - counts[y1, x0] + counts[y0, x0]) // 255
        return inked, (x1 - x0) * (y1 - y0)

    outer, outer_n = ink(np.maximum(0, x - bh), np.maximum(0, y - bh), np.minimum(w, x + bw + bh),
                         np.minimum(h, y + bh + bh))
    own, own_n = ink(x, y, x + bw, y + bh)
    around = outer_n - own_n
    return (around > 0) & (outer - own > MAX_SURROUNDING_INK * around)
