"""Export folders: templates, safe names, no overwrites, index, contact sheet, JPEG/WebP."""

from __future__ import annotations

import io
import json
import os
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.core.export import (
    INDEX_NAME,
    SHEET_NAME,
    ExportFolder,
    NameTemplate,
    TemplateError,
    encode_image,
    read_embedded_params,
    same_image,
    sanitize_stem,
)
from studio.core.export.names import MAX_NAME_BYTES
from studio.core.export.sheet import SheetItem, contact_sheet
from studio.core.imagefiles import read_exif_user_comment, read_image
from studio.core.metadata import params_from_text_chunks
from studio.core.params import GenerationParams

HOSTILE_PROMPTS = [
    "../../../../etc/passwd",
    "..",
    ".",
    "/",
    "/absolute/path/x",
    "C:\\Windows\\System32\\evil",
    'a:b*c?d"e<f>g|h',
    "new\nline\ttab\x00nul\x07bell\x1b[31mred",
    "\u202egnp.exe",  # right-to-left override to disguise an extension
    "x" * 500,
    "城" * 300,
    "🏰🐉👨‍👩‍👧" * 60,
    "CON",
    "nul.txt",
    "LPT1",
    "  . . .  ",
    "",
    "e\u0301" * 200,  # combining accents
    "~/.ssh/authorized_keys",
    "\\\\server\\share\\file",
]


def _pixels(seed: int, size: int = 32) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)


def _params(prompt: str = "castle", seed: int = 1, **kw: object) -> GenerationParams:
    values: dict = {"steps": 2, "width": 32, "height": 32, **kw}
    return GenerationParams(prompt=prompt, seed=seed, **values)


def _all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


# -- templates ----------------------------------------------------------------------------
def test_template_fields_and_format_specs() -> None:
    template = NameTemplate.parse("{index:04d}-{prompt:.10}-{seed}-{model}-{steps}-{date}")
    values = {
        "index": 7,
        "prompt": "castle on a cliff",
        "seed": 42,
        "model": "tiny",
        "steps": 20,
        "date": "2026-01-31",
    }
    assert template.render(values) == "0007-castle on -42-tiny-20-2026-01-31"


@pytest.mark.parametrize(
    "text",
    ["", "{colour}", "{prompt:d}", "{index", "{index}}x{", "plain", "{prompt!r}", "{prompt[0]}"],
)
def test_bad_templates_are_rejected_up_front(text: str) -> None:
    with pytest.raises(TemplateError):
        NameTemplate.parse(text)


def test_model_field_is_a_short_label(tmp_path: Path) -> None:
    folder = ExportFolder(tmp_path, NameTemplate.parse("{model}-{seed}"))
    assert folder.name_for(_params(model="/m/sd15.safetensors"), index=1) == "sd15-1"
    assert folder.name_for(_params(model="runwayml/stable-diffusion-v1-5"), index=1) == (
        "stable-diffusion-v1-5-1"
    )


# -- sanitising -----------------------------------------------------------------------------
@pytest.mark.parametrize("prompt", HOSTILE_PROMPTS)
def test_sanitised_stem_is_one_portable_name(prompt: str) -> None:
    stem = sanitize_stem(prompt)
    assert stem and stem not in (".", "..") and ".." not in stem
    assert not any(ch in stem for ch in '/\\:*?"<>|')
    assert not any(unicodedata.category(ch)[0] == "C" for ch in stem)
    assert stem == stem.strip(" .") and len(stem.encode("utf-8")) <= MAX_NAME_BYTES
    assert stem.split(".")[0].upper() not in {"CON", "NUL", "LPT1", "PRN", "AUX", "COM1"}


def test_hostile_prompts_never_escape_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    folder = ExportFolder(out, NameTemplate.parse("{prompt}"))
    paths = [folder.add(_pixels(n), _params(p, n), index=n) for n, p in enumerate(HOSTILE_PROMPTS)]
    folder.finish()
    assert all(p.parent == out and p.resolve().parent == out.resolve() for p in paths)
    assert len({p.name for p in paths}) == len(HOSTILE_PROMPTS)  # collisions got suffixes
    files = _all_files(tmp_path)
    assert files == {*paths, out / INDEX_NAME, out / SHEET_NAME}
    for n, path in enumerate(paths):
        pixels, chunks = read_image(path)
        assert np.array_equal(pixels, _pixels(n))
        assert params_from_text_chunks(chunks) == _params(HOSTILE_PROMPTS[n], n)


def test_collisions_get_a_suffix_and_never_overwrite(tmp_path: Path) -> None:
    (tmp_path / "castle.png").write_bytes(b"precious")
    (tmp_path / "Castle-2.png").write_bytes(b"also precious")  # case-insensitive systems
    folder = ExportFolder(tmp_path, NameTemplate.parse("{prompt}"))
    names = [folder.add(_pixels(n), _params("castle", n), index=n).name for n in range(3)]
    assert names[0] not in ("castle.png", "Castle-2.png")
    assert len(set(names)) == 3 and all(n.startswith("castle-") for n in names)
    assert (tmp_path / "castle.png").read_bytes() == b"precious"
    assert (tmp_path / "Castle-2.png").read_bytes() == b"also precious"


def test_a_file_that_appears_after_claiming_is_not_overwritten(tmp_path: Path) -> None:
    folder = ExportFolder(tmp_path, NameTemplate.parse("{seed}"))
    name = folder.claim("1")
    (tmp_path / name).write_bytes(b"someone else's")
    path = folder.write(name, _pixels(1), _params())
    assert path.name != name and (tmp_path / name).read_bytes() == b"someone else's"


def test_writes_are_atomic_and_leave_no_temp_files(tmp_path: Path) -> None:
    folder = ExportFolder(tmp_path)
    for n in range(3):
        folder.add(_pixels(n), _params(seed=n), index=n + 1)
    folder.finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "0001-castle-0.png",
        "0002-castle-1.png",
        "0003-castle-2.png",
        SHEET_NAME,
        INDEX_NAME,
    ]


def test_export_into_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(Exception, match="is a file"):
        ExportFolder(tmp_path / "file")


# -- index and contact sheet ----------------------------------------------------------------
def test_index_maps_each_file_to_its_full_params_and_keeps_earlier_entries(tmp_path: Path) -> None:
    first = ExportFolder(tmp_path)
    first.add(_pixels(1), _params("old", 1), index=1)
    first.write_index()
    second = ExportFolder(tmp_path)
    path = second.add(_pixels(2), _params("new", 2, negative="blurry"), index=1)
    second.write_index()
    index = json.loads((tmp_path / INDEX_NAME).read_text(encoding="utf-8"))
    assert list(index) == ["0001-old-1.png", path.name]
    assert GenerationParams.from_dict(index[path.name]) == _params("new", 2, negative="blurry")
    assert index[path.name]["negative"] == "blurry" and index[path.name]["steps"] == 2


def test_contact_sheet_is_a_captioned_grid(tmp_path: Path) -> None:
    folder = ExportFolder(tmp_path)
    for n in range(5):
        folder.add(np.full((300, 300, 3), 40 * n + 50, np.uint8), _params(f"p{n}", n), index=n)
    sheet = Image.open(folder.write_contact_sheet())
    cell_w = 256 + 8
    assert sheet.size[0] == 3 * cell_w + 8  # ceil(sqrt(5)) = 3 columns, 2 rows
    pixels = np.asarray(sheet)
    # thumbnails scaled down to the tile, centred; caption text (light pixels) under each.
    assert tuple(pixels[8 + 128, 8 + 128]) == (50, 50, 50)
    assert tuple(pixels[8 + 128, 8 + cell_w + 128]) == (90, 90, 90)
    caption = pixels[8 + 256 : 8 + 256 + 30, 8 : 8 + 256]
    assert caption.max() > 150


def test_contact_sheet_of_small_images_has_small_cells(tmp_path: Path) -> None:
    folder = ExportFolder(tmp_path)
    for n in range(4):
        folder.add(_pixels(n, size=64), _params(seed=n), index=n)
    sheet = Image.open(folder.write_contact_sheet())
    assert sheet.size[0] == 2 * (64 + 8) + 8


def test_contact_sheet_captions_survive_any_prompt() -> None:
    items = [
        SheetItem(Image.new("RGB", (40, 20)), seed=n, prompt=p)
        for n, p in enumerate(HOSTILE_PROMPTS)
    ]
    sheet = contact_sheet(items)
    # 20 items: 192 px tiles, 5 columns x 4 rows, cells 200 x (192 + 2 caption lines of 15 + 8)
    assert sheet.mode == "RGB" and sheet.size == (5 * 200 + 8, 4 * 230 + 8)
    pixels = np.asarray(sheet).astype(int)
    for n, prompt in enumerate(HOSTILE_PROMPTS):
        left, top = 8 + (n % 5) * 200, 8 + (n // 5) * 230
        cell = pixels[top : top + 230, left : left + 200]
        thumb = cell[86:106, 76:116]  # the black 40 x 20 thumbnail, centred in its tile
        assert (thumb == 0).all(), n
        assert (cell[:192][:, :76] == 32).all() and (cell[:192][:, 116:] == 32).all(), n
        seed_line, prompt_line = cell[195:210], cell[210:225]
        assert seed_line.max() > 150, n  # "seed n" is drawn
        assert prompt_line[:, :192].max() > 100 or not prompt.strip("\x00\x07\x1b "), n
        # however long or strange the prompt, its caption stays inside its own cell (the
        # margin's last column may hold the antialiased overhang of the next cell's first glyph)
        assert (cell[192:, 192:199] == 32).all(), n


# -- JPEG / WebP metadata -------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_jpeg_and_webp_carry_the_infotext_as_a1111_does(tmp_path: Path, fmt: str) -> None:
    params = _params('castle: "big", 🏰\nview', 5, negative="blurry, ugly", cfg=6.5)
    data = encode_image(_pixels(5), params, fmt)
    image = Image.open(io.BytesIO(data))
    raw = image.getexif().get_ifd(0x8769)[0x9286]
    assert raw.startswith(b"UNICODE\x00")  # piexif.helper.UserComment.dump(..., "unicode")
    (tmp_path / f"x.{fmt}").write_bytes(data)
    _, chunks = read_image(tmp_path / f"x.{fmt}")
    back = params_from_text_chunks(chunks)
    assert back is not None
    assert (back.prompt, back.negative, back.seed, back.cfg) == (
        params.prompt,
        "blurry, ugly",
        5,
        6.5,
    )
    assert read_embedded_params(tmp_path / f"x.{fmt}") == back


def test_jpeg_export_folder_uses_jpg_names(tmp_path: Path) -> None:
    folder = ExportFolder(tmp_path, fmt="jpeg", quality=90)
    path = folder.add(_pixels(1), _params(), index=1)
    assert path.suffix == ".jpg" and Image.open(path).format == "JPEG"


def _jpeg_with_comment(raw: bytes) -> Image.Image:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = raw
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG", exif=exif.tobytes())
    return Image.open(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"UNICODE\x00" + "castle 城 🏰".encode("utf-16-be"), "castle 城 🏰"),
        (b"UNICODE\x00" + "castle, Steps: 2".encode("utf-16-le"), "castle, Steps: 2"),
        (b"UNICODE\x00" + "\ufeffbom".encode("utf-16-le"), "bom"),
        (b"UNICODE\x00" + "pad".encode("utf-16-be") + b"\x00\x00", "pad"),
        (b"ASCII\x00\x00\x00Steps: 20\x00", "Steps: 20"),
        (b"\x00" * 8 + "undefined é".encode(), "undefined é"),
        ("bare utf-8 ü".encode(), "bare utf-8 ü"),
    ],
)
def test_exif_user_comment_reader(raw: bytes, text: str) -> None:
    assert read_exif_user_comment(_jpeg_with_comment(raw)) == text


def test_exif_user_comment_absent_or_empty_is_none() -> None:
    assert read_exif_user_comment(Image.new("RGB", (4, 4))) is None
    assert read_exif_user_comment(_jpeg_with_comment(b"UNICODE\x00")) is None


# -- finding what is already there ----------------------------------------------------------
def test_existing_images_are_found_by_params(tmp_path: Path) -> None:
    first = ExportFolder(tmp_path, NameTemplate.parse("{seed}"))
    for seed in (1, 2):
        first.add(_pixels(seed), _params(seed=seed, device="cpu"), index=seed)
    again = ExportFolder(tmp_path, NameTemplate.parse("{seed}"))
    hit = again.find_existing(_params(seed=2))  # device auto accepts the cpu-rendered file
    assert hit is not None and hit[0] == "2.png" and hit[1].device == "cpu"
    assert again.find_existing(_params(seed=2)) is None  # claimed once only
    assert again.find_existing(_params(seed=3)) is None
    assert again.find_existing(_params(seed=1, steps=3)) is None
    assert again.find_existing(_params(seed=1, device="cuda")) is None
    assert again.claim("1") == "1-2.png"  # 1.png is there: a new image does not take it


def test_same_image_compares_sources_not_placement() -> None:
    a = _params(extra={"source_image": "a.png", "source_image_sha256": "1"})
    assert same_image(a, a.replace(device="cuda", dtype="float16"))
    assert not same_image(a, a.replace(extra={"source_image": "a.png", "source_image_sha256": "2"}))
    assert not same_image(a.replace(dtype="float32"), a.replace(dtype="float16"))


def test_scan_ignores_temp_files_and_non_images(tmp_path: Path) -> None:
    ExportFolder(tmp_path).add(_pixels(1), _params(), index=1)
    (tmp_path / ".0002-castle-1.png.abc.part").write_bytes(b"partial")
    (tmp_path / "notes.png").write_bytes(b"not really a png")
    folder = ExportFolder(tmp_path)
    assert folder.find_existing(_params()) == ("0001-castle-1.png", _params())
    assert os.path.exists(tmp_path / "notes.png")


def test_written_files_are_readable_like_any_saved_file(tmp_path) -> None:
    from studio.core.imagefiles import write_atomic

    umask = os.umask(0o022)
    os.umask(umask)
    path = write_atomic(tmp_path / "a.png", b"data")
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
