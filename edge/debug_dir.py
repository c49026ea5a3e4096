"""`predict --debug-dir`: the pictures of each image's reading, one name per image, all or none of them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

from edge.detect import Box
from edge.files import write_image_atomic
from edge.frame_pass import Reading
from edge.overlay import annotate, crop_strip


def write_pictures(debug_dir: Path, name: str, frame: np.ndarray, reading: Reading, roi: Box | None) -> None:
    """The debug pictures of one image: each step of the reader, the annotated frame, the crops; all of
    them or, where one cannot be written, none (those written before it are removed).

    Raises:
      OSError: a picture could not be written (a full disk, say), naming it.
    """
    pictures = dict(reading.trace)
    pictures["annotated"] = annotate(frame, reading, roi=roi)
    pictures["crops"] = crop_strip(reading.crops, [d.label for d in reading.digits])
    places = max(2, len(str(len(reading.crops) - 1)))  # crop007 after crop006, not crop100 after crop10
    for k, crop in enumerate(reading.crops):
        pictures[f"crop{k:0{places}d}"] = crop
    written = []
    try:
        for step, image in pictures.items():
            write_image_atomic(debug_dir / f"{name}_{step}.png", image)
            written.append(debug_dir / f"{name}_{step}.png")
    except OSError:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def debug_names(paths: Sequence[str | os.PathLike]) -> list[str]:
    """A file-name stem per image that no other image of the run shares (a/row.jpg, b/row.jpg; and
    row.jpg, row.png, row-2.jpg: the second row-3)."""
    names: list[str] = []
    given: set[str] = set()
    taken = {Path(path).stem or "image" for path in paths}
    for path in paths:
        stem = name = Path(path).stem or "image"
        k = 1
        while name in given or (k > 1 and name in taken):
            k += 1
            name = f"{stem}-{k}"
        names.append(name)
        given.add(name)
    return names
