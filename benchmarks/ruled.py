"""`python -m benchmarks.ruled`: the reader on labelled photos as if written on ruled and squared paper.

A photo is read as it is; where it reads right, printed rules are laid under its writing: pale blue
lines a pixel to a few wide (1 to 3 % of a digit's height, as a notebook's are beside a pen's stroke),
drawn in the frame of the page (edge.page.find_page; the whole photo where no page is found) and
warped into the photo, so that they follow its perspective, and multiplied into it as print is.
Ruled paper has a rule every 1.1 to 1.6 digit heights, the photo's first digit sitting on one, and a
red margin line left of the writing; squared paper a grid 0.6 to 1.0 digit heights apart, so every
digit is crossed along its line, and most down it too. Faint and thin, such rules come out of the
threshold in dashes: the case the synthetic conditions, whose rules are as dark as a ballpoint, do not
test. Each paper is also photographed with the camera turned (its rules slope) and tilted (a page
filling the frame shows them converging).
"""

from __future__ import annotations

import zlib
from typing import Iterator

import cv2
import numpy as np

from benchmarks.crops import Crop, Way, command, run
from edge.detect import Box
from edge.note import ring

RULE_BGR = np.float32([235, 190, 150]) / 255  # pale blue print: what it lets through of each channel
MARGIN_BGR = np.float32([150, 140, 235]) / 255  # a red margin line
STRENGTH = (0.5, 0.9)  # of the print's colour
THICKNESS = (0.01, 0.03)  # of the digits' height, 1 px or more
RULED_PITCH = (1.1, 1.6)  # digit heights between rules
SQUARED_PITCH = (0.6, 1.0)  # digit heights between a grid's lines
MARGIN_GAP = (0.3, 1.0)  # digit heights between the margin line and the writing
TURN_DEG = (3.0, 10.0)  # the camera turned this far either way (benchmarks.perturb.turned), drawn per photo
# The camera tilted: one side of the photo (top, bottom, left or right, drawn per photo) seen this share
# narrower than the side across from it, as a phone held over a page not quite square-on sees it.
TILT = (0.08, 0.2)
SIDES = ("top", "bottom", "left", "right")


def _page_frame(image: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """The homography from the photo to its page seen square-on (edge.page.find_page; the photo itself
    where no page is found), and that page's (width, height)."""
    from edge.page import find_page

    h, w = image.shape[:2]
    page = find_page(image) if image.ndim == 3 else None
    corners = page.corners if page is not None else np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    pw, ph = page.native_size if page is not None else (w, h)
    square = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    return cv2.getPerspectiveTransform(np.float32(corners), square), (pw, ph)


def _lines(size: tuple[int, int], ys: np.ndarray, xs: np.ndarray, thickness: int) -> np.ndarray:
    """(H, W) float32 coverage 0..1 of lines across a (width, height) page at rows ys and columns xs."""
    pw, ph = size
    cover = np.zeros((ph, pw), np.float32)
    for y in ys:
        cv2.line(cover, (0, int(round(y))), (pw, int(round(y))), 1.0, thickness, cv2.LINE_AA)
    for x in xs:
        cv2.line(cover, (int(round(x)), 0), (int(round(x)), ph), 1.0, thickness, cv2.LINE_AA)
    return cover


def on_paper(image: np.ndarray, boxes: list[Box], name: str, squared: bool, seed: int = 0) -> np.ndarray:
    """A BGR photo read right (`boxes`, its digits in reading order) with ruled (or squared) paper's
    printed lines laid under its writing; the draws depend on the photo's name and `seed` only."""
    rng = np.random.default_rng([seed, zlib.crc32(name.encode()), int(squared)])
    to_page, (pw, ph) = _page_frame(image)
    points = [[(b.x + b.w / 2, b.y), (b.x + b.w / 2, b.y + b.h), (b.x, b.y + b.h / 2)] for b in boxes]
    mapped = cv2.perspectiveTransform(np.float32(points).reshape(1, -1, 2), to_page)[0].reshape(-1, 3, 2)
    tops, bottoms, lefts = mapped[:, 0], mapped[:, 1], mapped[:, 2]  # each digit's top, foot, left edge
    size = float(np.median(bottoms[:, 1] - tops[:, 1]))
    thickness = max(1, int(round(size * rng.uniform(*THICKNESS))))
    if squared:
        pitch = size * rng.uniform(*SQUARED_PITCH)
        ys, xs = np.arange(rng.uniform(0, pitch), ph, pitch), np.arange(rng.uniform(0, pitch), pw, pitch)
    else:
        pitch = size * rng.uniform(*RULED_PITCH)
        ys, xs = np.arange(bottoms[0, 1] % pitch, ph, pitch), np.empty(0)
    strength = rng.uniform(*STRENGTH)
    from_page = np.linalg.inv(to_page)
    h, w = image.shape[:2]
    printed = [(_lines((pw, ph), ys, xs, thickness), RULE_BGR)]
    if not squared:
        left = min(lefts[:, 0]) - rng.uniform(*MARGIN_GAP) * size
        printed.append((_lines((pw, ph), np.empty(0), np.array([max(2.0, left)]), thickness), MARGIN_BGR))
    out = image.astype(np.float32)
    for cover, colour in printed:
        seen = cv2.warpPerspective(cover, from_page, (w, h))[..., np.newaxis] * strength
        out *= 1 - seen * (1 - colour)
    return np.clip(out, 0, 255).astype(np.uint8)


def turn_deg(name: str, seed: int = 0) -> float:
    """How far the camera is turned for a photo (TURN_DEG, either way); drawn from its name and `seed`."""
    rng = np.random.default_rng([seed, zlib.crc32(name.encode()), 2])
    return float(rng.choice([-1.0, 1.0]) * rng.uniform(*TURN_DEG))


def tilt(name: str, seed: int = 0) -> tuple[str, float]:
    """Which side of a photo the camera's tilt narrows (SIDES) and by how much (TILT); drawn from its name
    and `seed`."""
    rng = np.random.default_rng([seed, zlib.crc32(name.encode()), 3])
    return str(rng.choice(SIDES)), float(rng.uniform(*TILT))


def _edge_colour(image: np.ndarray) -> tuple[float, ...]:
    """The median colour of the photo's edges: what the camera would see more of there, paper or desk.
    (Filled from the edges, a frame's corners were streaks as long and straight as rules; mirrored, they
    held mirrored digits; with the whole photo's median, paper grey beside a desk.)"""
    return tuple(float(v) for v in np.median(ring(image, 1), axis=0))


def tilted(image: np.ndarray, side: str, share: float) -> np.ndarray:
    """The photo seen with the camera tilted: its `side` `share` narrower than the side across, in the same
    frame, the corners beyond it the colour of its edges (_edge_colour)."""
    h, w = image.shape[:2]
    a, b = share * w / 2, share * h / 2
    narrowed = {"top": [[a, 0], [w - a, 0], [w, h], [0, h]],
                "bottom": [[0, 0], [w, 0], [w - a, h], [a, h]],
                "left": [[0, b], [w, 0], [w, h], [0, h - b]],
                "right": [[0, 0], [w, b], [w, h - b], [0, h]]}[side]
    seen = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), np.float32(narrowed))
    return cv2.warpPerspective(image, seen, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                               borderValue=_edge_colour(image))


def turned(image: np.ndarray, degrees: float) -> np.ndarray:
    """The photo with the camera turned by `degrees` about its centre, on a frame large enough to hold all
    of it (benchmarks.perturb.turned keeps the photo's frame, and cuts the digits near its corners); the
    corners the colour of the photo's edges (_edge_colour)."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    size = (int(np.ceil(w * cos + h * sin)), int(np.ceil(w * sin + h * cos)))
    matrix[:, 2] += (size[0] - w) / 2.0, (size[1] - h) / 2.0
    return cv2.warpAffine(image, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=_edge_colour(image))


def paper(squared: bool, view: str = "") -> Way:
    """The photo on ruled (squared) paper (on_paper), as one crop; photographed with the camera "turned"
    (turn_deg: the rules slope, and a page filling the frame is not rectified straight) or "tilted" (tilt:
    a page filling the frame shows its rules converging)."""
    def way(image: np.ndarray, boxes: list[Box], truth: str, name: str) -> Iterator[Crop]:
        if image.ndim == 3:
            out = on_paper(image, boxes, name, squared)
            if view == "turned":
                out = turned(out, turn_deg(name))
            elif view == "tilted":
                out = tilted(out, *tilt(name))
            yield Crop(name, out, truth, max(b.h for b in boxes))
    return way


WAYS: dict[str, Way] = {f"on {kind} paper{', ' + view if view else ''}": paper(kind == "squared", view)
                        for view in ("", "turned", "tilted") for kind in ("ruled", "squared")}


@command("photo")
def main(folders, model, verbose) -> None:
    """Read labelled FOLDERS (labels.csv: file,digits) as if written on ruled and squared paper, and score
    them."""
    run(folders, model, verbose, WAYS, "photos")


if __name__ == "__main__":  # pragma: no cover
    from edge.entry import run_main
    run_main(main, "python -m benchmarks.ruled")
