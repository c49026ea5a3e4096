"""Paper filling the frame as a camera sees it, as synthetic frames with known truth: a lens's fall-off,
a lamp's pool of light, a gloss's reflection, the crease of a sheet folded once and a webcam in a dim
room. Each frame holds three lines of eight digits on 640x480 paper."""

from __future__ import annotations

import cv2
import numpy as np

from edge import synth
from edge.synth import Handwriting

SIZE = (480, 640)


def _writing(pool, labels, rng, margin: float = 0.08) -> tuple[Handwriting, np.ndarray, str]:
    """Three lines of eight digits across the frame, `margin` of it in from its sides: the hand, the
    ink's coverage (H, W) 0..1 and the truth."""
    hand = Handwriting(digit_height_px=40, line_pitch=2.6)
    lines, truth = synth.pick_lines(pool, labels, rng, [8, 8, 8])
    return hand, synth.write_lines(lines, SIZE, hand, margin=margin), truth


def _page(pool, labels, rng, margin: float = 0.08) -> tuple[np.ndarray, str]:
    """The writing (_writing) on plain paper: a float (H, W, 3) sheet and the truth."""
    hand, ink, truth = _writing(pool, labels, rng, margin)
    return synth.paint(SIZE, [(ink, hand.ink_bgr)], hand.paper_bgr), truth


def glare_spot(image: np.ndarray, rng: np.random.Generator, centre: tuple[float, float], strength: float
               ) -> np.ndarray:
    """A gloss's reflection of a lamp: `strength` grey levels of light added to paper and ink alike at
    `centre` (x, y), over an ellipse 0.12 to 0.25 of the frame's width across its longer half-axis, turned
    at random, with a flat core fading fast at its rim. (H, W, 3) -> float32, unclipped (finish() clips)."""
    h, w = image.shape[:2]
    rx = rng.uniform(0.12, 0.25) * w
    ry = rx * rng.uniform(0.5, 1.0)
    along, across = synth.turned_coordinates((h, w), centre, rng.uniform(0, np.pi))
    u, v = along / rx, across / ry
    light = strength * np.exp(-(u * u + v * v) ** 1.5)
    return image.astype(np.float32) + light[:, :, None]


def fold_line(image: np.ndarray, rng: np.random.Generator, centre: tuple[float, float], angle_deg: float
              ) -> np.ndarray:
    """A crease where a sheet was folded and opened again, through `centre` (x, y) at `angle_deg`: its
    ridge 35 to 60 % darker at its middle, a Gaussian of half-width 1 to 2 px (at 480 px of height), the
    facet on one side of it 5 to 15 % darker, fading over 0.15 of the frame's height. (H, W, 3) ->
    float32."""
    h, w = image.shape[:2]
    across = synth.turned_coordinates((h, w), centre, np.radians(angle_deg))[1]
    ridge = rng.uniform(0.35, 0.6) * np.exp(-(across / (rng.uniform(1.0, 2.0) * h / 480)) ** 2)
    facet = np.where(across > 0, rng.uniform(0.05, 0.15), 0.0) * np.exp(-np.abs(across) / (0.15 * h))
    return image.astype(np.float32) * (1 - ridge - facet)[:, :, None]


def vignetted(pool, labels, rng) -> tuple[np.ndarray, str]:
    """Paper filling the frame through a lens that loses 15 to 45 % of the light toward the corners
    (a webcam, a camera module without lens-shading correction), the lines reaching near the rim."""
    sheet, truth = _page(pool, labels, rng, margin=0.06)
    return synth.finish(synth.vignette(sheet, rng.uniform(0.15, 0.45)), rng), truth


def lamplit(pool, labels, rng) -> tuple[np.ndarray, str]:
    """Paper filling the frame under uneven light: a corner's part lit by a lamp or a window, the rest
    20 to 35 % darker past a soft edge, the lines running from the lit part into the shade; a third of
    the frames plain, a third faintly ruled, a third faintly squared (a grid a third of a digit apart)."""
    hand, ink, truth = _writing(pool, labels, rng)
    layers = [(ink, hand.ink_bgr)]
    ruling = int(rng.integers(3))
    if ruling:
        squared = ruling == 2
        pitch = hand.digit_height_px // 3 if squared else int(hand.line_pitch * hand.digit_height_px / 2)
        rules = synth.rule_sheet(SIZE, pitch, squared=squared, thickness=1,
                                 offset_px=int(0.08 * SIZE[0]) + hand.digit_height_px)
        layers.insert(0, (rules * 0.6, (215, 170, 120)))
    sheet = synth.paint(SIZE, layers, hand.paper_bgr)
    return synth.finish(synth.pool_of_light(sheet, rng, rng.uniform(0.2, 0.35)), rng, light=0.1), truth


def glare(pool, labels, rng) -> tuple[np.ndarray, str]:
    """Glossy paper filling the frame under a lamp's reflection (glare_spot) lying on part of the
    writing: 60 to 160 grey levels of light added to paper and ink, the paper clipped white under it,
    the ink washed out to a pale grey."""
    sheet, truth = _page(pool, labels, rng)
    centre = (rng.uniform(0.15, 0.6) * SIZE[1], rng.uniform(0.3, 0.65) * SIZE[0])
    return synth.finish(glare_spot(sheet, rng, centre, rng.uniform(60, 160)), rng, light=0.1), truth


def creased(pool, labels, rng) -> tuple[np.ndarray, str]:
    """Paper filling the frame, folded once and opened (fold_line): the crease crosses the writing or
    runs beside it, within 30 degrees of the lines or, in a third of the frames, of upright."""
    sheet, truth = _page(pool, labels, rng)
    angle = rng.uniform(-30, 30) + (90 if rng.random() < 1 / 3 else 0)
    centre = (rng.uniform(0.2, 0.6) * SIZE[1], rng.uniform(0.2, 0.75) * SIZE[0])
    return synth.finish(fold_line(sheet, rng, centre, angle), rng), truth


def dim(pool, labels, rng) -> tuple[np.ndarray, str]:
    """A webcam in a dim room: paper filling the frame lit at 20 to 35 % under warm light, falling off
    across it (synth.finish's gradient of 0.35: up to two fifths darker at a corner), with sensor noise
    of 10 to 15 grey levels, stored as JPEG at quality 30."""
    sheet, truth = _page(pool, labels, rng)
    scene = sheet * rng.uniform(0.2, 0.35) * np.float32([0.8, 0.95, 1.1])
    frame = synth.finish(scene, rng, light=0.35, noise_sigma=rng.uniform(10, 15))
    jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 30])[1]
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR), truth
