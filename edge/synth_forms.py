"""A form filled in by hand, as a synthetic frame with known truth: digits in a row of printed boxes, in
a printed comb, in the cells of a printed table, and a number underlined by the writer's pen."""

from __future__ import annotations

import cv2
import numpy as np

from edge import synth
from edge.synth import Handwriting

# The print of a form's boxes: dark grey, a form's blue, a light grey.
PRINT = ((70, 70, 70), (170, 120, 60), (150, 150, 150))


def _digit(digit: np.ndarray, height_px: int) -> np.ndarray:
    """A (28, 28) white-on-black digit as coverage 0..1, its ink `height_px` tall."""
    tight = synth.ink_box(digit)
    scale = height_px / tight.shape[0]
    return cv2.resize(tight, (max(1, round(tight.shape[1] * scale)), height_px),
                      interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255


def _write(ink: np.ndarray, digit: np.ndarray, cx: float, bottom: float) -> tuple[int, int]:
    """Writes a digit centred on cx, its foot on `bottom`; returns its (left, right) columns."""
    h, w = digit.shape
    x0, y0 = int(round(cx - w / 2)), int(round(bottom - h))
    ink[y0:y0 + h, x0:x0 + w] = np.maximum(ink[y0:y0 + h, x0:x0 + w], digit)
    return x0, x0 + w


def boxes(ink: np.ndarray, printed: np.ndarray, digits: list[np.ndarray], x: float, y: float,
          rng: np.random.Generator, comb: bool) -> None:
    """Digits written one to a printed box (comb: boxes sharing their sides, open nowhere), the row's
    top left at (x, y); a digit may touch its box's side."""
    dh = max(d.shape[0] for d in digits)
    bw, bh = int(dh * rng.uniform(1.0, 1.3)), int(dh * rng.uniform(1.3, 1.6))
    gap = 0 if comb else int(dh * rng.uniform(0.1, 0.4))
    for k, digit in enumerate(digits):
        left = int(x) + k * (bw + gap)
        cv2.rectangle(printed, (left, int(y)), (left + bw, int(y) + bh), 1.0, 2)
        jitter = rng.uniform(-0.12, 0.12) * bw
        _write(ink, digit, left + bw / 2 + jitter, y + (bh + digit.shape[0]) / 2 + rng.uniform(-0.1, 0.1) * dh)


def table(ink: np.ndarray, printed: np.ndarray, digits: list[np.ndarray], x: float, y: float,
          rng: np.random.Generator) -> None:
    """Digits written one to a cell of a printed table two rows high, row by row, the table's top left
    at (x, y)."""
    dh = max(d.shape[0] for d in digits)
    columns = (len(digits) + 1) // 2
    cw, ch = int(dh * rng.uniform(1.3, 1.8)), int(dh * rng.uniform(1.35, 1.6))
    x, y = int(x), int(y)
    for r in range(3):
        cv2.line(printed, (x, y + r * ch), (x + columns * cw, y + r * ch), 1.0, 2)
    for c in range(columns + 1):
        cv2.line(printed, (x + c * cw, y), (x + c * cw, y + 2 * ch), 1.0, 2)
    for k, digit in enumerate(digits):
        r, c = divmod(k, columns)
        _write(ink, digit, x + (c + 0.5) * cw + rng.uniform(-0.15, 0.15) * cw,
               y + r * ch + (ch + digit.shape[0]) / 2 + rng.uniform(-0.08, 0.08) * dh)


def underlined(ink: np.ndarray, digits: list[np.ndarray], x: float, y: float, rng: np.random.Generator) -> None:
    """A number written at (x, y) and a line drawn under it in the same pen, a little sloped, from a
    little before its first digit to a little past its last, touching their feet or a little below."""
    dh = max(d.shape[0] for d in digits)
    bottom = y + dh
    first = x
    for digit in digits:
        _, right = _write(ink, digit, x + digit.shape[1] / 2, bottom + rng.uniform(-0.05, 0.05) * dh)
        x = right + rng.uniform(0.2, 0.4) * dh
    below = bottom + rng.uniform(-0.02, 0.15) * dh
    start, end = first - rng.uniform(0.0, 0.3) * dh, x + rng.uniform(-0.1, 0.3) * dh
    rise = rng.uniform(-0.06, 0.06) * dh
    cv2.line(ink, (int(start), int(below)), (int(end), int(below + rise)), 1.0, max(2, dh // 16))


def form(pool, labels, rng) -> tuple[np.ndarray, str]:
    """A float scene: a form, three of a row of boxes, a comb, a table two rows high and an underlined
    number, 4 to 7 digits each, in any order, printed in dark grey, blue or light grey."""
    hand = Handwriting(digit_height_px=40)
    size = (720, 640)
    ink = np.zeros(size, np.float32)
    printed = np.zeros(size, np.float32)
    truth = ""
    for row, kind in enumerate(rng.permutation(["boxes", "comb", "table", "underlined"])[:3]):
        idx = rng.choice(len(pool), int(rng.integers(4, 8)), replace=False)
        truth += "".join(str(int(d)) for d in labels[idx])
        digits = [_digit(pool[i], int(hand.digit_height_px * rng.uniform(0.85, 1.0))) for i in idx]
        x, y = rng.uniform(0.06, 0.12) * size[1], (0.12 + 0.28 * row) * size[0]
        if kind == "underlined":
            underlined(ink, digits, x, y, rng)
        elif kind == "table":
            table(ink, printed, digits, x, y, rng)
        else:
            boxes(ink, printed, digits, x, y, rng, comb=kind == "comb")
    sheet = synth.paint(size, [(printed, PRINT[int(rng.integers(len(PRINT)))]), (ink, hand.ink_bgr)],
                        hand.paper_bgr)
    return sheet, truth


def forms(pool, labels, rng) -> tuple[np.ndarray, str]:
    """A form (form) filling the frame."""
    sheet, truth = form(pool, labels, rng)
    return synth.finish(sheet, rng), truth
