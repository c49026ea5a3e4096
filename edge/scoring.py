"""Scoring readings against the truth: a labelled folder (labels.csv) read photo by photo."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from edge.files import read_small_text
from edge.imagefile import display_name


def align(truth: str, predicted: str) -> tuple[int, int]:
    """(digits right, spurious digits) of a predicted string against the true one.

    Right digits are the longest common subsequence (exact dynamic programming:
    difflib's matcher undercounts long strings badly); what the prediction has
    beyond the true digits it matched or replaced is spurious.
    """
    previous = [0] * (len(predicted) + 1)
    for t in truth:
        row = [0]
        for j, p in enumerate(predicted):
            row.append(previous[j] + 1 if t == p else max(previous[j + 1], row[j]))
        previous = row
    spurious = max(0, len(predicted) - len(truth))
    return previous[-1], spurious


@dataclass(frozen=True)
class PhotoScore:
    file: str
    truth: str
    reading: str
    right: int
    spurious: int
    error: str | None = None

    def line(self) -> str:
        name = display_name(self.file)  # a newline in a name would split the line
        if self.error:
            return f"{name}: error: {self.error}"
        return (f"{name}: {self.right}/{len(self.truth)} right, {self.spurious} spurious\n"
                f"  truth   {self.truth}\n  reading {self.reading}")


@dataclass(frozen=True)
class FolderScore:
    photos: list[PhotoScore]

    @property
    def right(self) -> int:
        return sum(p.right for p in self.photos)

    @property
    def total(self) -> int:
        return sum(len(p.truth) for p in self.photos)

    @property
    def spurious(self) -> int:
        return sum(p.spurious for p in self.photos)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def misread(self) -> list[tuple[str, str]]:
        """(truth, reading) of the photos not read exactly."""
        return [(p.truth, p.reading) for p in self.photos if p.reading != p.truth]

    def summary(self) -> str:
        return f"{self.right} of {self.total} digits right ({self.accuracy:.1%}), {self.spurious} spurious"


def read_labels(folder: Path) -> list[tuple[str, str]]:
    """(file, digits) rows of folder/labels.csv (UTF-8, with or without the byte-order mark a
    spreadsheet writes): each file a path inside the folder, each truth digits 0-9 (spaces between
    them dropped; none for a photo that shows no digit).

    Raises:
      FileNotFoundError: no labels.csv; ValueError: it cannot be read as such a table, and which row
      is wrong.
    """
    labels = folder / "labels.csv"
    if not labels.exists():
        raise FileNotFoundError(f"{labels}: no such file (a labelled folder has labels.csv with file,digits)")
    try:
        text = read_small_text(labels, max_bytes=16 << 20).removeprefix("\ufeff")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except (OSError, ValueError, csv.Error) as exc:
        raise ValueError(f"{labels}: {getattr(exc, 'strerror', None) or exc}") from None
    if not rows:
        raise ValueError(f"{labels}: lists no photo (a header file,digits and a row per photo)")
    if not {"file", "digits"} <= set(rows[0]):
        raise ValueError(f"{labels}: needs the columns file and digits")
    return [_row(labels, row) for row in rows]


def _row(labels: Path, row: dict) -> tuple[str, str]:
    """One row of labels.csv as (file, digits), or ValueError naming the row by its file."""
    name, digits = row["file"], row["digits"]
    if name is None or digits is None:
        raise ValueError(f"{labels}: a row without both a file and its digits (a short row, or a quote "
                         "left open)")
    where = f"{labels}: the row of {display_name(name)}" if name else f"{labels}: a row"
    path = Path(name)
    if not name or path.is_absolute() or ".." in path.parts:
        raise ValueError(f"{where}: the file must be a path inside the folder")
    truth = "".join(digits.split())  # none for a photo that shows no digit
    if truth and not (truth.isdecimal() and truth.isascii()):
        raise ValueError(f"{where}: the digits {digits!r} are not digits 0-9")
    return name, truth


def score_photo(name: str, truth: str, reading: str) -> PhotoScore:
    right, spurious = align(truth, reading)
    return PhotoScore(name, truth, reading, right, spurious)


def score_folder(folder: Path, read_text: Callable[[Path], str]) -> FolderScore:
    """Reads every labelled photo of a folder with `read_text` and scores it."""
    scores = []
    for name, truth in read_labels(folder):
        try:
            text = read_text(folder / name)
        except (FileNotFoundError, ValueError) as exc:
            scores.append(PhotoScore(name, truth, "", 0, 0, str(exc)))
            continue
        scores.append(score_photo(name, truth, text))
    return FolderScore(scores)
