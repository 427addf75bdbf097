"""OpenRaster (.ora) files: the document format, readable by Krita, GIMP and MyPaint.

A zip whose first entry is `mimetype` (stored, "image/openraster"), then `stack.xml`, one PNG
per layer under `data/`, `mergedimage.png` and `Thumbnails/thumbnail.png`. Studio adds
`studio/document.json` (layer kinds, the active layer, which layer is the inpaint mask, the
image's and the panel's parameters) and `studio/variations/*.png` with their parameters.
The mask is written as a hidden layer, so other programs show it but do not composite it.
Nested stacks from other programs are flattened into the layer list: visibility and
opacity multiply down and offsets add (exact for normal-mode groups at full opacity).
"""

from __future__ import annotations

import io
import json
import os
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
from PIL import Image

from studio.core.document.composite import composite
from studio.core.document.document import Document
from studio.core.document.layer import Layer
from studio.core.errors import InputImageError
from studio.core.imagefiles import MAX_PIXELS, write_atomic
from studio.core.params import GenerationParams

MIMETYPE = b"image/openraster"
META = "studio/document.json"
MASK_SRC = "data/mask.png"
MASK_NAME = "Inpaint mask (Studio)"
THUMB_SIDE = 256
OPS = {
    "normal": "svg:src-over",
    "multiply": "svg:multiply",
    "screen": "svg:screen",
    "overlay": "svg:overlay",
    "darken": "svg:darken",
    "lighten": "svg:lighten",
}
MODES = {op: mode for mode, op in OPS.items()}


@dataclass
class Variation:
    image: np.ndarray
    params: GenerationParams
    starred: bool = False


@dataclass
class OraFile:
    """What a .ora holds: the document plus the panel's parameters and the session's results."""

    document: Document
    panel_params: GenerationParams | None = None
    variations: list[Variation] = field(default_factory=list)
    unknown_ops: list[str] = field(default_factory=list)


# --- writing -------------------------------------------------------------------------------------
def _png(pixels: np.ndarray, level: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buffer, format="PNG", compress_level=level)
    return buffer.getvalue()


def _params(params: GenerationParams | None) -> dict | None:
    return None if params is None else params.to_dict()


def encode_ora(
    doc: Document,
    panel_params: GenerationParams | None = None,
    variations: list[Variation] | tuple[Variation, ...] = (),
    compress_level: int = 3,
) -> bytes:
    """The whole document as .ora bytes (pure: reads `doc`, changes nothing)."""
    root = ET.Element("image", {"version": "0.0.5", "w": str(doc.width), "h": str(doc.height)})
    stack = ET.SubElement(root, "stack")
    files: list[tuple[str, bytes]] = []
    kinds: dict[str, str] = {}
    mask_rgba = np.zeros((doc.height, doc.width, 4), np.uint8)
    mask_rgba[:, :, :3] = 255
    mask_rgba[:, :, 3] = doc.mask
    ET.SubElement(stack, "layer", _attrs(MASK_NAME, MASK_SRC, 0, 0, 1.0, False, "normal"))
    files.append((MASK_SRC, _png(mask_rgba, compress_level)))
    for index in reversed(range(len(doc.layers))):  # stack.xml lists the top layer first
        layer = doc.layers[index]
        src = f"data/layer{index}.png"
        attrs = _attrs(layer.name, src, layer.x, layer.y, layer.opacity, layer.visible, layer.blend)
        if index == doc.active:
            attrs["selected"] = "true"
        ET.SubElement(stack, "layer", attrs)
        files.append((src, _png(layer.pixels, compress_level)))
        kinds[src] = layer.kind
    merged = composite(doc.layers, (doc.width, doc.height))
    thumb = Image.fromarray(merged)
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    meta = {
        "format": 1,
        "mask": MASK_SRC,
        "kinds": kinds,
        "active": doc.active,
        "has_image": doc.has_image,
        "params": _params(doc.params),
        "panel_params": _params(panel_params),
        "variations": [],
    }
    for number, variation in enumerate(variations):
        src = f"studio/variations/{number}.png"
        files.append((src, _png(variation.image, compress_level)))
        meta["variations"].append(
            {"src": src, "params": variation.params.to_dict(), "starred": variation.starred}
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, zipfile.ZIP_STORED)
        xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        archive.writestr("stack.xml", xml, zipfile.ZIP_DEFLATED)
        for name, data in files:
            archive.writestr(name, data, zipfile.ZIP_STORED)  # PNGs are compressed already
        archive.writestr("mergedimage.png", _png(merged, compress_level), zipfile.ZIP_STORED)
        archive.writestr("Thumbnails/thumbnail.png", _png(np.asarray(thumb), compress_level))
        archive.writestr(META, json.dumps(meta, indent=1), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _attrs(
    name: str, src: str, x: int, y: int, opacity: float, visible: bool, blend: str
) -> dict[str, str]:
    return {
        "name": name,
        "src": src,
        "x": str(int(x)),
        "y": str(int(y)),
        "opacity": f"{opacity:.6g}",
        "visibility": "visible" if visible else "hidden",
        "composite-op": OPS[blend],
    }


def save_ora(
    path: str | os.PathLike[str],
    doc: Document,
    panel_params: GenerationParams | None = None,
    variations: list[Variation] | tuple[Variation, ...] = (),
    compress_level: int = 3,
) -> Path:
    """Write atomically (temp file + rename): a crash mid-save leaves the old file whole."""
    return write_atomic(path, encode_ora(doc, panel_params, variations, compress_level))


# --- reading -------------------------------------------------------------------------------------
def _bad(path: Path, why: str) -> InputImageError:
    return InputImageError(
        f"{path.name!r} is not a readable OpenRaster file ({why}); re-save it from Krita or GIMP"
    )


def _read_png(archive: zipfile.ZipFile, name: str, path: Path) -> np.ndarray:
    try:
        data = archive.read(name)
    except KeyError as exc:
        raise _bad(path, f"{name} is missing") from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise _bad(path, f"{name} is {image.width}x{image.height}, too large")
            image.load()
    except InputImageError:
        raise
    except Exception as exc:  # Pillow raises many types for damaged data
        raise _bad(path, f"{name} is damaged: {exc}") from exc
    return np.asarray(image.convert("RGBA"), dtype=np.uint8).copy()


def _number(value: str | None, default: float, path: Path) -> float:
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise _bad(path, f"{value!r} is not a number") from exc


def _walk(
    element: ET.Element,
    archive: zipfile.ZipFile,
    path: Path,
    context: tuple[int, int, float, bool, str],
    out: list[tuple[ET.Element, Layer]],
    unknown: list[str],
) -> None:
    dx, dy, opacity, visible, prefix = context
    for child in element:
        x = dx + int(_number(child.get("x"), 0, path))
        y = dy + int(_number(child.get("y"), 0, path))
        alpha = opacity * min(max(_number(child.get("opacity"), 1.0, path), 0.0), 1.0)
        shown = visible and child.get("visibility", "visible") != "hidden"
        name = child.get("name") or ""
        if child.tag == "stack":
            inner = f"{prefix}{name} / " if name else prefix
            _walk(child, archive, path, (x, y, alpha, shown, inner), out, unknown)
        elif child.tag == "layer":
            src = child.get("src")
            if not src:
                continue
            op = child.get("composite-op", "svg:src-over")
            if op not in MODES:
                unknown.append(op)
            pixels = _read_png(archive, src, path)
            layer = Layer(
                pixels,
                name=f"{prefix}{name or Path(src).stem}",
                visible=shown,
                opacity=alpha,
                blend=MODES.get(op, "normal"),
                x=x,
                y=y,
            )
            out.append((child, layer))


def read_ora(path: str | os.PathLike[str]) -> OraFile:
    """Open a .ora written by Studio, Krita, GIMP or MyPaint."""
    path = Path(path)
    if not path.is_file():
        raise InputImageError(f"file {str(path)!r} does not exist; check the path")
    try:
        with zipfile.ZipFile(path) as archive:
            return _read(archive, path)
    except zipfile.BadZipFile as exc:
        raise _bad(path, "not a zip archive") from exc


def _read(archive: zipfile.ZipFile, path: Path) -> OraFile:
    try:
        root = ET.fromstring(archive.read("stack.xml"))
    except KeyError as exc:
        raise _bad(path, "stack.xml is missing") from exc
    except ET.ParseError as exc:
        raise _bad(path, f"stack.xml is damaged: {exc}") from exc
    width = int(_number(root.get("w"), 0, path))
    height = int(_number(root.get("h"), 0, path))
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise _bad(path, f"canvas size {width}x{height} is not usable")
    meta = _meta(archive, path)
    found: list[tuple[ET.Element, Layer]] = []
    unknown: list[str] = []
    top = root.find("stack")
    if top is None:
        raise _bad(path, "stack.xml has no stack")
    _walk(top, archive, path, (0, 0, 1.0, True, ""), found, unknown)
    found.reverse()  # bottom first
    mask = np.zeros((height, width), np.uint8)
    layers: list[Layer] = []
    active = len(found) - 1
    kinds = meta.get("kinds", {})
    for element, layer in found:
        src = element.get("src")
        if meta.get("mask") and src == meta["mask"]:
            pixels = layer.pixels
            if pixels.shape[:2] == mask.shape and (layer.x, layer.y) == (0, 0):
                mask = pixels[:, :, 3].copy()
            continue
        if kinds.get(src) in ("paint", "result", "control", "region", "filler"):
            layer.kind = kinds[src]
        if element.get("selected") == "true":
            active = len(layers)
        layers.append(layer)
    document = Document.from_layers(layers, (width, height), _load_params(meta.get("params")))
    document.mask = mask
    document.active = min(max(int(meta.get("active", active)), 0), len(document.layers) - 1)
    document.has_image = bool(meta.get("has_image", True))
    document.path = path
    variations = []
    for item in meta.get("variations", []):
        params = _load_params(item.get("params"))
        if params is not None and item.get("src"):
            pixels = _read_png(archive, item["src"], path)
            image = pixels[:, :, :3].copy() if (pixels[:, :, 3] == 255).all() else pixels
            variations.append(Variation(image, params, bool(item.get("starred"))))
    return OraFile(document, _load_params(meta.get("panel_params")), variations, unknown)


def _meta(archive: zipfile.ZipFile, path: Path) -> dict:
    if META not in archive.namelist():
        return {}
    try:
        meta = json.loads(archive.read(META))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _bad(path, f"{META} is damaged: {exc}") from exc
    return meta if isinstance(meta, dict) else {}


def _load_params(data: object) -> GenerationParams | None:
    if not isinstance(data, dict):
        return None
    try:
        return GenerationParams.from_dict(data)
    except Exception:  # parameters from a newer or damaged file must not block opening it
        return None


def read_ora_composite(path: str | os.PathLike[str]) -> tuple[np.ndarray, dict[str, str]]:
    """The visible composite (RGB, or RGBA when it has transparency) and text chunks holding
    the document's parameters, as `read_image` returns for a PNG."""
    from studio.core.metadata import STUDIO_KEY, params_to_json

    document = read_ora(path).document
    rgba = np.array(document.composite_rgba())
    pixels = rgba[:, :, :3].copy() if (rgba[:, :, 3] == 255).all() else rgba
    chunks = {STUDIO_KEY: params_to_json(document.params)} if document.params else {}
    return pixels, chunks
