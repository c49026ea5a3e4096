"""Drawing what was read onto the frame, and the debug pictures of what the model saw."""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from edge.detect import Box

if TYPE_CHECKING:  # edge.frame_pass draws with this module
    from edge.frame_pass import Digit

SURE_BGR = (40, 200, 40)
UNSURE_BGR = (0, 140, 255)
ROI_BGR = (255, 160, 0)
MIN_LINE_CHARS = 8  # the text at a frame's foot is wrapped only where a line holds this many


def annotate(frame: np.ndarray, reading, fps: float | None = None, roi: Box | None = None) -> np.ndarray:
    """A BGR copy of the frame with boxes, labels, confidences, the text and FPS drawn on."""
    out = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR) if frame.ndim == 2 else frame.copy()
    h, w = out.shape[:2]
    thickness = max(1, round(max(h, w) / 500))
    font = max(0.4, max(h, w) / 1400)
    # Labels no taller than the digits they name, or small digits drown in their labels.
    heights = [d.box.h for d in reading.digits]
    label_font = min(font, max(0.3, float(np.median(heights)) / 40)) if heights else font
    label_thickness = max(1, min(thickness, round(label_font * 2)))
    if roi is not None:
        cv2.rectangle(out, (roi.x, roi.y), (roi.x + roi.w, roi.y + roi.h), ROI_BGR, thickness)
    for d, text in zip(reading.digits, label_texts(reading.digits, label_font, label_thickness)):
        x, y, bw, bh = d.box
        color = UNSURE_BGR if d.label == "?" else SURE_BGR
        cv2.rectangle(out, (x, y), (x + bw, y + bh), color, label_thickness)
        cv2.putText(out, text, _label_at(d.box), cv2.FONT_HERSHEY_SIMPLEX, label_font, color, label_thickness,
                    cv2.LINE_AA)
    banner = reading.text or "(no digits)"
    if fps is not None:
        banner += f"   {fps:.0f} FPS"
    lines = banner_lines(banner, w - 16, font * 1.4, thickness + 3)
    (_, char_h), _ = cv2.getTextSize("0", cv2.FONT_HERSHEY_SIMPLEX, font * 1.4, thickness + 3)
    for k, line in enumerate(lines):
        y = h - 10 - (len(lines) - 1 - k) * int(char_h * 1.6)
        for color, width in (((0, 0, 0), thickness + 3), ((255, 255, 255), thickness)):  # white edged black
            cv2.putText(out, line, (8, y), cv2.FONT_HERSHEY_SIMPLEX, font * 1.4, color, width, cv2.LINE_AA)
    return out


def _label_at(box: Box) -> tuple[int, int]:
    return box.x, max(12, box.y - 4)


def label_texts(digits: list[Digit], scale: float, thickness: int) -> list[str]:
    """Each digit's label: with its confidence where that overlaps no other label (on a page of digits
    written close together, labels over their neighbours' made them all unreadable), and never below
    a font scale of 0.5 (too small to read)."""
    boxes = [_text_box(d.label, _label_at(d.box), scale, thickness) for d in digits]
    texts = [d.label for d in digits]
    if scale < 0.5:
        return texts
    for k, d in enumerate(digits):
        full = f"{d.label} {d.confidence:.0%}"
        box = _text_box(full, _label_at(d.box), scale, thickness)
        if not _overlaps(box, boxes[:k] + boxes[k + 1:]):
            texts[k], boxes[k] = full, box
    return texts


def banner_lines(text: str, width_px: int, scale: float, thickness: int) -> list[str]:
    """The text cut into as many lines as it needs to fit `width_px` (a page reads a hundred digits
    and more), each at most that wide in OpenCV's plain font at `scale`."""
    char_w = max((cv2.getTextSize(ch, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)[0][0] for ch in set(text)),
                 default=1)
    per_line = width_px // max(char_w, 1)
    if per_line < MIN_LINE_CHARS:  # a frame too narrow to wrap in (a 28x28 tile): one line, cut by its edge
        return [text]
    return [text[k:k + per_line] for k in range(0, len(text), per_line)] or [""]


def _text_box(text: str, at: tuple[int, int], scale: float, thickness: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of `text` put at `at` (its baseline's left end)."""
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    return at[0], at[1] - th, at[0] + tw, at[1] + base


def _overlaps(box: tuple[int, int, int, int], others: list[tuple[int, int, int, int]]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < ox1 and ox0 < x1 and y0 < oy1 and oy0 < y1 for ox0, oy0, ox1, oy1 in others)


def crop_strip(crops: np.ndarray, labels: list[str], zoom: int = 4, per_row: int = 20) -> np.ndarray:
    """(N, 28, 28) crops side by side, enlarged, each captioned with its label, in rows of at most
    `per_row` (a page's hundred crops in one row was a picture too wide to look at): BGR."""
    if len(crops) == 0:
        return np.zeros((28 * zoom, 28 * zoom, 3), np.uint8)
    tiles = []
    for crop, label in zip(crops, labels):
        tile = cv2.resize(crop, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)
        tile = cv2.copyMakeBorder(cv2.cvtColor(tile, cv2.COLOR_GRAY2BGR), 0, 22, 1, 1,
                                  cv2.BORDER_CONSTANT, value=(60, 60, 60))
        cv2.putText(tile, label, (tile.shape[1] // 2 - 6, tile.shape[0] - 5),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1, cv2.LINE_AA)
        tiles.append(tile)
    rows = [tiles[k:k + per_row] for k in range(0, len(tiles), per_row)]
    width = len(rows[0])
    blank = np.zeros_like(tiles[0])
    return np.vstack([np.hstack(row + [blank] * (width - len(row))) for row in rows])


CUT_MADE_BGR = (0, 0, 255)
CUT_TRIED_BGR = (0, 170, 230)


def draw_cuts(ink: np.ndarray, offered: list[tuple[Box, np.ndarray, list[int]]]) -> np.ndarray:
    """The ink mask, dimmed, with the cuts tried on each blob offered for cutting (amber) and the
    cuts made (red): (H, W) 0/255 and, per blob, (its box, (k, h) cut paths, indices of those made)."""
    out = cv2.cvtColor(cv2.bitwise_and(ink, 150), cv2.COLOR_GRAY2BGR)
    for box, paths, made in offered:
        rows = np.arange(box.y, box.y + paths.shape[1])
        for k, path in enumerate(paths):
            columns = np.clip(box.x + path, 0, out.shape[1] - 1)
            out[rows, columns] = CUT_MADE_BGR if k in made else CUT_TRIED_BGR
    return out
