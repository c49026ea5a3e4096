"""How far out of focus a page on a desk is, from the step at its edge.

A thin pen out of focus is spread into a ridge too faint to pass the ink threshold, and so is a
mark seen through the sheet from its back in focus: the ink stage cannot tell them apart. The
page's edge can: it lies at the ink's depth, so the lens blurs it as much as the writing, while
show-through leaves it sharp.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

SAMPLES_PER_SIDE = 24
# A side whose desk and paper differ by less than this (grey levels) shows no step to measure.
MIN_STEP = 24
MIN_PROFILES = 8


def edge_blur_px(gray: np.ndarray, corners: np.ndarray) -> float | None:
    """The blur (a Gaussian's sigma, in `gray`'s pixels) of the step across a page's sides.

    Args:
      gray: (H, W) uint8 frame.
      corners: (4, 2) float32 outline of the page in `gray`'s pixels, in order around it.

    Returns the median over profiles across the middle of the sides, each the step's height over
    its steepest slope (a Gaussian step of sigma s rises s * sqrt(2 pi) times its slope), or None
    where fewer than MIN_PROFILES cross a clear step (sides along the frame's edge, paper on paper).
    """
    h, w = gray.shape
    half = max(8, int(0.015 * max(h, w)))
    corners = np.asarray(corners, np.float32)
    sides = np.roll(corners, -1, axis=0) - corners
    lengths = np.hypot(sides[:, 0], sides[:, 1])
    normals = np.stack([-sides[:, 1], sides[:, 0]], axis=1) / np.maximum(lengths, 1e-6)[:, None]
    along = np.linspace(0.2, 0.8, SAMPLES_PER_SIDE, dtype=np.float32)[None, :, None]
    centres = corners[:, None, :] + along * sides[:, None, :]  # (side, sample, xy)
    offsets = np.arange(-half, half + 1, dtype=np.float32)[None, None, :, None]
    xy = (centres[:, :, None, :] + offsets * normals[:, None, None, :]).reshape(-1, 2 * half + 1, 2)
    long_enough = np.repeat(lengths >= 4 * half, SAMPLES_PER_SIDE)
    inside = ((xy[..., 0] >= 0) & (xy[..., 0] <= w - 1) & (xy[..., 1] >= 0) & (xy[..., 1] <= h - 1)).all(1)
    xy = np.ascontiguousarray(xy[long_enough & inside])
    if len(xy) < MIN_PROFILES:
        return None
    profiles = cv2.remap(gray, xy[..., 0], xy[..., 1], cv2.INTER_LINEAR).astype(np.float32)
    # Sensor noise steepens a slope by chance: profiles are smoothed along themselves first.
    profiles = cv2.GaussianBlur(profiles, (0, 0), sigmaX=1.0, sigmaY=0.01)
    step = np.abs(profiles[:, -4:].mean(1) - profiles[:, :4].mean(1))
    slope = np.abs(profiles[:, 2:] - profiles[:, :-2]).max(1) / 2
    clear = (step >= MIN_STEP) & (slope > 0)
    if clear.sum() < MIN_PROFILES:
        return None
    measured = step[clear] / (slope[clear] * math.sqrt(2 * math.pi))
    # The smoothing's own sigma of 1 is taken out of the measured one (sigmas add in squares).
    return float(np.sqrt(max(float(np.median(measured)) ** 2 - 1.0, 0.0)))
