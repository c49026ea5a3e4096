"""Finding digits in a frame: the options, the ink mask, the crop the model sees (the blobs: edge.blobs)."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import NamedTuple

import cv2
import numpy as np

from edge import preprocess, threshold


@dataclass(frozen=True)
class DetectorOptions:
    """How digits are found in a frame. Sizes are fractions of the processed frame."""

    max_side_px: int = 640  # larger frames are shrunk to this before anything else
    # A sheet found on a desk is rectified and read at up to this many pixels on its
    # longer side: a 5-mm digit on an A4 page is then about 27 px tall.
    page_max_side_px: int = 1600
    find_page: bool = True  # look for a sheet on a desk and read only inside it
    remove_rules: bool = True  # take ruled and squared paper's printed lines out first
    min_contrast: float = 0.12  # ink must be this much darker than the paper around it
    # Shorter than this fraction of the processed image's height is a speck: of a
    # camera frame, or of a rectified page, where digits are a smaller part of the whole.
    min_digit_height: float = 0.035
    page_min_digit_height: float = 0.008
    max_digit_height: float = 0.8
    max_aspect: float = 2.5  # width / height above this is a rule or a dash, not a digit,
    # unless its ink spreads across the line like digits do (touching digits, "200" in one stroke),
    # up to this aspect: wider is a scribble or a word.
    max_touching_aspect: float = 5.0
    max_fill: float = 0.75  # ink / box area above this is a blob (a shadow's edge, a thumb)
    min_relative_height: float = 0.45  # of its line's and the frame's median height: smaller is a speck,
    # unless it is round: handwriting often makes 0 a small o, down to this height.
    min_relative_height_round: float = 0.3
    # Pen width after fitting into 20 px. MNIST binarized at 127 measures a median
    # of 1.8 px and a 75th percentile of 3.0 px (stroke_width_px, 2,000 test images).
    stroke_px_at_box: float = 2.5
    roi: float | None = None  # centred square box as a fraction of the shorter side

    def __post_init__(self) -> None:
        for name in ("max_side_px", "page_max_side_px"):
            if getattr(self, name) < 64:
                raise ValueError(f"{name} must be at least 64, got {getattr(self, name)}")
        if self.roi is not None and not 0.05 <= self.roi <= 1.0:
            raise ValueError(f"roi is a fraction of the frame between 0.05 and 1, got {self.roi}")


class Box(NamedTuple):
    x: int
    y: int
    w: int
    h: int

    def scaled(self, factor: float, dx: int = 0, dy: int = 0) -> "Box":
        return Box(round(self.x * factor) + dx, round(self.y * factor) + dy,
                   max(1, round(self.w * factor)), max(1, round(self.h * factor)))


@dataclass(frozen=True)
class Candidate:
    box: Box
    ids: tuple[int, ...]  # connected-component labels that make up the digit
    ink: int  # pixels of ink
    centre: tuple[float, float] | None = None  # (x, y) of the ink's centre of mass, when measured
    tallest_part: int | None = None  # of fragments joined, the tallest one's height; None: one component

    def centre_or_box(self) -> tuple[float, float]:
        if self.centre is not None:
            return self.centre
        return (self.box.x + self.box.w / 2, self.box.y + self.box.h / 2)

    def tallest(self) -> int:
        """The height of its tallest component: its box's, for one."""
        return self.box.h if self.tallest_part is None else self.tallest_part


@dataclass(frozen=True)
class Found:
    """A digit located in the processed image: its box, its own ink, its ink's centre."""

    box: Box
    mask: np.ndarray  # (h, w) uint8 0/255, the box's size
    centre: tuple[float, float]


def processing_scale(shape: tuple[int, ...], max_side_px: int) -> float:
    """Factor (<= 1) that brings the frame's longer side down to max_side_px."""
    return min(1.0, max_side_px / max(shape[0], shape[1]))


def roi_box(shape: tuple[int, ...], fraction: float) -> Box:
    """The centred square that --roi classifies, in the frame's pixels."""
    h, w = shape[:2]
    side = max(1, int(min(h, w) * fraction))
    return Box((w - side) // 2, (h - side) // 2, side, side)


# A pen found this wide is closed over with a margin: the paper's estimate must span it.
PEN_MARGIN = 1.6


def widest_pen_px(small: np.ndarray, opts: DetectorOptions, wider_than: float) -> float:
    """The pen width of bold digits, if a quick look finds any wider than `wider_than` px: else 0.

    A global threshold of the grey shrunk by BACKGROUND_SHRINK (`small`) keeps the dark shapes;
    those of a digit's height, clear of the frame's edge and not solid, are digits in a bold pen
    (a marker close up, a crop of just the number), whose strokes a closing sized for a ballpoint
    would take for paper. Widths are in the full-size grey's pixels.
    """
    shrink = preprocess.BACKGROUND_SHRINK
    _, dark = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8,
                                                                ltype=preprocess.label_type(dark))
    sh, sw = dark.shape
    x, y, bw, bh, area = stats[1:].T
    # A digit's ink runs about 2.5 heights long: area over that is its pen, cheaply, before measuring.
    shapes = ((x > 0) & (y > 0) & (x + bw < sw) & (y + bh < sh) & (bh >= max(8, opts.min_digit_height * sh))
              & (bh <= opts.max_digit_height * sh) & (area <= opts.max_fill * bw * bh)
              & (area / (2.5 * np.maximum(bh, 1)) * shrink > wider_than))
    widths = [preprocess.stroke_width_px((labels[y[i]:y[i] + bh[i], x[i]:x[i] + bw[i]] == i + 1).astype(np.uint8) * 255)
              for i in np.flatnonzero(shapes)]
    widest = float(median(widths)) * shrink if widths else 0.0
    return widest if widest > wider_than else 0.0


class Ink(NamedTuple):
    """A frame's ink and the darkness it was thresholded from."""

    mask: np.ndarray  # (H, W) 0/255, white on black
    darkness: np.ndarray  # (H, W) uint8: the paper's light divided out, dark noise out, denoised


def ink_mask(gray: np.ndarray, opts: DetectorOptions, on_sheet: bool = False) -> Ink:
    """(H, W) uint8 grey at processing scale -> its ink (preprocess.flatten_illumination,
    without_dark_noise, denoise, then threshold.binarize). `on_sheet`: the grey is a sheet found and
    rectified (threshold.binarize)."""
    h, w = gray.shape
    # Wider than a ballpoint or a fine marker at this scale, and than a bold pen when one is seen.
    small = preprocess.shrink(gray, 1.0 / preprocess.BACKGROUND_SHRINK)
    stroke_guess = max(3, min(h, w) // 25)
    stroke_guess = max(stroke_guess, int(PEN_MARGIN * widest_pen_px(small, opts, stroke_guess / PEN_MARGIN)))
    background = preprocess.estimate_background(gray, stroke_guess, small)
    ink = preprocess.without_dark_noise(preprocess.flatten_illumination(gray, background), background,
                                        opts.min_contrast)
    ink = preprocess.denoise(ink)
    # Ink wider than half the closing's size is taken for no pen's (the closing is at least 1.6 times the
    # widest pen found: a bold pen's strokes may count, but only wide ink running off the edge is left out).
    return Ink(threshold.binarize(ink, opts.min_contrast, stroke_guess // 2, on_sheet), ink)


def mnist_crop(mask: np.ndarray, opts: DetectorOptions, stroke_px: float | None = None) -> np.ndarray:
    """A digit's own ink (h, w) 0/255 -> the (28, 28) image the model sees.

    Args:
      stroke_px: the pen's width in the mask's pixels when known; measured otherwise.
    """
    return preprocess.fit_to_mnist_box(preprocess.normalize_stroke(mask, opts.stroke_px_at_box, stroke_px))
