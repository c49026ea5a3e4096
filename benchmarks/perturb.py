"""`python -m benchmarks.perturb`: the reader on labelled photos made worse the ways cameras make them.

Each photo of the folders is read as it is and after each perturbation: out of focus, a shaken
phone, fewer pixels, a harder JPEG, under- and over-exposure, a turned camera, a sheet lying
sideways or upside down, sensor noise, a warm light. Blur and smear are sized per 1,000 px of the
photo's longer side, so a 12-MP photo and a webcam frame lose the same share of their detail. Out of
focus happens in the lens, before the sensor: the blurred photo gets the sensor's noise and a JPEG
after it, as a camera would give it.
"""

from __future__ import annotations

import textwrap
import zlib
from pathlib import Path
from typing import Callable

import click
import cv2
import numpy as np

from edge.clicktypes import NonEmptyPath

Perturbation = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def _per_mille(image: np.ndarray, amount: float) -> float:
    return amount * max(image.shape[:2]) / 1000.0


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("OpenCV could not encode a JPEG")
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def noise(image: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    return np.clip(image + rng.normal(0.0, sigma, image.shape), 0, 255).astype(np.uint8)


def sensor(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """What a camera adds after its lens: a little noise (2 grey levels) and a JPEG of quality 90."""
    return jpeg(noise(image, rng, 2.0), 90)


def defocus(per_mille: float) -> Perturbation:
    """Out of focus: a Gaussian of `per_mille` px per 1,000 of the longer side, then the sensor."""
    return lambda image, rng: sensor(cv2.GaussianBlur(image, (0, 0), _per_mille(image, per_mille)), rng)


def shake(per_mille: float) -> Perturbation:
    """A phone moved sideways while the shutter was open: a straight smear, then the sensor."""
    def smear(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        length = max(1, round(_per_mille(image, per_mille)))
        kernel = np.full((1, length), 1.0 / length, np.float32)
        return sensor(cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_REPLICATE), rng)
    return smear


def fewer_pixels(side_px: int) -> Perturbation:
    """The photo taken at `side_px` on its longer side (never enlarged): one area resampling, as a
    sensor with fewer pixels integrates the light, not the reader's own preprocess.shrink (its fast
    halvings first read both sets shrunk to 640 px 579 of 652 against 594, Intel Xeon, 2026-12-04)."""
    def shrink(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        scale = side_px / max(image.shape[:2])
        if scale >= 1:
            return image
        return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return shrink


def exposure(gamma: float) -> Perturbation:
    """Under- (gamma > 1) or over-exposed (< 1): the tone curve bent, black and white kept."""
    lut = np.clip(255.0 * (np.arange(256) / 255.0) ** gamma + 0.5, 0, 255).astype(np.uint8)
    return lambda image, rng: cv2.LUT(image, lut)


def turned(degrees: float) -> Perturbation:
    """The camera turned by `degrees` about the photo's centre; the corners filled from the edges."""
    def turn(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        h, w = image.shape[:2]
        matrix = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), degrees, 1.0)
        return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return turn


def quarter_turns(turns: int) -> Perturbation:
    """The photo a quarter (1), half (2) or three quarters (3) of a turn clockwise: a sheet lying sideways
    or upside down, or a photo stored turned without an EXIF orientation. Every pixel kept."""
    rotation = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}[turns]
    return lambda image, rng: cv2.rotate(image, rotation)


def warm(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Tungsten light without white balance: blue down by a fifth, red up by a tenth."""
    return np.clip(image * np.float32([0.8, 1.0, 1.1]), 0, 255).astype(np.uint8)


PERTURBATIONS: dict[str, Perturbation] = {
    "as-photographed": lambda image, rng: image,
    "defocus-1": defocus(1.0),
    "defocus-1.5": defocus(1.5),
    "defocus-2": defocus(2.0),
    "shake-7": shake(7.0),
    "640px": fewer_pixels(640),
    "jpeg-20": lambda image, rng: jpeg(image, 20),
    "dark": exposure(1.8),
    "bright": exposure(0.55),
    "turned-8": turned(8.0),
    "turned-90": quarter_turns(1),
    "turned-180": quarter_turns(2),
    "turned-270": quarter_turns(3),
    "noise-6": lambda image, rng: noise(image, rng, 6.0),
    "warm": warm,
}


def perturbed(name: str, image: np.ndarray, photo: str, seed: int = 0) -> np.ndarray:
    """`image` after the perturbation `name`; its random draws depend on the photo's name and `seed` only."""
    rng = np.random.default_rng([seed, zlib.crc32(photo.encode())])
    return PERTURBATIONS[name](image, rng)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("folders", nargs=-1, required=True, type=NonEmptyPath(file_okay=False, path_type=Path))
@click.option("--model", type=NonEmptyPath(exists=True, dir_okay=False, path_type=Path),
              default=Path("models/digits_int8.tflite"), show_default=True, help="The int8 model to read with.")
@click.option("--only", type=click.Choice(list(PERTURBATIONS)), multiple=True,
              help="Just this perturbation (repeatable). Default: all of them.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the noise.")
@click.option("--verbose", is_flag=True, help="Print the score of each photo, not only the totals.")
def main(folders, model, only, seed, verbose) -> None:
    """Read labelled FOLDERS (labels.csv: file,digits) as photographed and made worse, and score each way."""
    from edge.reader import DigitReader
    from edge.runtime import Classifier, RuntimeUnavailableError
    from edge.scoring import FolderScore, score_folder
    from edge.sidecar import ModelError
    from edge.sources import load_image

    try:
        reader = DigitReader(Classifier(model))
    except (ModelError, RuntimeUnavailableError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    failed = 0
    for name in only or list(PERTURBATIONS):
        photos = []
        for folder in folders:
            try:
                result = score_folder(folder, lambda path: reader.read(
                    perturbed(name, load_image(path), path.name, seed)).text)
            except (FileNotFoundError, ValueError) as exc:
                raise click.ClickException(str(exc)) from exc
            photos += result.photos
        total = FolderScore(photos)
        click.echo(f"{name:16s} {total.right}/{total.total} right ({total.accuracy:.1%}), "
                   f"{total.spurious} spurious")
        if verbose:
            for photo in photos:
                click.echo(textwrap.indent(photo.line(), "    "))
        failed += sum(1 for photo in photos if photo.error)
    if failed:
        raise click.ClickException(f"{failed} labelled photo(s) could not be read")


if __name__ == "__main__":  # pragma: no cover
    from edge.entry import run_main
    run_main(main, "python -m benchmarks.perturb")
