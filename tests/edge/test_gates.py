"""Accuracy gates on real data, with the model `make train convert` built: the shared photos and the desk
sheets, as photographed and made worse the ways cameras do."""

from __future__ import annotations

import numpy as np
import pytest

from edge.scoring import align

pytestmark = pytest.mark.gates

MIN_DIGIT_ACCURACY = 0.95  # digits right over the whole photo set, by alignment
MAX_SPURIOUS_DIGITS = 1  # over the whole set
MAX_SPURIOUS_ON_DESKS = 3  # over the six desk photos (592 digits)
def test_align():
    assert align("13540", "13540") == (5, 0)
    assert align("13540", "135400") == (5, 1)
    assert align("13540", "1340") == (4, 0)
    assert align("13540", "18540") == (4, 0)
    # A dropped digit early in a long string costs one digit, not the rest of the string.
    truth = "1533120813420351496442123198609120764"
    assert align(truth, truth[:5] + truth[6:]) == (len(truth) - 1, 0)


def _score(folder, model):
    from edge.reader import DigitReader
    from edge.runtime import Classifier
    from edge.scoring import score_folder
    from edge.sources import load_image

    reader = DigitReader(Classifier(model))
    result = score_folder(folder, lambda path: reader.read(load_image(path)).text)
    return result, "\n".join(p.line() for p in result.photos) + "\n" + result.summary()


def test_shared_photos(trained_model, photos_dir):
    result, report = _score(photos_dir, trained_model)
    assert result.right / result.total >= MIN_DIGIT_ACCURACY, report
    assert result.spurious <= MAX_SPURIOUS_DIGITS, report


def test_a_sheet_on_a_desk(trained_model, desk_dir):
    """The sheet is found, rectified and read; nothing off it is (desk grain, tape, embossing)."""
    result, report = _score(desk_dir, trained_model)
    assert result.right / result.total >= MIN_DIGIT_ACCURACY, report
    assert result.spurious <= MAX_SPURIOUS_ON_DESKS, report


def test_a_page_filling_a_big_photo(trained_model, desk_dir):
    """The desk sheets cut to their paper (found, squared, cropped 3 % inside its edge) as phone photos
    of a page filling the frame: 5-mm digits in a thin pen, read finer than a camera frame."""
    from edge import page
    from edge.reader import DigitReader
    from edge.runtime import Classifier
    from edge.scoring import FolderScore, read_labels, score_photo
    from edge.sources import load_image

    reader = DigitReader(Classifier(trained_model))
    scores = []
    for name, truth in read_labels(desk_dir):
        frame = load_image(desk_dir / name)
        sheet = page.find_page(frame)
        assert sheet is not None, name
        view, _ = page.rectify(frame, sheet, max(frame.shape[:2]))
        m = int(0.03 * min(view.shape[:2]))
        scores.append(score_photo(name, truth, reader.read(view[m:-m, m:-m]).text))
    result = FolderScore(scores)
    report = "\n".join(p.line() for p in result.photos) + "\n" + result.summary()
    assert result.right / result.total >= MIN_DIGIT_ACCURACY, report  # 55 of 592 shrunk to 640 px
    assert result.spurious <= MAX_SPURIOUS_ON_DESKS, report



# Of the desk sheets in a photo shaken by 7 px per 1,000 sideways (benchmarks.perturb's shake-7), at
# least this share of their digits is read: 342 of 592 (57.8 %) since a sheet's split is measured over
# its inner part, 190 (32.1 %) before (model sha256 165e1e3d..., AMD EPYC, 2 cores); 348 now (model
# 554487f1...). Out of focus by 2 px per 1,000 (defocus-2): 328 (55.4 %) since lone strokes half as dark
# as the sheet's ink are ink (edge.threshold.SEED_SHARE), 275 (46.5 %) with that taken out (model
# 554487f1..., AMD EPYC, 2 cores, 2026-12-06). Out of focus by 1 px per 1,000 (defocus-1): 559 (94.4 %)
# since a 0 whose loop blur filled is opened (edge.filled), 552 (93.2 %) before (model 554487f1..., AMD
# EPYC, 2 cores, 2026-12-06 evening); 566 (95.6 %) since a blob read unsure is read again with its loops
# blurred shut opened (edge.readings._opened), 559 without it (the same model and machine, 2026-12-07).
MIN_BLURRED_DESK_ACCURACY = {"shake-7": 0.5, "defocus-2": 0.5, "defocus-1": 0.95}


@pytest.mark.parametrize("blur", list(MIN_BLURRED_DESK_ACCURACY))
def test_the_desk_sheets_in_a_blurred_photo(trained_model, desk_dir, blur):
    """Real sheets on desks whose outline takes in some desk, in a photo smeared sideways or out of
    focus: the faint stretches of the strokes, split by a threshold the desk has not lifted, and a thin
    pen's lone strokes faded below the contrast floor, read; no spurious digit beyond the desk
    allowance."""
    from benchmarks.perturb import perturbed
    from edge.reader import DigitReader
    from edge.runtime import Classifier
    from edge.scoring import score_folder
    from edge.sources import load_image

    reader = DigitReader(Classifier(trained_model))
    result = score_folder(desk_dir, lambda path: reader.read(
        perturbed(blur, load_image(path), path.name)).text)
    report = "\n".join(p.line() for p in result.photos) + "\n" + result.summary()
    assert result.right / result.total >= MIN_BLURRED_DESK_ACCURACY[blur], report
    assert result.spurious <= MAX_SPURIOUS_ON_DESKS, report


def test_the_photos_made_darker_read_nothing_in_a_phones_shadow(trained_model, photos_dir):
    """The shared photos under-exposed (benchmarks.perturb's "dark"): row_03_shadow's phone shadow, its
    paper at 12 of 255, keeps the sensor's noise out of the ink (preprocess.without_dark_noise); before,
    two digits were read in it (60 of 60 right, 2 spurious; 59 with none since, row_04's open 4 read as
    the 9 the model reads it as photographed; model 554487f1..., AMD EPYC, 2 cores)."""
    from benchmarks.perturb import perturbed
    from edge.reader import DigitReader
    from edge.runtime import Classifier
    from edge.scoring import score_folder
    from edge.sources import load_image

    reader = DigitReader(Classifier(trained_model))
    result = score_folder(photos_dir, lambda path: reader.read(
        perturbed("dark", load_image(path), path.name)).text)
    report = "\n".join(p.line() for p in result.photos) + "\n" + result.summary()
    assert result.right / result.total >= MIN_DIGIT_ACCURACY, report
    assert result.spurious == 0, report


@pytest.mark.parametrize("turn", ["turned-90", "turned-180", "turned-270"])
def test_both_sets_turned_a_quarter_or_half_turn_are_read_as_upright(trained_model, desk_dir, photos_dir,
                                                                       turn):
    """A sheet lying sideways or upside down, or a photo stored turned without an EXIF orientation
    (benchmarks.perturb's turned-90/180/270): read turned back (edge.orientation), as many digits as
    upright and no spurious one beyond the desk allowance. 647, 640 and 647 of 652 read, none spurious;
    195, 286 and 187 with 5, 1 and 9 spurious before the turn was looked for (int8 model sha256 8690de4b...,
    AMD EPYC, 2 cores). Upside down, a row of 8s, 7s, 3s and 0s reads surely as it stands (row_04: 3 of
    10)."""
    from benchmarks.perturb import perturbed
    from edge.reader import DigitReader
    from edge.runtime import Classifier
    from edge.scoring import FolderScore, score_folder
    from edge.sources import load_image

    reader = DigitReader(Classifier(trained_model))
    photos = []
    for folder in (desk_dir, photos_dir):
        photos += score_folder(folder, lambda path: reader.read(
            perturbed(turn, load_image(path), path.name)).text).photos
    result = FolderScore(photos)
    report = "\n".join(p.line() for p in result.photos) + "\n" + result.summary()
    assert result.right / result.total >= MIN_DIGIT_ACCURACY, report
    assert result.spurious <= MAX_SPURIOUS_ON_DESKS, report

def test_the_desk_sheets_ruled_under_a_pool_of_light(trained_model, desk_dir):
    """Real handwriting on ruled paper filling the frame under uneven light: each desk sheet rectified as
    the reader does (1,600 px), faint blue rules and a red margin printed over it, and one corner's part
    lit, the rest 30 % darker past a soft edge (synth.pool_of_light). The lit part is neither a sheet cut
    by the frame nor a note (steps.open_sided, note._paper_more_lit): without those, 311 of 592 read."""
    import cv2

    from edge import page, synth
    from edge.reader import DigitReader
    from edge.runtime import Classifier
    from edge.scoring import FolderScore, read_labels, score_photo
    from edge.sources import load_image

    reader = DigitReader(Classifier(trained_model))
    scores = []
    for k, (name, truth) in enumerate(read_labels(desk_dir)):
        frame = load_image(desk_dir / name)
        view, _ = page.rectify(frame, page.find_page(frame), 1600)
        h, w = view.shape[:2]
        printed = np.full((h, w, 3), 255, np.uint8)
        for y in range(int(0.028 * h), h, int(0.028 * h)):
            cv2.line(printed, (0, y), (w - 1, y), (235, 205, 170), 1, cv2.LINE_AA)
        cv2.line(printed, (int(0.06 * w), 0), (int(0.06 * w), h - 1), (150, 150, 235), 1, cv2.LINE_AA)
        ruled = view.astype(np.float32) * cv2.GaussianBlur(printed, (3, 3), 0) / 255
        lit = synth.pool_of_light(ruled, np.random.default_rng(k), 0.3)
        scores.append(score_photo(name, truth, reader.read(np.clip(lit, 0, 255).astype(np.uint8)).text))
    result = FolderScore(scores)
    report = "\n".join(p.line() for p in result.photos) + "\n" + result.summary()
    assert result.right / result.total >= 0.93, report
    assert result.spurious <= MAX_SPURIOUS_ON_DESKS, report

def test_each_desk_sheet_is_outlined_as_a_sheet(desk_dir):
    """The outline is the sheet's, not the sheet joined to a glare: inside the frame, A4-shaped.

    (The shared sheets are A4, 1.41 tall for 1 wide; perspective foreshortens that a little.)
    """
    from edge.page import find_page
    from edge.scoring import read_labels
    from edge.sources import load_image

    for name, _ in read_labels(desk_dir):
        frame = load_image(desk_dir / name)
        sheet = find_page(frame)
        assert sheet is not None, name
        h, w = frame.shape[:2]
        slack = 0.02 * np.float32([w, h])
        assert (sheet.corners >= -slack).all() and (sheet.corners <= np.float32([w, h]) + slack).all(), name
        width, height = sheet.native_size
        assert 1.15 <= height / width <= 1.6, (name, width, height)


def test_the_shared_photos_cut_down_to_their_numbers(trained_model, photos_dir):
    """Real photos, not synthetic paper: each row photo cut at the boxes of the digits read on it, no
    paper left beyond them (a user's tightest crop). 48 of 60 digits with none spurious at 92faee3 (AMD
    EPYC, 2 cores, 2026-12-06; the one column photo is no cut-out: its digits are not tall in it), 33
    with the cut-out look switched off."""
    import csv

    from edge.reader import DigitReader
    from edge.runtime import Classifier
    from edge.sources import load_image

    reader = DigitReader(Classifier(trained_model))
    right = total = spurious = 0
    with open(photos_dir / "labels.csv", newline="") as f:
        for row in csv.DictReader(f):
            photo = load_image(photos_dir / row["file"])
            boxes = [d.box for d in reader.read(photo).digits]
            x0, y0 = min(b.x for b in boxes), min(b.y for b in boxes)
            x1, y1 = max(b.x + b.w for b in boxes), max(b.y + b.h for b in boxes)
            ok, extra = align(row["digits"], reader.read(photo[y0:y1, x0:x1]).text)
            right, total, spurious = right + ok, total + len(row["digits"]), spurious + extra
    assert right >= 0.75 * total and spurious == 0, (right, total, spurious)


# Both sets cut into crops of 1, 2, 3 and 5 digits with a margin of 0.15, 0.4 and 1 digit height, and
# their runs of 1 and 2 held up close to a camera (benchmarks.crops): 1,338 of 1,351 and 8,648 of 8,708
# digits with 4 and 16 spurious (2026-12-07, model 554487f1...); 1,285 and 8,410 with 39 and 111 at
# cd42f9b, before rules were measured against the frame's longer side.
MIN_CROPS_ACCURACY = 0.98
MAX_CROPS_SPURIOUS = {"photos": 12, "desk": 30}


def _ways_scored(model, folder, ways) -> tuple[int, int, int, list]:
    """benchmarks.crops.score_crops of a labelled folder, read with `model`, `ways` (None: the crops'):
    digits right, digits, spurious digits, and (file, truth, reading) of each image not read exactly."""
    from benchmarks.crops import reading_of, score_crops
    from edge.reader import DigitReader
    from edge.runtime import Classifier

    scores, _ = score_crops(folder, reading_of(DigitReader(Classifier(model))), ways)
    photos = [p for s in scores.values() for p in s.photos]
    misread = [(p.file, p.truth, p.reading) for p in photos if p.reading != p.truth]
    return (sum(s.right for s in scores.values()), sum(s.total for s in scores.values()),
            sum(s.spurious for s in scores.values()), misread)


@pytest.mark.parametrize("folder", ["photos", "desk"])
def test_both_sets_cut_into_crops_of_a_few_digits(trained_model, photos_dir, desk_dir, folder):
    """A user's crop of a photo to a number: its digits fill it, and a stroke is a large share of it."""
    photos = photos_dir if folder == "photos" else desk_dir
    right, total, spurious, misread = _ways_scored(trained_model, photos, None)
    assert right >= MIN_CROPS_ACCURACY * total, (right, total, misread)
    assert spurious <= MAX_CROPS_SPURIOUS[folder], (spurious, misread)


# Both sets as if written on ruled and squared paper (benchmarks.ruled), with the int8 model of 2026-12-05
# (sha256 554487f1..., AMD EPYC, 2 cores): the photos 100 of 100 digits, none spurious; the desk 517 of
# 518 with 2 spurious. Before a ruled page's rules' darkness was taken out (edge.faint_rules): 90 with none
# (a squared page in a shadow read nothing) and 497 with 52 (faint grid lines read as 1s).
MIN_RULED_ACCURACY = 0.97
MAX_RULED_SPURIOUS = 3
# ... and photographed with the camera turned 3 to 10 degrees (2026-12-07, Intel(R) Xeon(R) Processor): the photos
# 93 of 100 with 5 spurious (row_06_dim on ruled paper reads nothing: the page finder takes the lit half of
# the dim page, under a rule, for the page), the desk 515 of 518 with 1. Before the rules' darkness was
# taken out at their slope: 92 with 7, and 515 with 1.
MIN_TURNED_ACCURACY = 0.92
MAX_TURNED_SPURIOUS = 6
# ... and photographed with the camera tilted, one side of the photo 8 to 20 % narrower (2026-12-07, Intel(R)
# Xeon(R) Processor): the photos 100 of 100 with 14 spurious (row_03_shadow on squared paper, its bottom
# narrower: the grid's columns in the shadow, read as 1s), the desk 515 of 518 with 1. Before a page's
# converging rules were read rectified (edge.vanishing): 98 with 18, and 515 with 1.
MIN_TILTED_ACCURACY = 0.95
MAX_TILTED_SPURIOUS = {"photos": 16, "desk": 3}


@pytest.mark.parametrize("folder", ["photos", "desk"])
@pytest.mark.parametrize("view", ["straight", "turned", "tilted"])
def test_both_sets_on_ruled_and_squared_paper(trained_model, photos_dir, desk_dir, folder, view):
    """A notebook's faint, thin rules and grid under real handwriting: once thresholded they are dashes;
    photographed turned, they slope; tilted, they converge."""
    from benchmarks.ruled import WAYS

    photos = photos_dir if folder == "photos" else desk_dir
    ways = {label: way for label, way in WAYS.items()
            if (label.rsplit(", ", 1)[1] if ", " in label else "straight") == view}
    right, total, spurious, misread = _ways_scored(trained_model, photos, ways)
    accuracy, most = {"straight": (MIN_RULED_ACCURACY, MAX_RULED_SPURIOUS),
                      "turned": (MIN_TURNED_ACCURACY, MAX_TURNED_SPURIOUS),
                      "tilted": (MIN_TILTED_ACCURACY, MAX_TILTED_SPURIOUS[folder])}[view]
    assert len(ways) == 2 and right >= accuracy * total, (right, total, misread)
    assert spurious <= most, (spurious, misread)
