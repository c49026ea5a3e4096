"""Drawing what was read onto the frame, and the debug pictures of what the model saw."""

from __future__ import annotations

import cv2
import numpy as np

from edge.detect import Box

SURE_BGR = (40, 200, 40)
UNSURE_BGR = (0, 140, 255)
ROI_BGR = (255, 160, 0)


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
    for d in reading.digits:
        x, y, bw, bh = d.box
        color = UNSURE_BGR if d.label == "?" else SURE_BGR
        cv2.rectangle(out, (x, y), (x + bw, y + bh), color, label_thickness)
        text = f"{d.label} {d.confidence:.0%}" if label_font >= 0.5 else d.label  # room for it
        cv2.putText(out, text, (x, max(12, y - 4)),
                    cv2.FONT_HERSHEY_SIMPLEX, label_font, color, label_thickness, cv2.LINE_AA)
    banner = reading.text or "(no digits)"
    if fps is not None:
        banner += f"   {fps:.0f} FPS"
    cv2.putText(out, banner, (8, h - 10), cv2.FONT_HERSHEY_SIMPLEX, font * 1.4, (0, 0, 0),
                thickness + 3, cv2.LINE_AA)
    cv2.putText(out, banner, (8, h - 10), cv2.FONT_HERSHEY_SIMPLEX, font * 1.4, (255, 255, 255),
                thickness, cv2.LINE_AA)
    return out


def crop_strip(crops: np.ndarray, labels: list[str], zoom: int = 4) -> np.ndarray:
    """(N, 28, 28) crops side by side, enlarged, each captioned with its label: BGR."""
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
    return np.hstack(tiles)


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
