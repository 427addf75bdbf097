"""Images as users have them: each opens with the right pixels or fails with one clear line."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from studio.core.errors import InputImageError
from studio.core.imagefiles import read_image, read_mask
from tests import image_cases
from tests.image_cases import H, W


def _read(tmp_path, name):
    path = image_cases.build(tmp_path, name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ResourceWarning or DecompressionBombWarning leaks
        return read_image(path)[0]


def test_16_bit_png_is_scaled_not_clipped(tmp_path):
    pixels = _read(tmp_path, "16-bit PNG")
    assert pixels.shape == (H, W, 3)
    expected = np.round(np.arange(W * H).reshape(H, W) * 21 / 65535 * 255)
    assert np.abs(pixels[..., 0].astype(int) - expected).max() <= 1
    assert (pixels[..., 0] == pixels[..., 2]).all()
    assert pixels.max() > 200  # the brightest 16-bit value is near white, not clipped at 255


def test_cmyk_jpeg_becomes_rgb_with_the_right_colour(tmp_path):
    pixels = _read(tmp_path, "CMYK JPEG")
    assert pixels.shape == (H, W, 3)
    assert np.abs(pixels.reshape(-1, 3).mean(0) - (255, 0, 0)).max() < 8


def test_exif_rotated_jpeg_is_shown_upright(tmp_path):
    pixels = _read(tmp_path, "EXIF-rotated JPEG")
    assert pixels.shape == (W, H, 3)  # portrait after the rotation
    top_right = pixels[: W // 2 - 4, H // 2 + 4 :]
    top_left = pixels[: W // 2 - 4, : H // 2 - 4]
    assert top_right[..., 0].mean() > 240 and top_left[..., 0].mean() < 15


def test_greyscale_becomes_rgb(tmp_path):
    pixels = _read(tmp_path, "greyscale")
    assert pixels.shape == (H, W, 3) and (pixels == 100).all()


def test_greyscale_with_alpha_keeps_its_alpha(tmp_path):
    pixels = _read(tmp_path, "greyscale+alpha")
    assert pixels.shape == (H, W, 4)
    assert (pixels[..., :3] == 100).all() and (pixels[..., 3] == 30).all()


def test_palette_transparency_becomes_alpha(tmp_path):
    pixels = _read(tmp_path, "palette with transparency")
    assert pixels.shape == (H, W, 4)
    assert (pixels[:, : W // 2, 3] == 0).all() and (pixels[:, W // 2 :, 3] == 255).all()
    assert (pixels[:, W // 2 :, :3] == (0, 0, 255)).all()


def test_transparent_rgba_keeps_alpha_and_colour(tmp_path):
    pixels = _read(tmp_path, "transparent RGBA")
    assert pixels.shape == (H, W, 4)
    assert (pixels[:, : W // 2, 3] == 0).all() and (pixels[:, W // 2 :, 3] == 255).all()
    assert (pixels[..., 1] == 200).all()


@pytest.mark.parametrize("name", ["animated GIF", "animated WebP"])
def test_animation_gives_its_first_frame(tmp_path, name):
    pixels = _read(tmp_path, name)
    assert pixels.shape == (H, W, 3)
    assert np.abs(pixels.reshape(-1, 3).mean(0) - (255, 0, 0)).max() < 4


def test_png_with_a_jpg_extension_opens(tmp_path):
    pixels = _read(tmp_path, "PNG named .jpg")
    assert (pixels == (0, 255, 0)).all()


@pytest.mark.parametrize("name", sorted(image_cases.UNREADABLE))
def test_unreadable_images_give_one_clear_line(tmp_path, name):
    path = image_cases.build(tmp_path, name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputImageError) as caught:
            read_image(path)
        with pytest.raises(InputImageError):
            read_mask(path)
    message = str(caught.value)
    assert "\n" not in message and path.name in message
    for words in image_cases.UNREADABLE[name][2]:
        assert words in message


def test_mask_from_an_exif_rotated_or_16_bit_file(tmp_path):
    rotated = read_mask(image_cases.build(tmp_path, "EXIF-rotated JPEG"))
    assert rotated.shape == (W, H)
    deep = read_mask(image_cases.build(tmp_path, "16-bit PNG"))
    assert deep.shape == (H, W) and deep.max() > 200
