"""One pass over a frame: locate (page, ink, rules, digits), crops, one batched invoke, then a second for
the pieces of blobs that may be touching digits, and the readings that win (edge.readings); a third,
mirrored, for an unsure reading that may be show-through from the back of the sheet. What a pass
reads (Reading, its Digits) is what the reader (edge.reader) gives, whichever of its passes wins."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from edge import blobs, overlay, preprocess, readings, segment, spec
from edge.detect import Box, DetectorOptions, Found, mnist_crop
from edge.locate import Located, locate, scaled_mapping
from edge.runtime import Classifier, top_classes

UNSURE_LABEL = "?"
# Below this the model says "none of the ten": it is trained towards a uniform output on
# letters, touching pairs and smudges (train/outliers.py), so such a blob is dropped, not shown
# as "?". A --min-confidence below this keeps everything it lets through. (0.3 showed an "A" as
# "?" at 0.39; over 60 frames of each synthetic condition and both photo sets, 0.4 dropped 5 such
# spurious readings and no digit that was read right.)
NOT_A_DIGIT_CONFIDENCE = 0.4
# A 28x28 tile whose darkest and lightest pixels are closer than this (of 255) is blank.
MIN_TILE_CONTRAST = 32


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
    scores: np.ndarray | None = None  # (N, 10) float32: the model's probabilities per digit

    def to_json(self, timing_ms: dict[str, float] | None = None) -> dict:
        """The --json record; the live loop passes its own per-stage timing."""
        return {
            "text": self.text,
            "digits": [{"label": d.label, "confidence": round(d.confidence, 4), "box": list(d.box)}
                       for d in self.digits],
            "timing_ms": {k: round(v, 3) for k, v in (timing_ms or self.timing_ms).items()},
        }


@dataclass(frozen=True)
class FramePass:
    """One pass over a frame: its reading, where its blobs were located (None for a 28x28 tile), and the
    blobs' crops and the model's confidence of each as first read (before any split or second opinion), and
    the share of its readings (blobs read whole or cut, edge.readings.resolve) read as printed words
    (readings.words) and dropped."""

    reading: Reading
    located: Located | None
    crops: np.ndarray  # (N, 28, 28)
    confidence: np.ndarray  # (N,)
    words_share: float


def is_mnist_style(frame: np.ndarray) -> bool:
    """A 28x28 image is one digit, MNIST-style, and is classified as it is."""
    return frame.shape[:2] == (spec.INPUT_HEIGHT_PX, spec.INPUT_WIDTH_PX)


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


def read_once(frame: np.ndarray, classifier: Classifier, options: DetectorOptions, min_confidence: float,
              roi: Box | None = None, trace: bool = False, on_a_pad: bool = False) -> FramePass:
    """One pass over the frame (within `roi`, the --roi box, in its pixels; with `on_a_pad`, over a note
    on a dark pad only: locate). Digits under `min_confidence` are shown as '?'; `trace` keeps a picture
    of each step."""
    t0 = time.perf_counter()
    steps: dict[str, np.ndarray] = {}
    stages: dict[str, float] = {}
    one_digit = is_mnist_style(frame)
    if one_digit:
        gray = preprocess.to_gray(frame)
        # A tile of one shade holds no digit (the model would still name one).
        blank = int(gray.max()) - int(gray.min()) < MIN_TILE_CONTRAST
        found = [] if blank else [Found(Box(0, 0, spec.INPUT_WIDTH_PX, spec.INPUT_HEIGHT_PX), gray, (14.0, 14.0))]
        whole = readings.stack([mnist_polarity(gray)] if found else [])
        to_frame = scaled_mapping(1.0, 0, 0)
    else:
        located = locate(frame, options, roi, trace, on_a_pad)
        found, to_frame, steps, stages = located.found, located.to_frame, located.trace, located.stages_ms
        t_crops = time.perf_counter()
        whole = readings.stack([mnist_crop(f.mask, options) for f in found])
        stages["crops"] = (time.perf_counter() - t_crops) * 1e3
    t1 = time.perf_counter()
    whole_scores = classifier.scores(whole)
    t2 = time.perf_counter()
    first_crops, first_confidence = whole.copy(), whole_scores.max(axis=1)  # second opinions replace rows
    # The frame's digit height is its median blob's. A blob in a line of taller digits than the frame's
    # is measured against them (blobs.line_heights): against the frame's, a heading's 0 over lines of
    # smaller digits was over twice as wide as a digit is tall, and cut in two (200 such frames of mine:
    # 578 of its 600 digits right, 27 spurious; 593 and 8 this way). Not one in a line of shorter ones:
    # a word's letters joined, measured against them, were cut and read as digits (a review's 200
    # frames of labels over numbers: 143 spurious digits more).
    of_lines, digit_height = blobs.line_heights([f.box for f in found]) if found else ([], 1.0)
    heights = np.maximum(of_lines, digit_height).tolist()
    aspects = [segment.aspect(f.box.w, f.box.h, line_h) for f, line_h in zip(found, heights)]
    floor = min(NOT_A_DIGIT_CONFIDENCE, min_confidence)
    plans, cut_crops, opinions = ({}, whole[:0], []) if one_digit or not len(found) else \
        readings.second_batch(found, aspects, digit_height, whole_scores, options, located.darkness, floor)
    second = np.concatenate([cut_crops, readings.stack([crop for _, _, crop in opinions])])
    t3 = time.perf_counter()
    second_scores = classifier.scores(second)
    t4 = time.perf_counter()
    cut_scores = second_scores[:len(cut_crops)]
    readings.keep_surer(whole, whole_scores, opinions, second_scores[len(cut_crops):])
    boxes, scores, crops, made = readings.resolve(found, aspects, heights, whole, whole_scores,
                                                  plans, cut_crops, cut_scores, floor)
    if trace and "ink" in steps:
        steps["cuts"] = overlay.draw_cuts(steps["ink"], [
            (found[k].box, plan.candidates.paths[1:-1], [i - 1 for i in made.get(k, [])])
            for k, plan in plans.items()])
    confidences = scores.max(axis=1)
    in_words = readings.words(boxes, confidences, floor)
    kept = np.flatnonzero((confidences >= floor) & ~in_words)
    boxes, scores, crops = [boxes[k] for k in kept], scores[kept], crops[kept]
    t5 = time.perf_counter()
    if readings.may_be_mirrored(scores) and readings.seen_from_behind(
            scores, classifier.scores(readings.mirrored(crops))):
        boxes, scores, crops = [], scores[:0], crops[:0]  # show-through from the back of the sheet
    t6 = time.perf_counter()
    digits = [Digit(label, conf, to_frame(box)) for (label, conf), box
              in zip(labels_for(scores, min_confidence), boxes)]
    text = "".join(d.label for d in digits)
    t7 = time.perf_counter()
    stages["cuts"] = (t3 - t2) * 1e3
    timing = {"preprocess": (t1 - t0 + t3 - t2) * 1e3, "inference": (t2 - t1 + t4 - t3 + t6 - t5) * 1e3,
              "postprocess": (t5 - t4 + t7 - t6) * 1e3, "total": (t7 - t0) * 1e3,
              **{f"preprocess.{k}": v for k, v in stages.items()}}
    return FramePass(Reading(text, digits, crops, timing, steps, scores), None if one_digit else located,
                     first_crops, first_confidence,
                     float(in_words.mean()) if len(in_words) else 0.0)
