"""`python -m benchmarks.crops`: the reader on labelled photos cut down to a few of their digits, as a
user crops a photo to the number before reading it.

A photo is read as it is; where it reads right, each run of 1, 2, 3 and 5 digits along one of its lines
(or down its column) is cut out: along the line to half-way to the next digit (one digit's height
beyond the line's first and last), across it with a margin of 0.15, 0.4 or 1 digit height on each
side. A crop cut tight breaks the reader's frame-relative sizes (its digits fill it and a stroke is a
large share of it), which a whole photo never tests. Each crop's truth is the photo's digits it holds.
The runs of 1 and 2 digits are also held up close to a camera: cut tight, enlarged until their digits
are 0.6 or 0.8 of the height of a webcam's 640x480 or 1280x720 frame, on a ground of their paper's
colour with a camera's noise.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import click
import cv2
import numpy as np

from edge.clicktypes import NonEmptyPath
from edge.detect import Box
from edge.scoring import FolderScore, read_labels, score_photo

RUNS = (1, 2, 3, 5)  # digits in a crop
MARGINS = (0.15, 0.4, 1.0)  # across the line, in digit heights on each side
CLOSE_RUNS = (1, 2)  # digits held up close, cut this tight across their line, ...
CLOSE_MARGIN = 0.05
CLOSE_SHARES = (0.6, 0.8)  # ... this share of the frame's height
CLOSE_FRAMES = ((480, 640), (720, 1280))  # (height, width): a webcam's 4:3 and 16:9


@dataclass(frozen=True)
class Crop:
    name: str  # the photo's file, the run's first digit and its length: "row_01.jpg 3+2"
    image: np.ndarray
    truth: str
    size: int  # the height of its tallest digit, px


Way = Callable[[np.ndarray, list[Box], str, str], Iterator[Crop]]  # (photo, boxes, truth, name) -> crops


def _along_rows(boxes: list[Box]) -> bool:
    """Whether a photo's digits, in reading order, follow each other more along its rows than down its
    columns (a column of digits is cut along its column)."""
    steps = [(abs((b.x + b.w / 2) - (a.x + a.w / 2)), abs((b.y + b.h / 2) - (a.y + a.h / 2)))
             for a, b in zip(boxes, boxes[1:])]
    return sum(dx >= dy for dx, dy in steps) * 2 >= len(steps)


def _next_in_line(a: Box, b: Box, rows: bool) -> bool:
    """Whether b is the digit after a on the same line (down the same column): ahead of it along the
    line, within half a digit of it across."""
    size = max(a.h, b.h) if rows else max(a.w, b.w)
    if rows:
        return b.x > a.x and abs((b.y + b.h / 2) - (a.y + a.h / 2)) <= 0.5 * size
    return b.y > a.y and abs((b.x + b.w / 2) - (a.x + a.w / 2)) <= 0.5 * size


def crops(image: np.ndarray, boxes: list[Box], truth: str, name: str, run: int, margin: float
          ) -> Iterator[Crop]:
    """The crops of `run` consecutive digits of one line of a photo read right (`boxes` in reading
    order, one per digit of `truth`): along the line to half-way to the line's next digit (a digit's
    height beyond its first and last), across it `margin` digit heights on each side, or to half-way to
    a digit of the next line where that is nearer (a page's lines are closer than two heights)."""
    rows = _along_rows(boxes)
    # Each box as (start, stop) along the line and (start, stop) across it.
    spans = [((b.x, b.x + b.w), (b.y, b.y + b.h)) if rows else ((b.y, b.y + b.h), (b.x, b.x + b.w))
             for b in boxes]
    length, breadth = (image.shape[1], image.shape[0]) if rows else (image.shape[0], image.shape[1])
    for i in range(len(boxes) - run + 1):
        last = i + run - 1
        if not all(_next_in_line(a, b, rows) for a, b in zip(boxes[i:last], boxes[i + 1:last + 1])):
            continue  # the run breaks to the next line
        size = max(b.h for b in boxes[i:last + 1])
        # Never into the run's own first and last digit, where a neighbour's box overlaps theirs.
        low = min(spans[i][0][0], (spans[i - 1][0][1] + spans[i][0][0]) // 2
                  if i > 0 and _next_in_line(boxes[i - 1], boxes[i], rows)
                  else max(0, spans[i][0][0] - size))
        high = max(spans[last][0][1], (spans[last][0][1] + spans[last + 1][0][0]) // 2
                   if last + 1 < len(boxes) and _next_in_line(boxes[last], boxes[last + 1], rows)
                   else min(length, spans[last][0][1] + size))
        near = min(s[1][0] for s in spans[i:last + 1])
        far = max(s[1][1] for s in spans[i:last + 1])
        reach = int(round(margin * size))
        before, after = max(0, near - reach), min(breadth, far + reach)
        for k, ((a, b), (c, d)) in enumerate(spans):
            if i <= k <= last or b <= low or a >= high:
                continue  # in the run, or beside the crop
            if d <= near:
                before = max(before, (d + near) // 2)
            elif c >= far:
                after = min(after, (far + c) // 2)
        cut = image[before:after, low:high] if rows else image[low:high, before:after]
        yield Crop(f"{name} {i}+{run}", np.ascontiguousarray(cut), truth[i:last + 1], size)


def held_close(crop: Crop, frame: tuple[int, int], share: float) -> np.ndarray | None:
    """A crop (BGR or grey) enlarged (or shrunk) until its digits are `share` of a (height, width)
    frame's height, in its middle, on a ground of the crop's paper (its median colour) with a camera's
    noise (2 grey levels, drawn from the crop's name); None where it does not fit or is empty."""
    image = crop.image if crop.image.ndim == 3 else crop.image[:, :, np.newaxis]
    scale = share * frame[0] / crop.size
    h, w = round(image.shape[0] * scale), round(image.shape[1] * scale)
    if not 0 < h <= frame[0] or not 0 < w <= frame[1]:
        return None
    rng = np.random.default_rng(zlib.crc32(crop.name.encode()))
    paper = np.median(image.reshape(-1, image.shape[2]), axis=0)
    ground = np.broadcast_to(paper, (*frame, image.shape[2])) + rng.normal(0, 2.0, (*frame, 1))
    out = np.clip(ground, 0, 255).astype(np.uint8)
    y, x = (frame[0] - h) // 2, (frame[1] - w) // 2
    resized = cv2.resize(image, (w, h), interpolation=cv2.INTER_LINEAR if scale > 1 else cv2.INTER_AREA)
    out[y:y + h, x:x + w] = resized.reshape(h, w, image.shape[2])
    return out if crop.image.ndim == 3 else out[:, :, 0]


def cut(run: int, margin: float) -> Way:
    """The crops of `run` digits with `margin` digit heights across the line (crops)."""
    return lambda image, boxes, truth, name: crops(image, boxes, truth, name, run, margin)


def close(run: int, frame: tuple[int, int], share: float) -> Way:
    """The crops of `run` digits cut tight (CLOSE_MARGIN), held up close (held_close)."""
    def way(image: np.ndarray, boxes: list[Box], truth: str, name: str) -> Iterator[Crop]:
        for crop in crops(image, boxes, truth, name, run, CLOSE_MARGIN):
            framed = held_close(crop, frame, share)
            if framed is not None:
                yield Crop(crop.name, framed, crop.truth, round(share * frame[0]))
    return way


WAYS: dict[str, Way] = {f"{run} digit(s), margin {margin:4}": cut(run, margin)
                        for run in RUNS for margin in MARGINS}
WAYS.update({f"{run} digit(s) held close, {share} of {w}x{h}": close(run, (h, w), share)
             for run in CLOSE_RUNS for h, w in CLOSE_FRAMES for share in CLOSE_SHARES})


def reading_of(reader) -> Callable[[np.ndarray], tuple[str, list[Box]]]:
    """An image -> its text and its digits' boxes, read by an edge DigitReader (score_crops' `read`)."""
    def read(image: np.ndarray) -> tuple[str, list[Box]]:
        reading = reader.read(image)
        return reading.text, [d.box for d in reading.digits]
    return read


def score_crops(folder: Path, read: Callable[[np.ndarray], tuple[str, list[Box]]],
                ways: dict[str, Way] | None = None) -> tuple[dict[str, FolderScore], list[str]]:
    """Every crop of every photo of a labelled folder that `read` (an image -> its text and its digits'
    boxes) reads right as it is, scored per way of cutting it (WAYS); and the photos not read right (not
    cut)."""
    from edge.sources import load_image

    ways = WAYS if ways is None else ways
    scores: dict[str, list] = {label: [] for label in ways}
    skipped = []
    for name, truth in read_labels(folder):
        image = load_image(folder / name)
        text, boxes = read(image)
        if not truth or text != truth:
            skipped.append(name)
            continue
        for label, way in ways.items():
            scores[label] += [score_photo(crop.name, crop.truth, read(crop.image)[0])
                              for crop in way(image, boxes, truth, name)]
    return {label: FolderScore(photos) for label, photos in scores.items()}, skipped


def command(what: str) -> Callable:
    """The click command of a benchmark over labelled folders (FOLDERS, --model, --verbose); `what` it
    prints the truth and reading of when --verbose, not read exactly."""
    def wrap(function: Callable) -> Callable:
        verbose = f"Print the truth and the reading of each {what} not read exactly."
        function = click.option("--verbose", is_flag=True, help=verbose)(function)
        function = click.option("--model", type=NonEmptyPath(exists=True, dir_okay=False, path_type=Path),
                                default=Path("models/digits_int8.tflite"), show_default=True,
                                help="The int8 model to read with.")(function)
        function = click.argument("folders", nargs=-1, required=True,
                                  type=NonEmptyPath(file_okay=False, path_type=Path))(function)
        return click.command(context_settings={"help_option_names": ["-h", "--help"]})(function)
    return wrap


def run(folders: tuple[Path, ...], model: Path, verbose: bool, ways: dict[str, Way], unit: str) -> None:
    """Scores each labelled folder's photos read right, `ways` (score_crops), and prints it (report)."""
    from edge.reader import DigitReader
    from edge.runtime import Classifier, RuntimeUnavailableError
    from edge.sidecar import ModelError

    try:
        reader = DigitReader(Classifier(model))
    except (ModelError, RuntimeUnavailableError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    for folder in folders:
        try:
            scores, skipped = score_crops(folder, reading_of(reader), ways)
        except (FileNotFoundError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        report(folder, scores, skipped, verbose, unit)


@command("crop")
def main(folders, model, verbose) -> None:
    """Read labelled FOLDERS (labels.csv: file,digits) cut into crops of a few digits, and score them."""
    run(folders, model, verbose, WAYS, "crops")


def report(folder: Path, scores: dict[str, FolderScore], skipped: list[str], verbose: bool,
           unit: str = "crops") -> None:
    """Prints score_crops' scores of a folder, way by way and in all (`verbose`: each image not read
    exactly too)."""
    click.echo(f"{folder}: {len(skipped)} photo(s) not read right as they are, not used"
               + (f" ({', '.join(skipped)})" if skipped else ""))
    for label, result in scores.items():
        exact = sum(p.reading == p.truth for p in result.photos)
        click.echo(f"  {label}: {exact}/{len(result.photos)} {unit} exact, "
                   f"{result.right}/{result.total} digits right, {result.spurious} spurious")
        if verbose:
            for photo in result.photos:
                if photo.reading != photo.truth:
                    click.echo(f"    {photo.file}: truth {photo.truth}, read {photo.reading}")
    total = FolderScore([p for result in scores.values() for p in result.photos])
    exact = sum(p.reading == p.truth for p in total.photos)
    click.echo(f"  all: {exact}/{len(total.photos)} {unit} exact, {total.summary()}")


if __name__ == "__main__":  # pragma: no cover
    from edge.entry import run_main
    run_main(main, "python -m benchmarks.crops")
