"""Synthetic camera frames: MNIST-style digits drawn as ink on uneven paper, for tests and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from edge.preprocess import tight_crop


@dataclass(frozen=True)
class PaperStyle:
    """How hostile the frame is: light gradient, a hard shadow, blur and sensor noise."""

    paper_range: tuple[int, int] = (150, 225)  # brightness from the dark to the light corner
    ink_darkness: float = 0.7  # ink reflects (1 - this) of the paper's light
    shadow_strength: float = 0.45  # light lost under the shadow, 0 for none
    blur_px: int = 3
    noise_sigma: float = 4.0


def draw_digits(digits: np.ndarray, size: tuple[int, int] = (480, 640), digit_height_px: int = 52,
                layout: str = "row", style: PaperStyle = PaperStyle(), seed: int = 0) -> np.ndarray:
    """Draws white-on-black (N, 28, 28) digits as dark ink on paper: (H, W, 3) BGR uint8.

    Digits go left to right in one line ("row") or top to bottom ("column"),
    spread evenly, with a little random jitter that keeps the reading order.
    """
    rng = np.random.default_rng(seed)
    h, w = size
    n = len(digits)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    lo, hi = style.paper_range
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h + 1) / 2
    paper = lo + (hi - lo) * ramp
    if style.shadow_strength > 0:
        # A hard-edged shadow over the lower part of the page, slanted.
        edge = h * rng.uniform(0.6, 0.75) + (xx - w / 2) * rng.uniform(-0.15, 0.15)
        paper = np.where(yy > edge, paper * (1 - style.shadow_strength), paper)
    ink = np.zeros((h, w), np.float32)
    scale = digit_height_px / 28
    tile = int(round(28 * scale))
    for k, digit in enumerate(digits):
        big = cv2.resize(digit, (tile, tile), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255
        if layout == "row":
            cx = int((k + 0.5) * w / n + rng.uniform(-0.04, 0.04) * w / n)
            cy = int(h * 0.4 + rng.uniform(-0.03, 0.03) * h)
        elif layout == "column":
            cx = int(w * 0.4 + rng.uniform(-0.03, 0.03) * w)
            cy = int((k + 0.5) * h / n)
        else:
            raise ValueError(f"layout is 'row' or 'column', got {layout!r}")
        x0, y0 = cx - tile // 2, cy - tile // 2
        if x0 < 0 or y0 < 0 or x0 + tile > w or y0 + tile > h:
            raise ValueError(f"{n} digits of {digit_height_px} px do not fit a {w}x{h} frame")
        ink[y0:y0 + tile, x0:x0 + tile] = np.maximum(ink[y0:y0 + tile, x0:x0 + tile], big)
    frame = paper * (1 - style.ink_darkness * ink)
    if style.blur_px > 1:
        frame = cv2.GaussianBlur(frame, (style.blur_px | 1, style.blur_px | 1), 0)
    frame = frame + rng.normal(0, style.noise_sigma, frame.shape)
    gray = np.clip(frame, 0, 255).astype(np.uint8)
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


def write_video(frames: list[np.ndarray], path: str, fps: float = 10.0) -> None:
    """Writes BGR frames as an MJPG .avi, the codec every OpenCV build can read back."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {path}")
    try:
        for frame in frames:
            writer.write(frame)
    finally:
        writer.release()


# --- Scenes for the reader's hard conditions: each returns the frame and the digits it holds. ---

DESKS = ("noise", "wood", "leather")


def ink_box(digit: np.ndarray) -> np.ndarray:
    """The tight crop of a white-on-black (28, 28) digit's ink."""
    crop = tight_crop(digit, 40)
    if crop is None:
        raise ValueError("a digit image without ink")
    return crop


@dataclass(frozen=True)
class Handwriting:
    """Lines of digits written on a sheet: size, spacing, slope and the pen."""

    digit_height_px: int = 40
    gap: float = 0.35  # between digits, in digit heights; negative makes neighbours touch
    line_pitch: float = 2.2  # from one line to the next, in digit heights
    slope_deg: float = 0.0  # the lines run at this angle (digits stay upright)
    ink_bgr: tuple[int, int, int] = (40, 30, 30)
    paper_bgr: tuple[int, int, int] = (225, 228, 230)
    touch_group: int = 1  # digits in groups of this many touch their neighbours (1: none touch)
    touch_gap: float = -0.05  # the gap inside a group, in digit heights


def pick_lines(pool: np.ndarray, labels: np.ndarray, rng: np.random.Generator, counts: list[int]
               ) -> tuple[list[np.ndarray], str]:
    """Lines of `counts` digits drawn from (N, 28, 28) digits and their labels, no digit twice in a line,
    and their true digit string."""
    lines, truth = [], ""
    for n in counts:
        idx = rng.choice(len(pool), n, replace=False)
        lines.append(pool[idx])
        truth += "".join(str(int(d)) for d in labels[idx])
    return lines, truth


def write_lines(lines: list[np.ndarray], size: tuple[int, int], hand: Handwriting = Handwriting(),
                margin: float = 0.08) -> np.ndarray:
    """Ink coverage (H, W) float32 0..1 of lines of (n, 28, 28) white-on-black digits, one list per line."""
    h, w = size
    ink = np.zeros((h, w), np.float32)
    slope = np.tan(np.radians(hand.slope_deg))
    rise = max(0.0, -slope) * (1 - 2 * margin) * w  # lines that climb start that much lower
    for row, digits in enumerate(lines):
        x = margin * w
        baseline = margin * h + rise + (row + 1) * hand.line_pitch * hand.digit_height_px
        for k, digit in enumerate(digits):
            tight = ink_box(digit)
            scale = hand.digit_height_px / max(tight.shape[0], 1)
            big = cv2.resize(tight, (max(1, round(tight.shape[1] * scale)), hand.digit_height_px),
                             interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255
            bh, bw = big.shape
            y0 = int(round(baseline + (x - margin * w) * slope - bh))
            x0 = int(round(x))
            if x0 < 0 or y0 < 0 or x0 + bw > w or y0 + bh > h:
                raise ValueError(f"the lines do not fit a {w}x{h} sheet")
            ink[y0:y0 + bh, x0:x0 + bw] = np.maximum(ink[y0:y0 + bh, x0:x0 + bw], big)
            touching = hand.touch_group > 1 and (k + 1) % hand.touch_group != 0
            x += bw + (hand.touch_gap if touching else hand.gap) * hand.digit_height_px
    return ink


def rule_sheet(size: tuple[int, int], pitch_px: int, squared: bool = False, margin_line: bool = True,
               color_bgr: tuple[int, int, int] = (200, 170, 120), thickness: int = 2,
               offset_px: int = 0) -> np.ndarray:
    """Printed rules as coverage (H, W) float32 0..1: ruled lines, a squared grid, a margin line."""
    h, w = size
    rules = np.zeros((h, w), np.float32)
    for y in range(offset_px % pitch_px, h, pitch_px):
        cv2.line(rules, (0, y), (w - 1, y), 1.0, thickness)
    if squared:
        for x in range(offset_px % pitch_px, w, pitch_px):
            cv2.line(rules, (x, 0), (x, h - 1), 1.0, thickness)
    if margin_line:
        cv2.line(rules, (int(0.05 * w), 0), (int(0.05 * w), h - 1), 1.0, thickness)
    return rules


def paint(size: tuple[int, int], layers: list[tuple[np.ndarray, tuple[int, int, int]]],
          paper_bgr: tuple[int, int, int]) -> np.ndarray:
    """Paper with coloured layers of coverage painted over it in order: (H, W, 3) float32."""
    sheet = np.empty((*size, 3), np.float32)
    sheet[:] = paper_bgr
    for coverage, color in layers:
        a = coverage[:, :, None]
        sheet = sheet * (1 - a) + np.float32(color) * a
    return sheet


def finish(image: np.ndarray, rng: np.random.Generator, light: float = 0.25, blur_px: int = 3,
           noise_sigma: float = 4.0) -> np.ndarray:
    """Camera effects on a float (H, W, 3) scene: a light gradient, blur, sensor noise -> BGR uint8."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = 1 - light * (np.cos(angle) * xx / w + np.sin(angle) * yy / h + 1) / 2
    image = image * ramp[:, :, None]
    if blur_px > 1:
        image = cv2.GaussianBlur(image, (blur_px | 1, blur_px | 1), 0)
    image = image + rng.normal(0, noise_sigma, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def desk_texture(size: tuple[int, int], kind: str, rng: np.random.Generator) -> np.ndarray:
    """A desk surface (H, W, 3) float32: grey noise, wood-like stripes, or dark leather grain."""
    h, w = size
    grain = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 2)
    if kind == "noise":
        return np.clip(110 + 40 * grain[:, :, None] * np.ones(3, np.float32), 0, 255)
    if kind == "wood":
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        waves = np.sin(xx / w * 40 + 3 * np.sin(yy / h * 6) + 2 * grain)
        tone = 0.8 + 0.2 * waves
        return np.stack([60 * tone, 120 * tone, 190 * tone], axis=2).astype(np.float32)
    if kind == "leather":
        speck = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 0.7)
        tone = 35 + 10 * grain + 8 * speck
        return np.repeat(tone[:, :, None], 3, axis=2).astype(np.float32)
    raise ValueError(f"desk is one of {DESKS}, got {kind!r}")


def place_on_desk(sheet: np.ndarray, frame_size: tuple[int, int], desk: str, coverage: float,
                  rotation_deg: float, perspective: float, rng: np.random.Generator) -> np.ndarray:
    """A float sheet (h, w, 3) lying on a desk in a (H, W) frame, rotated and seen at an angle."""
    fh, fw = frame_size
    sh, sw = sheet.shape[:2]
    scale = np.sqrt(coverage * fh * fw / (sh * sw))
    half = np.float32([[-sw, -sh], [sw, -sh], [sw, sh], [-sw, sh]]) * scale / 2
    theta = np.radians(rotation_deg)
    rot = np.float32([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    corners = half @ rot.T
    # Perspective: the far edge (top) looks narrower than the near one.
    corners[:2, 0] *= 1 - perspective
    corners += np.float32([fw / 2, fh / 2]) + rng.uniform(-0.03, 0.03, 2).astype(np.float32) * [fw, fh]
    src = np.float32([[0, 0], [sw - 1, 0], [sw - 1, sh - 1], [0, sh - 1]])
    matrix = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    warped = cv2.warpPerspective(sheet, matrix, (fw, fh), flags=cv2.INTER_AREA)
    inside = cv2.warpPerspective(np.ones((sh, sw), np.float32), matrix, (fw, fh), flags=cv2.INTER_LINEAR)
    scene = desk_texture(frame_size, desk, rng)
    return scene * (1 - inside[:, :, None]) + warped * inside[:, :, None]


def turned_coordinates(shape: tuple[int, int], centre: tuple[float, float], angle: float
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel of an (H, W) image as (along, across): its coordinates from `centre` (x, y) along the
    direction `angle` (radians from the x axis, toward y) and across it, (H, W) each."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dx, dy = xx - centre[0], yy - centre[1]
    c, s = np.cos(angle), np.sin(angle)
    return c * dx + s * dy, -s * dx + c * dy


def cast_shadow(scene: np.ndarray, rng: np.random.Generator, strength: tuple[float, float] = (0.3, 0.55)
                ) -> np.ndarray:
    """A hard shadow (the phone's, the hand's) over one side of a float (H, W, 3) scene, desk and sheet
    alike: a half-plane through the middle third of the frame at any angle, its edge a few pixels soft."""
    h, w = scene.shape[:2]
    cx, cy = rng.uniform(1 / 3, 2 / 3) * w, rng.uniform(1 / 3, 2 / 3) * h
    side = (turned_coordinates((h, w), (cx, cy), rng.uniform(0, 2 * np.pi))[0] > 0).astype(np.float32)
    side = cv2.GaussianBlur(side, (0, 0), 0.004 * max(h, w))
    return scene * (1 - rng.uniform(*strength) * side)[:, :, None]


def vignette(image: np.ndarray, loss: float) -> np.ndarray:
    """A lens's fall-off of light toward the frame's corners: (H, W, 3) or (H, W) -> float32, `loss` of
    the light gone at the corners, none at the centre, growing with the square of the distance."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    falloff = 1 - loss * (((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2) / 2
    return image.astype(np.float32) * (falloff[:, :, None] if image.ndim == 3 else falloff)


def pool_of_light(image: np.ndarray, rng: np.random.Generator, loss: float) -> np.ndarray:
    """Uneven light over paper: one corner's part of the frame lit (a lamp, a window), the rest `loss`
    of the light darker, the edge between soft over a tenth to a fifth of the frame. (H, W, 3) -> float32."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    soft = rng.uniform(0.1, 0.2)
    across = np.clip((xx / w - rng.uniform(0.25, 0.55)) / soft + 0.5, 0, 1)
    down = np.clip((rng.uniform(0.4, 0.7) - yy / h) / soft + 0.5, 0, 1)
    lit = across[:, ::-1] if rng.random() < 0.5 else across
    lit = lit * (down[::-1] if rng.random() < 0.5 else down)
    return image.astype(np.float32) * (1 - loss * (1 - lit))[:, :, None]
