"""Reading the digits of one frame: a pass over it (edge.frame_pass: locate, crops, batched invokes, cuts,
second opinions, the mirrored check); where it reads unsure as read whole, a note on a dark pad read
instead; where many blobs read unsure, their crops turned, and the frame read turned where a turn reads
surer (edge.orientation); and where it may hold light writing on a dark ground, read inverted
(edge.polarity)."""

from __future__ import annotations

import time

import cv2
import numpy as np

from edge import cutout, orientation, polarity, spec
from edge.detect import Box, DetectorOptions, roi_box
from edge.frame_pass import Digit, FramePass, Reading, is_mnist_style, read_once
from edge.runtime import Classifier

# A frame read whole, with paper along its edge, whose reading holds a digit below this confidence (or
# none) is looked at again for a note on a dark pad (page.note_on_a_pad). Over the mouse pad frames of
# seeds 7, 101, 3 and 55 where such a note is found, the frame read whole read nothing (10 frames), the
# desk's grain (2: 27 and 20 digits, 11 and 10 of them above this) or the note (1: 8 digits, all above).
# The note's reading is kept only where the frame read whole reads no writing beyond it (_writing: a
# digit above this, and half of those beyond at least): a review put dark things on sheets whose lighter
# part showed more sure digits than the sheet held, and a rule by count (the note's sure digits against
# those beyond it) dropped the sheet's writing in 43 of 1,168 such frames.
SURE_CONFIDENCE = 0.9


# A frame that looks cut down to its writing (cutout.look) is read as it stands too, and that reading kept
# where it is a page's writing: PAGE_WRITING sure digits or more, their median height under SMALL_WRITING of
# the frame's. A cut-out's writing is cutout.MIN_TALL of its height or more, and read as it stands its
# pieces read 4 sure digits at most (cropped, 30 frames each of seeds 101, 7 and 3: the 86 that look cut
# out). A sheet in shade on a desk whose bright stripes are wavy (shadow, seed 3, frame 9) and a squared
# page sampled by the look (askew, seed 3, frame 23) looked cut out, and read in a margin nothing and 4 of
# 24 digits; as they stand, 20 and 22 sure digits 0.03 and 0.08 of the frame tall (21 of 21, 23 of 24).
PAGE_WRITING = 6
SMALL_WRITING = 0.25


def _page_writing(digits: list[Digit], height: int) -> bool:
    """Whether digits read in a frame `height` px tall are a page's writing, not pieces of a cut-out's."""
    sure = [d.box.h for d in digits if d.confidence >= SURE_CONFIDENCE]
    return len(sure) >= PAGE_WRITING and float(np.median(sure)) < SMALL_WRITING * height


def _sure(digits: list[Digit]) -> int:
    """How many of the digits the model is sure of (SURE_CONFIDENCE)."""
    return sum(d.confidence >= SURE_CONFIDENCE for d in digits)


def _confidences(digits: list[Digit]) -> np.ndarray:
    return np.array([d.confidence for d in digits], np.float32)


def _writing(digits: list[Digit]) -> bool:
    """Whether digits read are someone's writing, not a desk's grain: some of them, and at least half,
    are sure (SURE_CONFIDENCE). Grain read as digits is mostly unsure: a grey desk around a mouse pad
    read 3 sure of 20 and 1 of 13 beyond the note (mousepad, seed 3 frame 3, seed 55 frame 13)."""
    sure = _sure(digits)
    return sure > 0 and 2 * sure >= len(digits)


def _charged(reading: Reading, passes: list[dict[str, float]], stage: str | None = None, ms: float = 0.0,
             inference_ms: float = 0.0) -> Reading:
    """`reading`, its timing made what reading the frame cost: the stages' times of every pass over it
    added up, and `ms` of preprocess (as preprocess.<stage>) and `inference_ms` of inference spent
    between the passes."""
    timing = {key: sum(t.get(key, 0.0) for t in passes) for key in set().union(*passes)}
    timing["preprocess"] += ms
    timing["inference"] += inference_ms
    timing["total"] += ms + inference_ms
    if stage is not None:
        timing[f"preprocess.{stage}"] = ms
    reading.timing_ms.clear()
    reading.timing_ms.update(timing)
    return reading


def _beyond(digits: list[Digit], corners: np.ndarray) -> list[Digit]:
    """The digits whose box's centre lies outside a (4, 2) outline, both in the frame's pixels."""
    contour = corners.reshape(-1, 1, 2).astype(np.float32)
    return [d for d in digits
            if cv2.pointPolygonTest(contour, (d.box.x + d.box.w / 2, d.box.y + d.box.h / 2), False) < 0]


def _within(box: Box, pad: int, scale: float, w: int, h: int) -> Box:
    """A box read in the w x h frame shrunk by `scale` and put in a margin `pad` px wide
    (cutout.with_margin), in the frame's own pixels, cut to it."""
    x0 = min(max(round((box.x - pad) / scale), 0), w - 1)
    y0 = min(max(round((box.y - pad) / scale), 0), h - 1)
    x1 = max(min(round((box.x + box.w - pad) / scale), w), x0 + 1)
    y1 = max(min(round((box.y + box.h - pad) / scale), h), y0 + 1)
    return Box(x0, y0, x1 - x0, y1 - y0)


# A frame narrower than this is read as holding no digit: none drawn in fewer pixels is legible (MNIST's
# are 20 px tall), and OpenCV takes an array of 4 px or fewer for a scalar (it failed inside on a 1x4 frame).
MIN_FRAME_SIDE_PX = 8


def _check_frame(frame: np.ndarray) -> None:
    """ValueError, in words, for what is no frame: not a numpy array, not 8-bit, not grey, BGR or BGRA."""
    if not isinstance(frame, np.ndarray):
        raise ValueError(f"a frame is a numpy array, got {type(frame).__name__}")
    if frame.dtype != np.uint8:
        raise ValueError(f"expected 8-bit pixels (uint8), got {frame.dtype}")
    if frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] not in (1, 3, 4)):
        raise ValueError(f"expected an (H, W) grey, (H, W, 3) BGR or (H, W, 4) BGRA frame, "
                         f"got shape {frame.shape}")


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
        """Reads the digits of a BGR or grayscale frame; `trace` keeps a picture of each step.

        Raises:
          ValueError: an empty frame, not an (H, W[, 1, 3 or 4]) uint8 array, or one OpenCV fails on
            (that frame's error: a service keeps reading the next).
        """
        if frame is None or (isinstance(frame, np.ndarray) and frame.size == 0):
            raise ValueError("empty frame")
        _check_frame(frame)
        if min(frame.shape[:2]) < MIN_FRAME_SIDE_PX:
            return Reading("", [], np.zeros((0, spec.INPUT_HEIGHT_PX, spec.INPUT_WIDTH_PX), np.uint8),
                           dict.fromkeys(("preprocess", "inference", "postprocess", "total"), 0.0), {},
                           np.zeros((0, spec.NUM_CLASSES), np.float32))
        try:
            return self._read_cutout(frame, trace)
        except cv2.error as exc:
            raise ValueError(f"OpenCV failed on this {frame.shape[1]}x{frame.shape[0]} frame "
                             f"({exc.err})") from None

    def _read_cutout(self, frame: np.ndarray, trace: bool) -> Reading:
        """Reads the frame (_read_either_way); where it is its writing cut out (cutout.look; light writing
        where stage 10's look agrees, polarity.light_on_dark) and as it stands reads no page's writing
        (_page_writing), in a margin of its own paper (cutout.with_margin; light writing inverted
        first): cut out, the frame as it stands breaks the reader's frame-relative sizes and its pieces
        of digits read sure (a crop of "8" as "061", of a bold "9" as "111" where the 9 in its margin
        read at 0.76). Boxes are in the frame's pixels either way (those read in the margin are cut to
        the frame). Not with --roi (its box is read, not the frame)."""
        if self.options.roi is not None or is_mnist_style(frame):
            return self._read_either_way(frame, trace)
        t0 = time.perf_counter()
        shade = cutout.look(frame)
        if shade == "light" and not polarity.light_on_dark(frame):
            shade = None
        if shade is None:  # most frames: one pass, and the look
            looking = (time.perf_counter() - t0) * 1e3
            reading = self._read_either_way(frame, trace)
            return _charged(reading, [reading.timing_ms], "cutout", looking)
        looking = (time.perf_counter() - t0) * 1e3
        stands = self._read_either_way(frame, trace)
        if _page_writing(stands.digits, frame.shape[0]):  # no cut-out: a page's writing
            return _charged(stands, [stands.timing_ms], "cutout", looking)
        # Light writing is read inverted, as stage 10 would read it.
        t1 = time.perf_counter()
        framed, pad, scale = cutout.with_margin(frame if shade == "dark" else cv2.bitwise_not(frame))
        looking += (time.perf_counter() - t1) * 1e3  # the look and the margin
        inside = self._read_either_way(framed, trace)
        h, w = frame.shape[:2]
        digits = [Digit(d.label, d.confidence, _within(d.box, pad, scale, w, h)) for d in inside.digits]
        chosen = Reading(inside.text, digits, inside.crops, {}, inside.trace, inside.scores)
        return _charged(chosen, [inside.timing_ms, stands.timing_ms], "cutout", looking)

    def _read_either_way(self, frame: np.ndarray, trace: bool) -> Reading:
        """Reads the frame (_read_turned); unless it reads as writing on a sheet found in it, where it (its
        --roi box) may hold light writing on a dark ground (polarity.light_on_dark), it is read inverted
        too, and that reading kept where it wins (polarity.inverted_wins). Boxes are the same either
        way; the debug pictures are the inverted frame's when its reading is kept."""
        reading, on_paper = self._read_turned(frame, trace)
        if is_mnist_style(frame) or (on_paper and _writing(reading.digits)):
            return reading
        t0 = time.perf_counter()
        roi = self.roi(frame.shape)
        seen = frame if roi is None else frame[roi.y:roi.y + roi.h, roi.x:roi.x + roi.w]
        passes, chosen = [reading.timing_ms], reading
        if polarity.light_on_dark(seen):
            inverted = self._read_turned(cv2.bitwise_not(frame), trace)[0]
            passes.append(inverted.timing_ms)
            if polarity.inverted_wins(_sure(inverted.digits), _sure(reading.digits), _writing(inverted.digits)):
                chosen = inverted
        # The look at the ground and the inversion, beside the passes.
        looking = (time.perf_counter() - t0) * 1e3 - sum(t["total"] for t in passes[1:])
        return _charged(chosen, passes, "polarity", looking)

    def _read_turned(self, frame: np.ndarray, trace: bool) -> tuple[Reading, bool]:
        """Reads the frame (_read); where few of its blobs read sure as they stand, it is read turned a
        quarter or a half turn, and that reading kept, when enough more of them read sure turned
        (edge.orientation): first the blobs' crops turned, in one batch, then the frame turned under each
        turn that wins on them (more than one on a near tie); of the turned readings that win (turn_wins), the one
        of the highest summed confidence. The digits' boxes are given in the frame's own pixels, and the
        debug pictures turned back as the frame stands. Beside the reading: whether a sheet (or a note)
        was found in the frame as it stands."""
        reading, first, on_paper = self._read(frame, trace)
        if not orientation.worth_a_look(first.confidence, SURE_CONFIDENCE):
            return reading, on_paper
        t0 = time.perf_counter()
        rotations = orientation.turns_to_try(first.crops, first.confidence, self.classifier.scores,
                                             SURE_CONFIDENCE, first.words_share)
        crops_batch = (time.perf_counter() - t0) * 1e3
        passes, turning = [reading.timing_ms], 0.0
        chosen, best = reading, -1.0
        for rotation, _ in rotations:
            t1 = time.perf_counter()
            turned = self._read(cv2.rotate(frame, rotation), trace)[0]
            confidence = _confidences(turned.digits)
            wins = orientation.turn_wins(confidence, first.confidence, SURE_CONFIDENCE, len(reading.digits))
            if wins and confidence.sum() > best:
                best = float(confidence.sum())
                digits = [Digit(d.label, d.confidence, orientation.box_back(d.box, rotation, frame.shape))
                          for d in turned.digits]
                steps = {name: orientation.turn_back(image, rotation) for name, image in turned.trace.items()}
                chosen = Reading(turned.text, digits, turned.crops, {}, steps, turned.scores)
            passes.append(turned.timing_ms)
            turning += (time.perf_counter() - t1) * 1e3 - turned.timing_ms["total"]  # turns, boxes, pictures
        # The frame cost every pass, the crops' batch and the turning.
        return _charged(chosen, passes, "turn" if rotations else None, turning, crops_batch), on_paper

    def _read(self, frame: np.ndarray, trace: bool) -> tuple[Reading, FramePass, bool]:
        """Reads the frame, and gives the frame's own pass (FramePass) beside the reading; where it was read
        whole with paper along its edge and the model is unsure of a digit of it (or it read none), a note
        on a dark pad in it is read instead when the note reads a sure digit and the frame read whole reads
        no writing beyond the note (_writing): the frame is then a desk around the pad, not a sheet with a
        dark thing lying on it (a phone, a calculator, a labelled notebook), whose writing reads sure
        beyond it, however many digits the thing shows. Last, whether the reading is of a sheet (or a
        note) found in the frame."""
        first = self._read_once(frame, trace)
        reading, located = first.reading, first.located
        on_a_sheet = located is not None and located.page is not None
        if (located is None or on_a_sheet or not self.options.find_page or frame.ndim != 3
                or min((d.confidence for d in reading.digits), default=0.0) >= SURE_CONFIDENCE):
            return reading, first, on_a_sheet
        pad = self._read_once(frame, trace, on_a_pad=True)
        on_a_pad = pad.reading
        chosen = reading
        if pad.located.page is not None:
            roi = self.roi(frame.shape)
            note = pad.located.page.corners + (np.float32([roi.x, roi.y]) if roi is not None else 0)
            if _sure(on_a_pad.digits) and not _writing(_beyond(reading.digits, note)):
                chosen = on_a_pad
        # The frame cost both passes.
        return _charged(chosen, [reading.timing_ms, on_a_pad.timing_ms]), first, chosen is on_a_pad

    def _read_once(self, frame: np.ndarray, trace: bool, on_a_pad: bool = False) -> FramePass:
        """One pass over the frame with this reader's model and options (frame_pass.read_once)."""
        return read_once(frame, self.classifier, self.options, self.min_confidence,
                         self.roi(frame.shape), trace, on_a_pad)

    def roi(self, frame_shape: tuple[int, ...]) -> Box | None:
        """The --roi box for a frame of this shape, in its pixels; None when reading it all."""
        return roi_box(frame_shape, self.options.roi) if self.options.roi is not None else None
