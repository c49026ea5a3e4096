"""Reading the digits of one frame: preprocess, one batched invoke, postprocess."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from edge import preprocess, spec
from edge.detect import Box, DetectorOptions, find_digits, processing_scale, roi_box
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


class DigitReader:
    """Frame in, digit string out. Holds the classifier; keeps no per-frame state."""

    def __init__(self, classifier: Classifier, options: DetectorOptions = DetectorOptions(),
                 min_confidence: float = 0.5) -> None:
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min-confidence is a fraction between 0 and 1, got {min_confidence}")
        self.classifier = classifier
        self.options = options
        self.min_confidence = min_confidence

    def read(self, frame: np.ndarray) -> Reading:
        """Reads the digits of a BGR or grayscale frame."""
        if frame is None or frame.size == 0:
            raise ValueError("empty frame")
        t0 = time.perf_counter()
        gray = preprocess.to_gray(frame)
        if is_mnist_style(gray):
            boxes = [Box(0, 0, spec.INPUT_WIDTH_PX, spec.INPUT_HEIGHT_PX)]
            crops = mnist_polarity(gray)[np.newaxis]
        else:
            boxes, crops = self._find(gray)
        t1 = time.perf_counter()
        scores = self.classifier.scores(crops)
        t2 = time.perf_counter()
        digits = [Digit(label, conf, box) for (label, conf), box
                  in zip(labels_for(scores, self.min_confidence), boxes)]
        text = "".join(d.label for d in digits)
        t3 = time.perf_counter()
        timing = {"preprocess": (t1 - t0) * 1e3, "inference": (t2 - t1) * 1e3,
                  "postprocess": (t3 - t2) * 1e3, "total": (t3 - t0) * 1e3}
        return Reading(text, digits, crops, timing)

    def roi(self, frame_shape: tuple[int, ...]) -> Box | None:
        """The --roi box for a frame of this shape, in its pixels; None when reading it all."""
        return roi_box(frame_shape, self.options.roi) if self.options.roi is not None else None

    def _find(self, gray: np.ndarray) -> tuple[list[Box], np.ndarray]:
        dx = dy = 0
        roi = self.roi(gray.shape)
        if roi is not None:
            gray = gray[roi.y:roi.y + roi.h, roi.x:roi.x + roi.w]
            dx, dy = roi.x, roi.y
        scale = processing_scale(gray.shape, self.options.max_side_px)
        if scale < 1.0:
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        boxes, crops = find_digits(gray, self.options)
        return [b.scaled(1.0 / scale, dx, dy) for b in boxes], crops
