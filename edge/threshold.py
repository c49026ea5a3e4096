"""The ink image's threshold: where paper ends and ink begins (0/255 mask, white ink on black)."""

from __future__ import annotations

import cv2
import numpy as np

from edge.preprocess import BACKGROUND_SHRINK, label_type

# Ink regions wider than a pen running off the frame's edge (a strip of desk beyond the sheet's edge,
# narrower than the background's closing, so taken for ink) that make up this share of what Otsu's
# split calls ink or more pull that split up between paper and them, past a thin pen's strokes: it is
# taken again without them.
SOLID_SHARE = 0.3
# On a sheet found and rectified, Otsu's split (and a desk strip, and the paper's noise) is measured
# over its inner part, this share of its width and height in from each side: an outline that takes in
# some desk along a side (leather's sheen, a tiled corner, a desk's rim in perspective) pulls a split
# over all of it up between paper and desk, past a thin or faint pen. Both sets perturbed 12 ways
# (benchmarks.perturb, AMD EPYC): 6,853 -> 6,978 of 7,824 digits right (shake-7 283 -> 401), spurious
# 16 -> 14; the 16 conditions (30 frames, seeds 101 and 7) 18,048 -> 18,051 of 18,351, 19 -> 20
# spurious. A band of 0.04 or 0.12 read the perturbed sets 6,976 and 6,980 with 19 and 15 spurious (a
# patch of mine applying the split alone): a tenth is a round figure between them. Desk taken in
# beyond the band still lifts the split unless it is solid enough to be found as a strip.
INNER_MARGIN = 0.1
NOISY_SHARE = 0.1


def _wide(mask: np.ndarray, solid_px: int) -> tuple[np.ndarray, int]:
    """Where a 0/255 mask's ink is wider than solid_px, on a map sampled every BACKGROUND_SHRINK
    pixels (0/255, that small), and the kernel that found it. (Sampled, not averaged: 0.007 against
    0.087 ms for a 640x480 mask, Intel(R) Xeon(R) Processor, one thread; a thin pen is eroded away
    either way.)"""
    h, w = mask.shape
    small = cv2.resize(mask, (max(1, w // BACKGROUND_SHRINK), max(1, h // BACKGROUND_SHRINK)),
                       interpolation=cv2.INTER_NEAREST)
    k = max(3, (solid_px // BACKGROUND_SHRINK) | 1)
    return cv2.erode(small, np.ones((k, k), np.uint8)), k


def _off_edge(wide: np.ndarray, k: int) -> np.ndarray:
    """The parts of a map of wide ink (_wide) that run off its edge (a desk beyond the sheet; not a
    bold digit, nor a dark thing lying on the paper): eroded by k, they stop within k // 2 of it."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(wide, connectivity=8)
    sh, sw = wide.shape
    x, y, bw, bh = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    off_edge = (x <= k // 2) | (y <= k // 2) | (x + bw >= sw - k // 2) | (y + bh >= sh - k // 2)
    off_edge[0] = False
    return np.where(off_edge[labels], 255, 0).astype(np.uint8)


def _without_solid(ink: np.ndarray, mask: np.ndarray, solid_px: int) -> np.ndarray | None:
    """The pixels of `ink` (flattened) left without its ink wider than solid_px that runs off its edge,
    where that ink is SOLID_SHARE or more of what `mask` (Otsu's split of `ink`) calls ink and what is
    left is SOLID_SHARE of the image or more; else None."""
    wide, k = _wide(mask, solid_px)
    enough = SOLID_SHARE * cv2.countNonZero(mask) / BACKGROUND_SHRINK ** 2
    if cv2.countNonZero(wide) < enough:  # most frames: no more
        return None
    solid = _off_edge(wide, k)
    if cv2.countNonZero(solid) < enough:
        return None
    # Grown back past what the erosion and the sampling took off its edges.
    grown = cv2.dilate(solid, np.ones((k + 4, k + 4), np.uint8))
    solid = cv2.resize(grown, ink.shape[::-1], interpolation=cv2.INTER_NEAREST)
    left = ink[solid == 0]
    return left if left.size >= SOLID_SHARE * ink.size else None


def otsu(pixels: np.ndarray) -> float:
    """Otsu's split of a flat array of uint8 pixels."""
    return cv2.threshold(pixels.reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0]


def inner_part(image: np.ndarray) -> np.ndarray:
    """The image without a band INNER_MARGIN of its height and width along each side (a view)."""
    h, w = image.shape[:2]
    dy, dx = int(INNER_MARGIN * h), int(INNER_MARGIN * w)
    return image[dy:h - dy, dx:w - dx]


def binarize(ink: np.ndarray, min_contrast: float, solid_px: int | None = None, on_sheet: bool = False
             ) -> np.ndarray:
    """White-on-black ink image -> (H, W) uint8 mask of 0/255.

    Otsu picks the split between paper noise and ink; `min_contrast` (a
    fraction of the paper's brightness) keeps an empty page from having its
    noise promoted to ink. With `solid_px`, ink wider than which is taken for
    no pen's: where such ink running off the edge makes up SOLID_SHARE of the
    ink, Otsu's split is taken again without it (and kept when lower), over
    what is left when that is at least SOLID_SHARE of the image: a desk's strip
    beside a sheet filling the frame broke a thin pen's digits into specks
    (none of desk_01 read, cropped to its middle 60 %). `on_sheet`: the image is a sheet found and
    rectified, all paper; the split (and the strip, and the paper's noise below) is measured over its
    inner part (INNER_MARGIN), and where it is below the floor, the ink that joins what passes the
    floor is taken down to that split, no lower than half the floor nor into the paper's noise
    (with_faint_ink); ink that joins none is kept where it is half as dark as the sheet's ink past the
    floor (SEED_SHARE). Not beyond a sheet: on a desk's grain and where the paper's estimate misses a
    dark pad's corner, the specks past the floor grew into blobs of a digit's size (shadow and mousepad,
    30 frames of seeds 101 and 7: 6 spurious, 7 digits lost).
    """
    floor = min_contrast * 255.0
    paper = inner_part(ink) if on_sheet else ink  # what the split and the paper's noise are measured over
    split, mask = cv2.threshold(paper, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if solid_px is not None and split > floor:
        left = _without_solid(paper, mask, solid_px)
        without = split if left is None else otsu(left)
        if without < split:
            split, paper = without, left
    if not on_sheet and cv2.countNonZero(mask) >= NOISY_SHARE * mask.size:
        # A frame read whole whose paper itself sits at half the floor or more (a dim webcam's noise
        # after flattening) is split above that noise where Otsu's split falls in it (and calls
        # NOISY_SHARE of the frame ink or more: most frames are not looked at, 0.006 against 0.022 ms on a
        # 640x480 frame, AMD EPYC, 2 cores, timeit of mine). A probe's 40 dim
        # frames (noise of 10 to 15 grey levels, JPEG quality 30, 640x480; a helper's script, AMD EPYC):
        # 148 of 205 digits with 30 spurious -> 193 with 2. Both photo sets perturbed 15 ways, the 19
        # conditions (30 frames, seeds 101 and 7) and the probe's pencil, whiteboard, glare, marker,
        # pen, crease and printed frames as they were (measured before the NOISY_SHARE check, which only
        # narrows where this applies; with it, the dim frames and the marker read the same). Without the
        # paper's level held at half the floor,
        # a grid was taken for noise (squared paper 1,609 -> 1,255 of 1,620) and a big marker's ink
        # covering a third of the frame lifted the noise's upper quartile (118 -> 108 of 122).
        median, top = paper_noise(paper)
        if median >= FAINT_SHARE * floor and top > max(split, floor):
            return cv2.threshold(ink, top, 255, cv2.THRESH_BINARY)[1]
    if split >= floor:
        # Otsu's own mask is the answer only where it was taken over all of the image at this split.
        return mask if paper is ink else cv2.threshold(ink, split, 255, cv2.THRESH_BINARY)[1]
    _, mask = cv2.threshold(ink, floor, 255, cv2.THRESH_BINARY)
    if not on_sheet or not cv2.countNonZero(mask):
        return mask
    low = max(split, FAINT_SHARE * floor, paper_noise(paper)[1])
    if low >= floor:
        return mask
    strong = paper[paper > floor]
    enough = strong.size >= STRONG_SHARE * paper.size
    seed = max(low, SEED_SHARE * float(np.median(strong))) if enough else floor
    if seed < floor:
        _, mask = cv2.threshold(ink, seed, 255, cv2.THRESH_BINARY)
    return with_faint_ink(mask, ink, low)


# Faint ink is taken down to this share of the contrast floor, where it joins ink that passes it,
# and no lower than the paper's noise reaches: its median level plus this many times the step from
# its median to its upper quartile. (Grain of 12 grey levels on empty paper, a dim webcam's, has its
# median at 12 and its upper quartile at 15: the floor's own specks of noise grew through it into
# blobs of a digit's size, 63 over five 640x480 frames read whole with it; a blurred sheet's paper: 2 and 3.)
FAINT_SHARE = 0.5
NOISE_STEPS = 6
# On a sheet whose split is below the floor, ink this share as dark as the median of the sheet's ink past
# the floor is ink of its own (no lower than the faint ink's level above), where that ink past the floor
# is STRONG_SHARE of the sheet's inner part or more: out of focus, a thin pen's lone strokes (a 1, a 7)
# fade below the floor while the strokes crossing in a 0 or a 5 stay above it (desk_05 defocused by 6 px:
# its 1s peak at 25-29 grey levels, the other digits' ink about 40; all its 1s and 7s were lost). The
# blurred desk sheets have 4,500 to 34,000 pixels past the floor (0.3 % of the sheet and more); a blank
# sheet embossed without ink 10 % darker than the paper, only the embossing's darkest specks, 1 to 19:
# measured against them, the embossing was seeded and read (10 such sheets: 209 digits, 23 without
# seeds). Both sets perturbed 15 ways (benchmarks.perturb, AMD EPYC): 8,892 -> 8,982 of 9,780 digits right
# (defocus-1.5 497 -> 523, defocus-2 334 -> 387, shake-7 396 -> 407, the rest as they were), spurious 2
# either way; the 19 conditions (30 frames, seeds 101 and 7) as they were, 20,151 of 20,495 with 20
# spurious; blank sheets showing writing through from their back (blank_showing_through, 30 frames of
# seeds 5 and 11, as photographed and blurred by 1 and 1.5 px per 1,000) 170 -> 156 digits read, 32, 22,
# 56 and 4, 14, 28 against 32, 49, 61 and 4, 9, 15 (scripts of mine). 0.6 and 0.7 read the three blurs
# 5 and 20 digits fewer.
SEED_SHARE = 0.5
STRONG_SHARE = 0.001


def paper_noise(ink: np.ndarray) -> tuple[float, float]:
    """An ink image's paper level (its median: most pixels are paper) and the level below which its
    noise stays (NOISE_STEPS). Counted over every fourth pixel of every fourth row, or every sixteenth
    of a flat array of pixels (a grain's levels are everywhere alike)."""
    sample = ink[::4, ::4] if ink.ndim == 2 else ink[::16].reshape(1, -1)
    counts = cv2.calcHist([np.ascontiguousarray(sample)], [0], None, [256], [0, 256]).ravel().cumsum()
    median, upper = np.searchsorted(counts, [0.5 * counts[-1], 0.75 * counts[-1]])
    return float(median), float(median + NOISE_STEPS * (upper - median))


def with_faint_ink(mask: np.ndarray, ink: np.ndarray, low: float) -> np.ndarray:
    """A 0/255 mask with the ink above `low` that joins it (8-connected): a hysteresis threshold.
    `low` is under the mask's own threshold (the mask lies within the ink above it).

    Where Otsu's split falls below the contrast floor, the floor cuts through the ink itself: an
    out-of-focus photo's thin strokes keep only their darkest stretches above it, in specks (desk_01
    blurred by 6 px read 36 of its 111 digits). Their fainter stretches join those specks; paper
    noise and a pen's impression without ink, as faint, join no ink that passes the floor.
    """
    _, weak = cv2.threshold(ink, low, 255, cv2.THRESH_BINARY)
    count, labels = cv2.connectedComponents(weak, connectivity=8, ltype=label_type(weak))
    joined = np.zeros(count, np.uint8)
    joined[labels[mask > 0]] = 255
    joined[0] = 0
    return np.take(joined, labels)
