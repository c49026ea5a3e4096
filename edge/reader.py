"""Reading the digits of one frame: locate (page, ink, rules, digits), one batched invoke, choose cuts."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import cv2
import numpy as np

from edge import page as pages
from edge import preprocess, rules, segment, spec
from edge.detect import (Box, DetectorOptions, Found, ink_mask, locate_digits, mnist_crop, processing_scale,
                         roi_box)
from edge.runtime import Classifier, top_classes

UNSURE_LABEL = "?"


@dataclass(frozen=True)
class Digit:
    label: str  # "0".."9", or "?" below the confidence threshold
    confidence: float
    box: Box  # in the input frame's pixels


@dataclass(frozen=True)
class Reading:
    text: str
    digits: list[Digit]
    crops: np.ndarray  # (N, 28, 28) uint8: exactly what the model saw
    timing_ms: dict[str, float] = field(default_factory=dict)
    # With read(trace=True): the pictures of each step, by name (BGR or grey uint8).
    trace: dict[str, np.ndarray] = field(default_factory=dict)

    def to_json(self, timing_ms: dict[str, float] | None = None) -> dict:
        """The --json record; the live loop passes its own per-stage timing."""
        return {
            "text": self.text,
            "digits": [{"label": d.label, "confidence": round(d.confidence, 4), "box": list(d.box)}
                       for d in self.digits],
            "timing_ms": {k: round(v, 3) for k, v in (timing_ms or self.timing_ms).items()},
        }


def is_mnist_style(frame: np.ndarray) -> bool:
    """A 28x28 single-channel image is classified as it is."""
    return frame.shape[:2] == (spec.INPUT_HEIGHT_PX, spec.INPUT_WIDTH_PX) and (
        frame.ndim == 2 or frame.shape[2] == 1)


def mnist_polarity(image: np.ndarray) -> np.ndarray:
    """A 28x28 image as white-on-black: a dark digit on a light ground is inverted.

    The border's median tells the ground: MNIST's border is black.
    """
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    return 255 - image if np.median(border) > 127 else image


def labels_for(scores: np.ndarray, min_confidence: float) -> list[tuple[str, float]]:
    """(N, 10) probabilities -> (label, confidence) per row, '?' when unsure."""
    classes, confidences = top_classes(scores)
    return [(spec.LABELS[c] if p >= min_confidence else UNSURE_LABEL, float(p))
            for c, p in zip(classes, confidences)]


@dataclass
class Located:
    """The digits found in a frame, in reading order, and how to map their boxes back to the frame."""

    found: list[Found]
    to_frame: Callable[[Box], Box]
    trace: dict[str, np.ndarray]


def scaled_mapping(scale: float, dx: int, dy: int) -> Callable[[Box], Box]:
    """Boxes of an image shrunk by `scale` from a frame region at (dx, dy) -> the frame's pixels."""
    return lambda box: box.scaled(1.0 / scale, dx, dy)


def homography_mapping(back: np.ndarray, dx: int, dy: int) -> Callable[[Box], Box]:
    """Boxes of a rectified page -> the bounding box of their outline in the frame's pixels."""
    def to_frame(box: Box) -> Box:
        corners = np.float32([[box.x, box.y], [box.x + box.w, box.y], [box.x + box.w, box.y + box.h],
                              [box.x, box.y + box.h]])
        mapped = pages.map_points(corners, back)
        x0, y0 = np.floor(mapped.min(axis=0)).astype(int)
        x1, y1 = np.ceil(mapped.max(axis=0)).astype(int)
        return Box(int(x0) + dx, int(y0) + dy, max(1, int(x1 - x0)), max(1, int(y1 - y0)))
    return to_frame


def _ink_and_rules(gray: np.ndarray, opts: DetectorOptions, inset: int,
                   trace: dict[str, np.ndarray] | None) -> np.ndarray:
    mask = ink_mask(gray, opts)
    if inset:
        # The paper's own edge and the desk beyond it are not ink.
        mask[:inset], mask[-inset:], mask[:, :inset], mask[:, -inset:] = 0, 0, 0, 0
    if opts.remove_rules:
        mask, removed = rules.remove_rules(mask)
        if trace is not None:
            trace["rules"] = cv2.merge([cv2.bitwise_and(mask, 160), mask, cv2.bitwise_or(mask, removed)])
    return mask


def locate(frame: np.ndarray, opts: DetectorOptions, roi: Box | None = None,
           trace: bool = False) -> Located:
    """Finds the digits of a BGR or grey frame: on the sheet when one lies on a desk, else in the frame."""
    steps: dict[str, np.ndarray] | None = {} if trace else None
    dx = dy = 0
    if roi is not None:
        frame = frame[roi.y:roi.y + roi.h, roi.x:roi.x + roi.w]
        dx, dy = roi.x, roi.y
    sheet = pages.find_page(frame) if opts.find_page and frame.ndim == 3 else None
    if sheet is not None:
        view, back = pages.rectify(frame, sheet, opts.page_max_side_px)
        gray = preprocess.to_gray(view)
        mask = _ink_and_rules(gray, opts, pages.inset_px(gray.shape), steps)
        found = locate_digits(mask, opts, opts.page_min_digit_height * gray.shape[0])
        to_frame = homography_mapping(back, dx, dy)
        if steps is not None:
            outline = frame.copy()
            cv2.polylines(outline, [sheet.corners.astype(np.int32)], True, (255, 0, 255),
                          max(2, max(frame.shape[:2]) // 300))
            steps["page"], steps["rectified"] = outline, view
    else:
        scale = processing_scale(frame.shape, opts.max_side_px)
        small = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else frame
        gray = preprocess.to_gray(small)
        mask = _ink_and_rules(gray, opts, 0, steps)
        found = locate_digits(mask, opts)
        to_frame = scaled_mapping(scale, dx, dy)
    if steps is not None:
        steps["ink"] = mask
    return Located(found, to_frame, steps or {})


@dataclass(frozen=True)
class _Plan:
    """Where each located digit's readings sit in the batch: the whole blob, then each split's pieces."""

    whole: int
    splits: list[list[tuple[int, segment.Piece]]]


def _plan_batch(found: list[Found], opts: DetectorOptions) -> tuple[list[_Plan], np.ndarray]:
    crops: list[np.ndarray] = []
    plans = []
    for f in found:
        whole = len(crops)
        crops.append(mnist_crop(f.mask, opts))
        splits = []
        for pieces in segment.segmentations(f.mask):
            entries = []
            for piece in pieces:
                entries.append((len(crops), piece))
                crops.append(mnist_crop(f.mask[piece.y0:piece.y1, piece.x0:piece.x1], opts))
            splits.append(entries)
        plans.append(_Plan(whole, splits))
    batch = np.stack(crops) if crops else np.zeros((0, spec.INPUT_HEIGHT_PX, spec.INPUT_WIDTH_PX), np.uint8)
    return plans, batch


def _resolve(found: list[Found], plans: list[_Plan], scores: np.ndarray
             ) -> tuple[list[Box], list[int]]:
    """Per located digit, the reading that wins: boxes (processing pixels) and batch rows, in order."""
    confidence = scores.max(axis=1) if len(scores) else np.zeros(0)
    boxes, rows = [], []
    for f, plan in zip(found, plans):
        choice = segment.choose(float(confidence[plan.whole]),
                                [confidence[[i for i, _ in split]] for split in plan.splits],
                                f.box.w / max(f.box.h, 1))
        if choice < 0:
            boxes.append(f.box)
            rows.append(plan.whole)
            continue
        for i, piece in plan.splits[choice]:
            boxes.append(Box(f.box.x + piece.x0, f.box.y + piece.y0, piece.x1 - piece.x0, piece.y1 - piece.y0))
            rows.append(i)
    return boxes, rows


class DigitReader:
    """Frame in, digit string out. Holds the classifier; keeps no per-frame state."""

    def __init__(self, classifier: Classifier, options: DetectorOptions = DetectorOptions(),
                 min_confidence: float = 0.5) -> None:
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min-confidence is a fraction between 0 and 1, got {min_confidence}")
        self.classifier = classifier
        self.options = options
        self.min_confidence = min_confidence

    def read(self, frame: np.ndarray, trace: bool = False) -> Reading:
        """Reads the digits of a BGR or grayscale frame; `trace` keeps a picture of each step."""
        if frame is None or frame.size == 0:
            raise ValueError("empty frame")
        t0 = time.perf_counter()
        steps: dict[str, np.ndarray] = {}
        if is_mnist_style(frame):
            gray = preprocess.to_gray(frame)
            found = [Found(Box(0, 0, spec.INPUT_WIDTH_PX, spec.INPUT_HEIGHT_PX), gray, (14.0, 14.0))]
            plans, batch = [_Plan(0, [])], mnist_polarity(gray)[np.newaxis]
            to_frame = scaled_mapping(1.0, 0, 0)
        else:
            located = locate(frame, self.options, self.roi(frame.shape), trace)
            found, to_frame, steps = located.found, located.to_frame, located.trace
            plans, batch = _plan_batch(found, self.options)
        t1 = time.perf_counter()
        scores = self.classifier.scores(batch)
        t2 = time.perf_counter()
        boxes, rows = _resolve(found, plans, scores)
        digits = [Digit(label, conf, to_frame(box)) for (label, conf), box
                  in zip(labels_for(scores[rows], self.min_confidence), boxes)]
        text = "".join(d.label for d in digits)
        t3 = time.perf_counter()
        timing = {"preprocess": (t1 - t0) * 1e3, "inference": (t2 - t1) * 1e3,
                  "postprocess": (t3 - t2) * 1e3, "total": (t3 - t0) * 1e3}
        crops = batch[rows] if rows else batch[:0]
        return Reading(text, digits, crops, timing, steps)

    def roi(self, frame_shape: tuple[int, ...]) -> Box | None:
        """The --roi box for a frame of this shape, in its pixels; None when reading it all."""
        return roi_box(frame_shape, self.options.roi) if self.options.roi is not None else None
