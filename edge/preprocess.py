"""Frame preprocessing as small pure functions: each takes an array and returns an array."""

from __future__ import annotations

import cv2
import numpy as np

from edge import spec

# The background is estimated on a frame shrunk by this factor: paper light
# varies slowly, and the morphology is 16x cheaper.
BACKGROUND_SHRINK = 4


def halve(image: np.ndarray) -> np.ndarray:
    """2x2 area averages: OpenCV's area resampling is fast for a factor of exactly 2 and slow
    otherwise (a 12-MP photo: 5.9 ms to halve, 84 ms to scale by 0.53, Intel Xeon, one thread)."""
    h, w = image.shape[:2]
    if min(h, w) < 2:  # a side of one pixel stays one pixel (a 1x500 strip would become empty)
        return cv2.resize(image, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
    # An odd side would make the factor not exactly 2, and OpenCV falls off its fast path.
    return cv2.resize(image[:h - h % 2, :w - w % 2], (w // 2, h // 2), interpolation=cv2.INTER_AREA)


class Pyramid:
    """A frame and its halvings, made once and shared by the stages that look at it smaller."""

    def __init__(self, image: np.ndarray) -> None:
        self.levels = [image]

    def level(self, k: int) -> np.ndarray:
        while len(self.levels) <= k:
            self.levels.append(halve(self.levels[-1]))
        return self.levels[k]

    def below(self, max_side_px: int) -> np.ndarray:
        """The first level whose longer side is under twice max_side_px."""
        k = 0
        while max(self.level(k).shape[:2]) >= 2 * max_side_px:
            k += 1
        return self.level(k)

    def at_most(self, scale: float) -> tuple[np.ndarray, float]:
        """The largest level no bigger than `scale` of the frame, and its scale."""
        k = max(0, int(np.ceil(np.log2(1.0 / scale) - 1e-9))) if scale < 1 else 0
        image = self.level(k)
        return image, image.shape[1] / self.levels[0].shape[1]


def shrink(image: np.ndarray, scale: float, pyramid: Pyramid | None = None) -> np.ndarray:
    """Downscales by `scale` (<= 1) with area averaging: fast halvings (`pyramid`'s, when the image's
    halvings are made already), then one area step below 2x."""
    h, w = image.shape[:2]
    out_w, out_h = max(1, round(w * scale)), max(1, round(h * scale))
    image = (pyramid or Pyramid(image)).below(max(out_w, out_h))
    if image.shape[1] != out_w or image.shape[0] != out_h:
        image = cv2.resize(image, (out_w, out_h), interpolation=cv2.INTER_AREA)
    return image


def rescale(image: np.ndarray, scale: float, pyramid: Pyramid | None = None) -> np.ndarray:
    """Shrinks (shrink()) or enlarges (linear, as a page's warp does) by `scale`."""
    if scale <= 1:
        return shrink(image, scale, pyramid) if scale < 1 else image
    h, w = image.shape[:2]
    return cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_LINEAR)


def sampled(image: np.ndarray, step: int) -> np.ndarray:
    """Every step-th pixel of every step-th row (nearest-neighbour, in one OpenCV pass): a cheap look at a
    frame whose strokes are several steps wide."""
    if step <= 1:
        return image
    h, w = image.shape[:2]
    return cv2.resize(image, (max(1, w // step), max(1, h // step)), interpolation=cv2.INTER_NEAREST)


def tight_crop(image: np.ndarray, threshold: int = 0) -> np.ndarray | None:
    """The smallest window of `image` holding every pixel above `threshold`; None when there is none."""
    ys, xs = np.nonzero(image > threshold)
    if ys.size == 0:
        return None
    return image[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def label_type(mask: np.ndarray) -> int:
    """16-bit labels where they suffice (there are no more components than ink pixels): measured
    0.38 ms against 1.17 ms for 32-bit on a whole 640x480 mask, Intel(R) Xeon(R) Processor, one thread."""
    return cv2.CV_16U if cv2.countNonZero(mask) < 65535 else cv2.CV_32S


def to_gray(frame: np.ndarray) -> np.ndarray:
    """(H, W, 3) BGR, (H, W, 4) BGRA or (H, W) -> (H, W) uint8."""
    if frame.ndim == 2:
        gray = frame
    elif frame.ndim == 3 and frame.shape[2] == 3:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    elif frame.ndim == 3 and frame.shape[2] == 4:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    elif frame.ndim == 3 and frame.shape[2] == 1:
        gray = frame[:, :, 0]
    else:
        raise ValueError(f"expected a grayscale or BGR image, got shape {frame.shape}")
    if gray.dtype != np.uint8:
        raise ValueError(f"expected 8-bit pixels, got {gray.dtype}")
    return gray


def estimate_background(gray: np.ndarray, stroke_px: int, small: np.ndarray | None = None) -> np.ndarray:
    """The paper without the ink: (H, W) uint8 -> (H, W) uint8.

    A grey closing wider than any pen stroke fills dark strokes with the
    surrounding paper, and keeps large dark regions (shadows) as they are.

    Args:
      small: the grey shrunk by BACKGROUND_SHRINK, when the caller has made it already.
    """
    h, w = gray.shape
    if small is None:
        small = shrink(gray, 1.0 / BACKGROUND_SHRINK)
    k = max(3, (2 * stroke_px) // BACKGROUND_SHRINK + 1) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    # Upscaling smears a shadow's edge over a few pixels; biasing the estimate
    # towards the darker side keeps the smear from reading as ink, at the cost
    # of a little contrast for ink right on the bright side of the edge.
    closed = cv2.erode(closed, np.ones((3, 3), np.uint8))
    return cv2.resize(closed, (w, h), interpolation=cv2.INTER_LINEAR)


def flatten_illumination(gray: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Ink darkness relative to the local paper: (H, W) uint8 -> (H, W) uint8, white ink on black.

    0 is paper whatever its brightness, 255 is ink with no light at all, so
    a shadow across the page reads as paper, not as a blob.
    """
    # 255 - 255 * gray / (background + 1), saturating, in two uint8 OpenCV
    # passes: measured 0.20 ms against 0.35 ms for the float32 numpy form.
    relative = cv2.divide(gray, cv2.add(background, 1), scale=255.0)
    return cv2.subtract(255, relative)


# In a deep shadow the paper's light is a few grey levels, and so is the sensor's noise, which the
# flattening (a share of the paper's light) then makes as dark as ink (row_03_shadow made darker by
# benchmarks.perturb read two digits in its phone's shadow, at 12 of 255): ink is at least this many
# grey levels darker than its paper, where the contrast floor (min_contrast of the paper's light) is
# fewer. (Taken on the denoised darkness, 5 levels: the dim condition's thin strokes went with the
# noise, 2,131 -> 1,984 of 2,160 over 30 frames of seeds 101, 7 and 3.)
MIN_DARKER = 3


def without_dark_noise(ink: np.ndarray, background: np.ndarray, min_contrast: float) -> np.ndarray:
    """The ink darkness (flatten_illumination's: 255 (d + 1) / (paper + 1) for a pixel d grey levels
    darker than its paper) with what is less than MIN_DARKER levels darker than the paper
    (`background`) taken out, where the paper is dark enough for that to pass the contrast floor
    (under (MIN_DARKER + 1) / min_contrast); the ink itself where no paper is (most frames: 4 us to see
    none, 640x480, AMD EPYC)."""
    dark = (MIN_DARKER + 1) / min_contrast
    if cv2.minMaxLoc(background)[0] >= dark:
        return ink
    paper = np.arange(256, dtype=np.float32)
    floor = np.where(paper < dark, np.minimum(np.ceil(255.0 * (MIN_DARKER + 1) / (paper + 1)), 255), 0)
    noise = cv2.compare(ink, cv2.LUT(background, floor.astype(np.uint8)), cv2.CMP_LT)
    return cv2.bitwise_and(ink, cv2.bitwise_not(noise))


def denoise(ink: np.ndarray) -> np.ndarray:
    """Sensor noise out of the ink image: (H, W) uint8 -> (H, W) uint8.

    A 3x3 Gaussian averages grain down (it would otherwise pass the
    threshold by the thousand pixels on a grainy frame) and, unlike a median,
    keeps a thin pen's one-pixel strokes connected.
    """
    return cv2.GaussianBlur(ink, (3, 3), 0)


def fit_to_mnist_box(digit: np.ndarray) -> np.ndarray:
    """A tight white-on-black crop (h, w) uint8 -> (28, 28) uint8 the MNIST way.

    The longest side is scaled to 20 px keeping the aspect ratio, the result
    padded to 28x28 and shifted so its centre of mass is the image centre.
    """
    h, w = digit.shape
    if h == 0 or w == 0:
        raise ValueError("empty digit crop")
    scale = spec.DIGIT_BOX_PX / max(h, w)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    small = cv2.resize(digit, (new_w, new_h), interpolation=interpolation)
    size = spec.INPUT_HEIGHT_PX
    top, left = (size - new_h) // 2, (size - new_w) // 2
    # Placed where centring its mass would shift it, in one copy: the same pixels as padding, then a
    # shift (the moments of the box are the padded image's, offset by where it sits).
    m = cv2.moments(small, binaryImage=False)
    if m["m00"]:
        top += round((size - 1) / 2.0 - (m["m01"] + top * m["m00"]) / m["m00"])
        left += round((size - 1) / 2.0 - (m["m10"] + left * m["m00"]) / m["m00"])
    out = np.zeros((size, size), np.uint8)
    y0, x0 = max(0, top), max(0, left)
    y1, x1 = min(size, top + new_h), min(size, left + new_w)
    if y1 > y0 and x1 > x0:
        out[y0:y1, x0:x1] = small[y0 - top:y1 - top, x0 - left:x1 - left]
    return out


def narrowed(mask: np.ndarray, aspect: float) -> np.ndarray:
    """A (h, w) 0/255 mask squeezed sideways to at most `aspect` times its height (0/255 still).

    A digit drawn wide, or stretched by a camera at an angle, fills the MNIST box sideways and
    is shaped like no training digit; narrowed to a written digit's proportions it is.
    """
    h, w = mask.shape
    width = max(1, int(round(aspect * h)))
    if width >= w:
        return mask
    small = cv2.resize(mask, (width, h), interpolation=cv2.INTER_AREA)
    narrow = np.where(small > 96, 255, 0).astype(np.uint8)
    # Strokes a pixel or two wide, squeezed by 2.7 or more, fade below the threshold: a mask of them
    # alone would come out blank (which the model reads as a "1"). (A threshold scaled with the
    # squeeze, to keep them, read 3 digits fewer over 30 frames of each condition, seeds 101 and 7.)
    return narrow if narrow.any() else mask


def stroke_width_px(mask: np.ndarray) -> float:
    """Typical pen width of a binary (h, w) mask, from its distance transform.

    The distance of a pixel to the nearest background pixel peaks at
    (s + 1) / 2 on the centre line of a stroke s pixels wide; the 90th
    percentile over ink pixels stands for that peak.
    """
    # A zero border: a crop that is ink to its edges (a cut through a stroke) has
    # no background pixel, and its distances would be unbounded.
    padded = cv2.copyMakeBorder(mask, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    dist = cv2.distanceTransform(padded, cv2.DIST_L2, 5)
    values = dist[padded > 0]
    if values.size == 0:
        return 0.0
    # The 90th percentile by partial sort: np.percentile was a third of a frame's crop time.
    k = min(values.size - 1, int(0.9 * (values.size - 1) + 0.5))
    return float(max(2.0 * np.partition(values, k)[k] - 1.0, 1.0))


def normalize_stroke(mask: np.ndarray, target_px_at_box: float, width: float | None = None) -> np.ndarray:
    """Thickens a thin-pen crop so that, fitted to 20 px, its strokes are MNIST-wide, keeping its loops open.

    Args:
      mask: (h, w) uint8 0/255 tight crop.
      target_px_at_box: stroke width wanted after scaling the longest side to 20 px.
      width: the pen width when already known (a piece of a blob shares the blob's pen).
    """
    h, w = mask.shape
    scale = spec.DIGIT_BOX_PX / max(h, w)
    if width is None:
        width = stroke_width_px(mask)
    missing = target_px_at_box / scale - width  # in crop pixels
    k = int(round(missing))
    if k < 2:
        return mask
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k + 1, k + 1))
    padded = cv2.copyMakeBorder(mask, k, k, k, k, cv2.BORDER_CONSTANT, value=0)
    thick = cv2.dilate(padded, kernel)
    # Loops stay as open as written: the dilation would fill the small loop of a 9, 6 or 8 in a thin pen,
    # which then reads as a 1, a 0 or a blot (desk_06: three tall 9s with small loops read as 1). A flood
    # fill from the border: 6.6 us a thickened crop, against 13 us for labelling the enclosed paper to
    # keep only loops a pen width square or more, which read the same (the desk photos' digits, Intel(R)
    # Xeon(R) Processor, one thread; the perturbed sets one digit more without that size).
    return cv2.bitwise_and(thick, outside(padded))


def outside(padded: np.ndarray) -> np.ndarray:
    """A (h, w) 0/255 mask with a background border -> 255 on its ink and on the paper reaching the
    border, 0 on the paper its ink encloses (its loops)."""
    filled = padded.copy()
    cv2.floodFill(filled, None, (0, 0), 255)
    return filled
