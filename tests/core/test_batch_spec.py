"""Batch specs: parsed, defaulted and validated completely before anything renders."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.core.batch_spec import load_spec, parse_spec
from studio.core.errors import BatchSpecError
from studio.core.imagefiles import save_png
from studio.core.params import GenerationParams

DESIGN_SPEC = """
model = "tiny"
steps = 20
size = "512x512"
name = "{index:04d}-{prompt:.40}-{seed}"

[[job]]
prompt = "castle on a cliff, concept art"
seeds = [1, 2, 3]

[[job]]
prompt = "forest shrine, matte painting"
count = 4
mode = "img2img"
image = "sketch.png"
strength = 0.6
"""


def _png(path: Path, value: int = 128, size: tuple[int, int] = (64, 64)) -> Path:
    Image.fromarray(np.full((size[1], size[0], 3), value, np.uint8)).save(path)
    return path


def _mask(path: Path, size: tuple[int, int] = (64, 64), white: bool = True) -> Path:
    mask = np.zeros((size[1], size[0]), np.uint8)
    if white:
        mask[16:48, 16:48] = 255
    Image.fromarray(mask).save(path)
    return path


def _spec(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    _png(tmp_path / "sketch.png")
    _mask(tmp_path / "mask.png")
    _mask(tmp_path / "black.png", white=False)
    _mask(tmp_path / "small-mask.png", size=(32, 32))
    return tmp_path


def test_design_example_plans_every_image(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")  # paths are relative to the spec file, not the working directory
    spec = load_spec(_spec(folder, DESIGN_SPEC))
    assert [i.index for i in spec.images] == [1, 2, 3, 4, 5, 6, 7]
    assert [i.job for i in spec.images] == [1, 1, 1, 2, 2, 2, 2]
    assert [i.params.seed for i in spec.images] == [1, 2, 3, 0, 1, 2, 3]
    first, shrine = spec.images[0].params, spec.images[3].params
    assert (first.mode, first.model, first.steps, first.size) == ("txt2img", "tiny", 20, "512x512")
    assert first.count == 1 and spec.images[0].image is None
    assert (shrine.mode, shrine.strength, shrine.prompt) == (
        "img2img",
        0.6,
        "forest shrine, matte painting",
    )
    assert spec.images[3].image == (folder / "sketch.png").resolve()
    digest = hashlib.sha256((folder / "sketch.png").read_bytes()).hexdigest()
    assert shrine.extra == {"source_image": "sketch.png", "source_image_sha256": digest}
    assert spec.images[0].template.text == "{index:04d}-{prompt:.40}-{seed}"
    assert spec.format == "png"


def test_job_keys_override_top_level_defaults(folder: Path) -> None:
    text = """
model = "tiny"
steps = 5
cfg = 4
count = 2
seed = 100
negative = "blurry"
scheduler = "dpm++ 2m karras"
mask-blur = 9

[[job]]
prompt = "a"

[[job]]
prompt = "b"
steps = 7
seeds = [42]
negative = ""
size = "64x128"
"""
    images = load_spec(_spec(folder, text)).images
    a1, a2, b = (i.params for i in images)
    assert [a1.seed, a2.seed, b.seed] == [100, 101, 42]
    assert (a1.steps, a1.cfg, a1.negative, a1.mask_blur) == (5, 4.0, "blurry", 9)
    assert a1.scheduler == "DPM++ 2M Karras"
    assert (b.steps, b.negative, b.width, b.height) == (7, "", 64, 128)
    assert images[0].size_given is False and images[2].size_given is True


def test_modes_are_inferred_from_inputs_and_inpaint_defaults_to_full_strength(
    folder: Path,
) -> None:
    text = """
model = "tiny"
size = "64x64"
[[job]]
prompt = "repaint"
image = "sketch.png"
mask = "mask.png"
[[job]]
prompt = "vary"
image = "sketch.png"
[[job]]
prompt = "wider"
mode = "outpaint"
image = "sketch.png"
extend = [0, 0, 32, 0]
"""
    inpaint, img2img, outpaint = (i.params for i in load_spec(_spec(folder, text)).images)
    assert (inpaint.mode, inpaint.strength) == ("inpaint", 1.0)
    assert "source_mask_sha256" in inpaint.extra
    assert (img2img.mode, img2img.strength) == ("img2img", 0.75)
    assert (outpaint.mode, outpaint.extend) == ("outpaint", (0, 0, 32, 0))


def test_img2img_without_a_size_renders_at_the_image_size(folder: Path) -> None:
    _png(folder / "wide.png", size=(100, 60))
    text = 'model = "tiny"\n[[job]]\nprompt = "x"\nimage = "wide.png"\n'
    (item,) = load_spec(_spec(folder, text)).images
    assert (item.params.width, item.params.height, item.size_given) == (96, 56, True)


def test_params_from_an_image_then_keys_beside_it_win(folder: Path) -> None:
    source = GenerationParams(prompt="old castle", model="tiny", steps=9, seed=77, cfg=3.5)
    save_png(folder / "made.png", np.zeros((64, 64, 3), np.uint8), source.replace(width=64))
    text = 'params-from = "made.png"\n[[job]]\nsteps = 3\n[[job]]\nprompt = "new"\n'
    first, second = (i.params for i in load_spec(_spec(folder, text)).images)
    assert (first.prompt, first.steps, first.seed, first.cfg, first.width) == (
        "old castle",
        3,
        77,
        3.5,
        64,
    )
    assert (second.prompt, second.steps) == ("new", 9)


TWO_JOBS = 'model = "tiny"\nsize = "64x64"\n[[job]]\nprompt = "ok"\n[[job]]\nprompt = "x"\n'


@pytest.mark.parametrize(
    ("job_two", "expected"),
    [
        ("stepz = 3", "job 2: unknown key 'stepz' (did you mean 'steps'?)"),
        ('steps = "20"', "job 2: key 'steps' must be a whole number, got text"),
        ("steps = 2.0", "job 2: key 'steps' must be a whole number, got a number"),
        ('cfg = "high"', "job 2: key 'cfg' must be a number"),
        ("negative = 3", "job 2: key 'negative' must be text"),
        ('seeds = [1, "2"]', "job 2: key 'seeds' must be a non-empty array of whole numbers"),
        ("seeds = []", "job 2: key 'seeds' must be a non-empty array"),
        ("seeds = [-1]", "job 2: key 'seeds': seed -1 is not from 0"),
        ("seeds = [1]\ncount = 2", "job 2: give either 'seeds' or 'count', not both"),
        ("count = true", "job 2: key 'count' must be a whole number, got a boolean"),
        ('image = "missing.png"', "job 2: key 'image': file 'missing.png' not found"),
        (
            'mode = "inpaint"\nimage = "sketch.png"\nmask = "nope.png"',
            "job 2: key 'mask': file 'nope.png' not found",
        ),
        ('mode = "inpaint"\nimage = "sketch.png"', "job 2: missing key 'mask'"),
        ('mode = "img2img"', "job 2: missing key 'image'"),
        ('mode = "txt2img"\nimage = "sketch.png"', "job 2: key 'image' is set but mode"),
        ('mode = "sketchify"', "job 2: key 'mode': unknown mode 'sketchify'"),
        (
            'image = "sketch.png"\nmask = "small-mask.png"',
            "job 2: key 'mask': the mask is 32x32 but the image is 64x64",
        ),
        ('image = "sketch.png"\nmask = "black.png"', "job 2: key 'mask': the mask is all black"),
        ('image = "notes.txt"', "job 2: key 'image': 'notes.txt' is not an image"),
        ('name = "{index}-{colour}"', "job 2: key 'name': name template '{index}-{colour}' uses"),
        ('name = "{prompt:04d}"', "job 2: key 'name': name template '{prompt:04d}': format spec"),
        ('name = "{index"', "job 2: key 'name': name template '{index' is malformed"),
        ('name = "fixed"', "job 2: key 'name': name template 'fixed' has no field"),
        ('name = "{prompt.__class__}"', "job 2: key 'name': name template"),
        ('name = "{index:0999999d}"', "job 2: key 'name': name template"),
        ('scheduler = "warp drive"', "job 2: unknown scheduler 'warp drive'"),
        ('size = "64x"', "job 2: key 'size': size '64x' is not WIDTHxHEIGHT"),
        ('size = "60x64"', "job 2: key 'size': width 60 must be a multiple of 8"),
        ('model = ""', "job 2: missing key 'model'"),
        ("strength = 2", "job 2: strength must be between 0 and 1"),
        ('mode = "outpaint"\nimage = "sketch.png"', "job 2: key 'extend': outpaint needs"),
        ('extend = "1,2"', "job 2: key 'extend': extend '1,2' is not LEFT,TOP,RIGHT,BOTTOM"),
        ('preview-dir = "x"', "job 2: key 'preview-dir' is not used in a batch spec"),
        ("mask_blur = 1\nmask-blur = 2", "job 2: key 'mask-blur' is given twice"),
        ('format = "jpeg"', "job 2: unknown key 'format'"),
    ],
)
def test_bad_job_is_rejected_naming_the_job_and_key(
    folder: Path, job_two: str, expected: str
) -> None:
    (folder / "notes.txt").write_text("not an image")
    with pytest.raises(BatchSpecError) as caught:
        load_spec(_spec(folder, TWO_JOBS + job_two + "\n"))
    assert str(caught.value).startswith("spec.toml: ")
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stepz = 3\n" + TWO_JOBS, "spec.toml: unknown key 'stepz' (did you mean 'steps'?)"),
        ('model = "tiny"\n[[jobs]]\nprompt = "x"\n', "unknown key 'jobs' (did you mean 'job'?)"),
        ('model = "tiny"\n', "no [[job]] tables"),
        ('model = "tiny"\njob = "x"\n', "key 'job' must be an array of tables"),
        ('format = "gif"\n' + TWO_JOBS, "key 'format': unknown image format 'gif'"),
        ("format = 1\n" + TWO_JOBS, "key 'format' must be text"),
        ("quality = 0\n" + TWO_JOBS, "key 'quality' must be from 1 to 100"),
        ('model = "tiny"\n[[job]\nprompt = "x"\n', "not valid TOML"),
        ('name = "{seed}/{nope}"\n' + TWO_JOBS, "job 1: key 'name'"),
        ('[[job]]\nprompt = "x"\n', "job 1: missing key 'model'"),
        ('model = "tiny"\n[[job]]\nseed = 3\n', "job 1: missing key 'prompt'"),
    ],
)
def test_bad_top_level_is_rejected(folder: Path, text: str, expected: str) -> None:
    with pytest.raises(BatchSpecError, match=None) as caught:
        load_spec(_spec(folder, text))
    assert expected in str(caught.value)


def test_missing_spec_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(BatchSpecError, match="does not exist"):
        load_spec(tmp_path / "nope.toml")


def test_every_input_is_checked_before_planning_finishes(folder: Path) -> None:
    """A bad job late in the spec fails the whole spec: nothing is planned, so nothing renders."""
    text = TWO_JOBS + "\n".join(f'[[job]]\nprompt = "p{n}"' for n in range(50))
    text += '\n[[job]]\nprompt = "late"\nimage = "gone.png"\n'
    with pytest.raises(BatchSpecError, match="job 53: key 'image'"):
        parse_spec(text, folder / "spec.toml")


def test_formats_and_quality(folder: Path) -> None:
    spec = load_spec(_spec(folder, 'format = "JPG"\nquality = 80\n' + TWO_JOBS))
    assert (spec.format, spec.quality) == ("jpeg", 80)
