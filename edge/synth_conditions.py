"""The reader's hard conditions as synthetic frames with known truth: one generator per condition."""

from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from edge import synth, synth_camera, synth_forms, synth_marks
from edge.synth import Handwriting

# A red ballpoint is light in grey (0.3 R + 0.59 G + 0.11 B): this one is 140 on 235 paper.
INKS = {"blue": (170, 90, 40), "red": (90, 80, 225), "green": (70, 150, 60), "purple": (160, 60, 130),
        "black": (40, 30, 30)}
PAPERS = {"white": (235, 235, 235), "cream": (200, 235, 245), "yellow": (120, 225, 240), "brown": (110, 150, 185)}


def _on_desk(sheet: np.ndarray, rng: np.random.Generator, min_coverage: float) -> np.ndarray:
    """A float scene: the sheet on a desk (noise, wood or leather), turned by up to 15 degrees and in
    perspective, `min_coverage` to 80 % of a 1280x960 frame."""
    return synth.place_on_desk(sheet, (960, 1280), synth.DESKS[int(rng.integers(3))],
                               coverage=rng.uniform(min_coverage, 0.8), rotation_deg=rng.uniform(-15, 15),
                               perspective=rng.uniform(0.0, 0.2), rng=rng)


def _sheet_on_desk(pool, labels, rng) -> tuple[np.ndarray, str]:
    """A float scene: a sheet on a desk, 10-80 % of the frame (_on_desk), three lines of seven digits
    on it."""
    lines, truth = synth.pick_lines(pool, labels, rng, [7, 7, 7])
    hand = Handwriting(digit_height_px=44)
    size = (1100, 780)
    sheet = synth.paint(size, [(synth.write_lines(lines, size, hand), hand.ink_bgr)], hand.paper_bgr)
    return _on_desk(sheet, rng, 0.1), truth


def desk(pool, labels, rng) -> tuple[np.ndarray, str]:
    """A sheet on a desk (noise, wood or leather), rotated and in perspective, 10-80 % of the frame."""
    scene, truth = _sheet_on_desk(pool, labels, rng)
    return synth.finish(scene, rng), truth


def shadow(pool, labels, rng) -> tuple[np.ndarray, str]:
    """A sheet on a desk with a hard shadow (the phone's or the hand's) across both: the sheet is
    half lit, half shaded, and the shaded paper may be no brighter than the lit desk."""
    scene, truth = _sheet_on_desk(pool, labels, rng)
    return synth.finish(synth.cast_shadow(scene, rng), rng), truth


def note(pool, labels, rng) -> tuple[np.ndarray, str]:
    """A small note of coloured paper on a desk (10-30 % of the frame), turned, two short lines in
    any pen: a yellow note is as dark as a grey desk in its blue channel."""
    hand = Handwriting(digit_height_px=44, ink_bgr=list(INKS.values())[int(rng.integers(len(INKS)))],
                       paper_bgr=list(PAPERS.values())[int(rng.integers(len(PAPERS)))])
    lines, truth = synth.pick_lines(pool, labels, rng, [4, 4])
    size = (300, 300)
    sheet = synth.paint(size, [(synth.write_lines(lines, size, hand, margin=0.1), hand.ink_bgr)], hand.paper_bgr)
    scene = synth.place_on_desk(sheet, (720, 960), synth.DESKS[int(rng.integers(3))],
                                coverage=rng.uniform(0.1, 0.3), rotation_deg=rng.uniform(-20, 20),
                                perspective=rng.uniform(0.0, 0.15), rng=rng)
    return synth.finish(scene, rng), truth


# Mouse pads: black, dark blue, dark grey (BGR).
PADS = ((25, 25, 25), (90, 50, 30), (70, 70, 70))


def mousepad(pool, labels, rng) -> tuple[np.ndarray, str]:
    """A note on a mouse pad on a desk: the pad (35-60 % of the frame) is what stands out from the desk,
    and the note on it (7-11 % of the frame) is what is written on, in any pen and paper."""
    hand = Handwriting(digit_height_px=44, ink_bgr=list(INKS.values())[int(rng.integers(len(INKS)))],
                       paper_bgr=list(PAPERS.values())[int(rng.integers(len(PAPERS)))])
    lines, truth = synth.pick_lines(pool, labels, rng, [4, 4])
    size = (300, 300)
    note = synth.paint(size, [(synth.write_lines(lines, size, hand, margin=0.1), hand.ink_bgr)],
                       hand.paper_bgr)
    pad = np.float32(PADS[int(rng.integers(len(PADS)))]) + rng.normal(0, 4, (600, 800, 3)).astype(np.float32)
    turn = cv2.getRotationMatrix2D((150, 150), rng.uniform(-20, 20), 1.0)
    turn[:, 2] += [rng.uniform(150, 450), rng.uniform(100, 250)]
    inside = cv2.warpAffine(np.ones(size, np.float32), turn, (800, 600))[:, :, None]
    pad = pad * (1 - inside) + cv2.warpAffine(note, turn, (800, 600)) * inside
    scene = synth.place_on_desk(pad, (960, 1280), synth.DESKS[int(rng.integers(3))],
                                coverage=rng.uniform(0.35, 0.6), rotation_deg=rng.uniform(-10, 10),
                                perspective=rng.uniform(0.0, 0.15), rng=rng)
    return synth.finish(scene, rng), truth


def _rule_pitch(hand: Handwriting, squared: bool) -> int:
    """Narrow ruling (each digit sits on a rule and is crossed by one or two more), or a grid finer
    than the digits."""
    return int(hand.line_pitch * hand.digit_height_px / 3) if not squared else int(hand.digit_height_px * 0.6)


def _ruled_sheet(pool, labels, rng, squared: bool) -> tuple[np.ndarray, str]:
    """A float sheet of ruled (or squared) paper with a margin line, three lines of digits on it."""
    hand = Handwriting(digit_height_px=40, line_pitch=2.0)
    lines, truth = synth.pick_lines(pool, labels, rng, [9, 9, 9])
    size = (480, 640)
    margin = 0.08
    rules = synth.rule_sheet(size, _rule_pitch(hand, squared), squared=squared,
                             offset_px=int(margin * size[0]) + 1, color_bgr=(0, 0, 0),
                             thickness=1 if squared else 2)
    ink = synth.write_lines(lines, size, hand, margin)
    # Printed rules as dark as a ballpoint on cheap paper: they pass the ink threshold.
    return synth.paint(size, [(rules * 0.9, (170, 110, 60)), (ink, hand.ink_bgr)], hand.paper_bgr), truth


def _ruled(pool, labels, rng, squared: bool) -> tuple[np.ndarray, str]:
    sheet, truth = _ruled_sheet(pool, labels, rng, squared)
    return synth.finish(sheet, rng, blur_px=1), truth


def ruled(pool, labels, rng):
    """Ruled notebook paper with a margin line: digits sit on the rules and are crossed by them."""
    return _ruled(pool, labels, rng, squared=False)


def squared(pool, labels, rng):
    """Squared (grid) paper finer than the digits: every digit is crossed by lines both ways."""
    return _ruled(pool, labels, rng, squared=True)


def notebook(pool, labels, rng) -> tuple[np.ndarray, str]:
    """A ruled notebook page lying on a desk, turned and in perspective, 30-80 % of the frame: its
    rules, rectified from the photo, bend and thicken by a pixel or two along the page."""
    sheet, truth = _ruled_sheet(pool, labels, rng, squared=False)
    return synth.finish(_on_desk(sheet, rng, 0.3), rng), truth


def askew(pool, labels, rng) -> tuple[np.ndarray, str]:
    """Ruled or squared paper photographed with the phone turned by 2 to 20 degrees: the rules run at
    that slope, and still cross the digits and sit under them. Half the frames are filled by the paper;
    half show a notebook page just larger than the frame lying on a desk, the desk in the corners."""
    squared = bool(rng.integers(2))
    angle = rng.uniform(2, 20) * rng.choice([-1, 1])
    if rng.integers(2):
        sheet, truth = _ruled_sheet(pool, labels, rng, squared)
        scene = synth.place_on_desk(sheet, (960, 1280), synth.DESKS[int(rng.integers(3))],
                                    coverage=rng.uniform(0.95, 1.3), rotation_deg=angle,
                                    perspective=rng.uniform(0.0, 0.1), rng=rng)
        return synth.finish(scene, rng), truth
    hand = Handwriting(digit_height_px=40, line_pitch=2.0)
    lines, truth = synth.pick_lines(pool, labels, rng, [8, 8, 8])
    (fh, fw), (sh, sw), margin = (480, 640), (720, 960), 0.1
    top, left = (sh - fh) // 2, (sw - fw) // 2  # the frame's part of the larger sheet, before turning
    # A grid as thick as ruling: turned and resampled, a 1-px one is too faint to reach the ink.
    rules = synth.rule_sheet((sh, sw), _rule_pitch(hand, squared), squared=squared, margin_line=False,
                             color_bgr=(0, 0, 0), thickness=2, offset_px=top + int(margin * fh) + 1)
    ink = np.zeros((sh, sw), np.float32)
    ink[top:top + fh, left:left + fw] = synth.write_lines(lines, (fh, fw), hand, margin)
    sheet = synth.paint((sh, sw), [(rules * 0.9, (170, 110, 60)), (ink, hand.ink_bgr)], hand.paper_bgr)
    turn = cv2.getRotationMatrix2D((sw / 2, sh / 2), angle, 1.0)
    turn[:, 2] -= (left, top)
    return synth.finish(cv2.warpAffine(sheet, turn, (fw, fh)), rng, blur_px=1), truth


def touching(pool, labels, rng) -> tuple[np.ndarray, str]:
    """Pairs and triples of digits whose ink touches."""
    group = 2 + int(rng.integers(2))
    hand = Handwriting(digit_height_px=48, touch_group=group, touch_gap=-0.06, gap=0.5)
    lines, truth = synth.pick_lines(pool, labels, rng, [8, 8])
    size = (480, 640)
    sheet = synth.paint(size, [(synth.write_lines(lines, size, hand, margin=0.06), hand.ink_bgr)], hand.paper_bgr)
    return synth.finish(sheet, rng), truth


def slanted(pool, labels, rng) -> tuple[np.ndarray, str]:
    """Lines written on a slope of 10 to 20 degrees, up or down, digits upright."""
    slope = rng.uniform(10, 20) * rng.choice([-1, 1])
    hand = Handwriting(digit_height_px=36, slope_deg=slope, line_pitch=2.4)
    lines, truth = synth.pick_lines(pool, labels, rng, [7, 7, 7])
    size = (720, 640)
    sheet = synth.paint(size, [(synth.write_lines(lines, size, hand, margin=0.06), hand.ink_bgr)], hand.paper_bgr)
    return synth.finish(sheet, rng), truth


def tilted(pool, labels, rng) -> tuple[np.ndarray, str]:
    """A page photographed with the phone turned by up to 20 degrees: lines and digits both turn."""
    hand = Handwriting(digit_height_px=40, line_pitch=2.4)
    lines, truth = synth.pick_lines(pool, labels, rng, [7, 7, 7])
    size = (600, 800)
    sheet = synth.paint(size, [(synth.write_lines(lines, size, hand, margin=0.12), hand.ink_bgr)],
                        hand.paper_bgr)
    angle = rng.uniform(8, 20) * rng.choice([-1, 1])
    turn = cv2.getRotationMatrix2D((size[1] / 2, size[0] / 2), angle, 1.0)
    sheet = cv2.warpAffine(sheet, turn, (size[1], size[0]), borderMode=cv2.BORDER_REPLICATE)
    return synth.finish(sheet, rng), truth


def colour(pool, labels, rng) -> tuple[np.ndarray, str]:
    """Blue, red, green or purple pen on white, cream, yellow or brown paper."""
    ink = list(INKS.values())[int(rng.integers(4))]
    paper = list(PAPERS.values())[int(rng.integers(4))]
    hand = Handwriting(digit_height_px=44, ink_bgr=ink, paper_bgr=paper)
    lines, truth = synth.pick_lines(pool, labels, rng, [8, 8])
    size = (480, 640)
    sheet = synth.paint(size, [(synth.write_lines(lines, size, hand, margin=0.1), hand.ink_bgr)], hand.paper_bgr)
    return synth.finish(sheet, rng), truth


def closeup(pool, labels, rng) -> tuple[np.ndarray, str]:
    """A close-up of a short number: three digits over 40 % of the frame's height in MNIST's pen,
    enlarged with them: strokes 19 to 39 px wide (8 frames, seed 101), as wide as or wider than the
    19-px closing sized for a ballpoint at this frame size."""
    hand = Handwriting(digit_height_px=200, gap=0.3, line_pitch=1.3)
    lines, truth = synth.pick_lines(pool, labels, rng, [3])
    size = (480, 960)
    sheet = synth.paint(size, [(synth.write_lines(lines, size, hand, margin=0.06), hand.ink_bgr)], hand.paper_bgr)
    return synth.finish(sheet, rng), truth


def faraway(pool, labels, rng) -> tuple[np.ndarray, str]:
    """A sheet held far from a webcam: two lines of eight digits filling a 640x480 frame's paper, each
    digit's 28-px tile drawn 24 to 30 px tall, its ink MNIST's share of the tile (about 0.7): the writing
    a little over the least digit height of a frame read whole (3.5 % of it, 16.8 px), its shorter
    digits under it. (Tiles, not synth.write_lines: that scales every digit's ink to one height.)"""
    tile = int(rng.integers(24, 31))
    lines, truth = synth.pick_lines(pool, labels, rng, [8, 8])
    size = (480, 640)
    ink = np.zeros(size, np.float32)
    x0, y0 = rng.uniform(40, 200), rng.uniform(80, 260)
    for row, digits in enumerate(lines):
        for k, digit in enumerate(digits):
            big = cv2.resize(digit, (tile, tile), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255
            y, x = int(y0 + (row * 2.2 + rng.uniform(-0.08, 0.08)) * tile), int(x0 + k * 1.15 * tile)
            ink[y:y + tile, x:x + tile] = np.maximum(ink[y:y + tile, x:x + tile], big)
    hand = Handwriting()
    return synth.finish(synth.paint(size, [(ink, hand.ink_bgr)], hand.paper_bgr), rng), truth


def marks(pool, labels, rng) -> tuple[np.ndarray, str]:
    """Digits among things that are not: letters, dashes, a logo, an underline, mirrored show-through
    from the back of the sheet and an embossed impression without ink."""
    hand = Handwriting(digit_height_px=40)
    lines, truth = synth.pick_lines(pool, labels, rng, [8, 8])
    size = (720, 640)
    ink = synth.write_lines(lines, size, hand, margin=0.08)
    back_lines, _ = synth.pick_lines(pool, labels, rng, [8, 8])
    show_through = synth_marks.mirror_show_through(back_lines, size, hand, margin=0.08)
    show_through = np.roll(show_through, int(0.5 * size[0]), axis=0)
    emboss_lines, _ = synth.pick_lines(pool, labels, rng, [8])
    embossed = np.roll(synth.write_lines(emboss_lines, size, hand, margin=0.08), int(0.7 * size[0]), axis=0)
    other = synth_marks.draw_marks(size, rng, (0.08, 0.36, 0.92, 0.56), hand.digit_height_px)
    sheet = synth.paint(size, [(show_through * 0.18, hand.ink_bgr), (embossed * 0.06, (0, 0, 0)),
                               (other, hand.ink_bgr), (ink, hand.ink_bgr)], hand.paper_bgr)
    return synth.finish(sheet, rng), truth


def cropped(pool, labels, rng) -> tuple[np.ndarray, str]:
    """A photo cut down to the number it shows (a user's crop, a cut-out kept as its own image): one to
    four digits 40 to 400 px tall in any pen on any paper, the frame cut 0 to 20 % of their height
    beyond their ink: the digits fill it, some touching its edge."""
    height = int(round(np.exp(rng.uniform(np.log(40), np.log(400)))))
    hand = Handwriting(digit_height_px=height, gap=0.3, ink_bgr=list(INKS.values())[int(rng.integers(len(INKS)))],
                       paper_bgr=list(PAPERS.values())[int(rng.integers(len(PAPERS)))])
    lines, truth = synth.pick_lines(pool, labels, rng, [int(rng.integers(1, 5))])
    size = (3 * height, int((1.4 * len(truth) + 1) * height))
    ink = synth.write_lines(lines, size, hand, margin=0.1)
    frame = synth.finish(synth.paint(size, [(ink, hand.ink_bgr)], hand.paper_bgr), rng)
    ys, xs = np.nonzero(ink > 0.5)
    m = int(rng.uniform(0.0, 0.2) * height)
    return frame[max(0, ys.min() - m):ys.max() + m + 1, max(0, xs.min() - m):xs.max() + m + 1], truth


def blank_showing_through(pool, labels, rng) -> np.ndarray:
    """A blank sheet on a desk, 30-80 % of the frame (_on_desk), whose only marks are writing on its
    back showing through, mirrored, at 12 to 24 % of the pen's darkness: no digit to read."""
    hand = Handwriting(digit_height_px=44)
    size = (1100, 780)
    back, _ = synth.pick_lines(pool, labels, rng, [7, 7, 7])
    sheet = synth.paint(size, [(synth_marks.mirror_show_through(back, size, hand) * rng.uniform(0.12, 0.24),
                                hand.ink_bgr)], hand.paper_bgr)
    return synth.finish(_on_desk(sheet, rng, 0.3), rng)


def deskform(pool, labels, rng) -> tuple[np.ndarray, str]:
    """A form (edge.synth_forms.form) lying on a desk, 30-80 % of the frame (_on_desk): its boxes seen
    in perspective, rectified with the sheet or, where the frame cuts the sheet, only nearly."""
    sheet, truth = synth_forms.form(pool, labels, rng)
    return synth.finish(_on_desk(sheet, rng, 0.3), rng), truth


CONDITIONS: dict[str, Callable] = {"desk": desk, "shadow": shadow, "note": note, "mousepad": mousepad,
                                   "ruled": ruled, "squared": squared, "notebook": notebook, "askew": askew,
                                   "touching": touching,
                                   "slanted": slanted, "tilted": tilted, "colour": colour, "closeup": closeup,
                                   "vignetted": synth_camera.vignetted, "lamplit": synth_camera.lamplit,
                                   "glare": synth_camera.glare, "creased": synth_camera.creased,
                                   "dim": synth_camera.dim, "faraway": faraway, "marks": marks,
                                   "forms": synth_forms.forms, "deskform": deskform, "cropped": cropped}


def frames(name: str, pool: np.ndarray, labels: np.ndarray, count: int, seed: int = 0
           ) -> list[tuple[np.ndarray, str]]:
    """`count` frames of one condition with their true digit strings, from (N, 28, 28) digits and labels."""
    rng = np.random.default_rng(seed)
    return [CONDITIONS[name](pool, labels, rng) for _ in range(count)]
