"""The perturbations of `python -m benchmarks.perturb`, and the command on a small labelled folder."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

from benchmarks import perturb


def _page(size=(600, 800)) -> np.ndarray:
    """Grey paper with a black square: sharp edges both ways."""
    image = np.full((*size, 3), 200, np.uint8)
    image[200:400, 300:500] = 30
    return image


def _edge_width(image: np.ndarray) -> int:
    """Pixels the square's left edge takes to go from 10 to 90 % of its step (rows averaged: no noise)."""
    profile = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)[250:350, 250:350].mean(axis=0)
    level = (profile[0] - profile) / (profile[0] - profile[-1])
    return int(((level > 0.1) & (level < 0.9)).sum())


@pytest.mark.parametrize("name", list(perturb.PERTURBATIONS))
def test_each_keeps_a_colour_photo_and_draws_the_same_noise_for_the_same_photo(name):
    image = _page()
    out = perturb.perturbed(name, image, "a.jpg")
    assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == 3
    if name in ("turned-90", "turned-270"):
        assert out.shape == (image.shape[1], image.shape[0], 3)
    elif name != "640px":
        assert out.shape == image.shape
    np.testing.assert_array_equal(out, perturb.perturbed(name, image, "a.jpg"))


def test_noise_differs_between_photos_and_seeds():
    image = _page()
    one = perturb.perturbed("noise-6", image, "a.jpg")
    assert not np.array_equal(one, perturb.perturbed("noise-6", image, "b.jpg"))
    assert not np.array_equal(one, perturb.perturbed("noise-6", image, "a.jpg", seed=1))


def test_defocus_blurs_more_as_it_grows_and_alike_at_any_size():
    image = _page((1200, 1600))
    widths = [_edge_width(perturb.perturbed(name, image, "a.jpg"))
              for name in ("as-photographed", "defocus-1", "defocus-1.5", "defocus-2")]
    assert widths[0] == 0 and widths == sorted(set(widths))
    assert widths[-1] == pytest.approx(2.56 * 3.2, abs=1.5)  # 10-90 % of a Gaussian step: 2.56 sigma
    # Sized per 1,000 px: a photo twice as large, defocused and halved, is as blurred as the small one.
    big = cv2.resize(image, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
    halved = cv2.resize(perturb.defocus(2.0)(big, np.random.default_rng(0)), (1600, 1200),
                        interpolation=cv2.INTER_AREA)
    small = perturb.defocus(2.0)(image, np.random.default_rng(0))
    assert abs(_edge_width(halved) - _edge_width(small)) <= 1


def test_shake_smears_sideways_only():
    image = _page()
    out = perturb.shake(7.0)(image, np.random.default_rng(0)).astype(int)
    # Across the square's left edge (a vertical edge) the step is spread over the smear's 6 px ...
    assert (out[300, 294:306, 0] > 60).sum() >= 5 and (out[300, 294:306, 0] < 170).sum() >= 5
    # ... and across its top edge (a horizontal edge) it stays one step.
    column = out[190:210, 400, 0]
    assert (np.abs(column[:9] - 200) < 12).all() and (np.abs(column[11:] - 30) < 12).all()


def test_fewer_pixels_shrinks_the_longer_side_and_never_enlarges():
    assert perturb.perturbed("640px", _page((1200, 1600)), "a.jpg").shape == (480, 640, 3)
    assert perturb.perturbed("640px", _page((300, 400)), "a.jpg").shape == (300, 400, 3)


def test_the_command_scores_each_perturbation_and_fails_on_an_unreadable_photo(tmp_path, tiny_models,
                                                                                 confident_digits):
    from edge.synth import draw_digits
    images, labels = confident_digits
    for k in range(2):
        frame = draw_digits(images[5 * k:5 * k + 5], seed=k)
        cv2.imwrite(str(tmp_path / f"p{k}.png"), frame)
    truth = ["".join(map(str, labels[5 * k:5 * k + 5])) for k in range(2)]
    (tmp_path / "labels.csv").write_text(f"file,digits\np0.png,{truth[0]}\np1.png,{truth[1]}\n")
    model = str(tiny_models / "digits_int8.tflite")
    args = [str(tmp_path), "--model", model, "--only", "as-photographed", "--only", "warm", "--verbose"]
    result = CliRunner().invoke(perturb.main, args)
    assert result.exit_code == 0, result.output
    totals = [line for line in result.output.splitlines() if not line.startswith(" ")]
    assert [line.split()[0] for line in totals] == ["as-photographed", "warm"]
    assert all(" of " not in line and "/10 right" in line for line in totals)
    assert result.output.count("p0.png: ") == 2 and f"truth   {truth[1]}" in result.output

    (tmp_path / "p1.png").write_bytes(b"not an image")
    result = CliRunner().invoke(perturb.main, [str(tmp_path), "--model", model, "--only", "warm"])
    assert result.exit_code == 1 and "1 labelled photo(s) could not be read" in result.output


def test_quarter_turns_keep_every_pixel_and_turn_clockwise():
    image = np.zeros((2, 3, 3), np.uint8)
    image[0, 0] = 255  # top left
    quarter = perturb.perturbed("turned-90", image, "a.jpg")
    assert quarter.shape == (3, 2, 3) and quarter[0, 1, 0] == 255  # top right, turned clockwise
    assert perturb.perturbed("turned-180", image, "a.jpg")[1, 2, 0] == 255
    assert perturb.perturbed("turned-270", image, "a.jpg")[2, 0, 0] == 255
    for name in ("turned-90", "turned-180", "turned-270"):
        turned = perturb.perturbed(name, image, "a.jpg")
        assert np.array_equal(np.sort(turned, axis=None), np.sort(image, axis=None))
