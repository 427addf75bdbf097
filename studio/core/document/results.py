"""An applied result becomes a layer: above the active one, named after its prompt and seed.

For a result the size of the canvas, only the pixels that differ from what the canvas shows
now are opaque (the engine pastes the original back outside the mask's reach, so an inpaint
becomes a patch and the layers below stay intact); txt2img/img2img results replace the whole
picture and stay fully opaque. Stacking the layer over the old composite gives the result
exactly. A result of another size (an upscale) replaces the document, flattened.
"""

from __future__ import annotations

import numpy as np

from studio.core.document.document import Document
from studio.core.document.edits import Edit
from studio.core.document.layer import Layer
from studio.core.document.layer_edits import LayerPixels, insert_layer_edit
from studio.core.params import GenerationParams

PATCH_MODES = ("inpaint", "outpaint")


def result_name(params: GenerationParams | None) -> str:
    if params is None:
        return "Result"
    prompt = " ".join(params.prompt.split())
    short = prompt if len(prompt) <= 32 else prompt[:31].rstrip() + "…"
    return f"{short or 'Result'} · seed {params.seed}"


def result_pixels(doc: Document, image: np.ndarray, params: GenerationParams | None) -> np.ndarray:
    """RGBA of the result: opaque where it changes the canvas (patch modes) or everywhere."""
    rgb = np.asarray(image, np.uint8)[:, :, :3]
    alpha = np.full(rgb.shape[:2], 255, np.uint8)
    if params is not None and params.mode in PATCH_MODES:
        alpha[np.all(rgb == doc.image, axis=2)] = 0
    return np.dstack([rgb, alpha])


def apply_result_edits(
    doc: Document,
    image: np.ndarray,
    params: GenerationParams | None,
    label: str,
    onto_active: bool = False,
) -> list[Edit]:
    """The edits that apply a result (one undo step in the UI): the layer, then a mask clear."""
    height, width = np.asarray(image).shape[:2]
    if (width, height) != (doc.width, doc.height):
        return [doc.replace_image_edit(image, params, label)]
    pixels = result_pixels(doc, image, params)
    edits: list[Edit] = []
    target = doc.active_layer
    if onto_active and target.rect == doc.full_rect and target.visible:
        edits.append(_paint_onto(doc, target, pixels, label))
    else:
        layer = Layer(pixels, name=doc.unused_name(result_name(params)), kind="result")
        edits.append(insert_layer_edit(doc, layer, label=label, params=params))
    if params is not None and params.mode in PATCH_MODES and doc.has_mask():
        clear = doc.clear_mask_edit()
        if clear is not None:
            edits.append(clear)
    return edits


def _paint_onto(doc: Document, layer: Layer, pixels: np.ndarray, label: str) -> LayerPixels:
    opaque = pixels[:, :, 3] == 255
    after = layer.pixels.copy()
    after[opaque] = pixels[opaque]
    rect = (0, 0, layer.width, layer.height)
    return LayerPixels(layer, rect, layer.pixels.copy(), after, doc.has_image, label)


def open_as_layer_edit(
    doc: Document,
    image: np.ndarray,
    params: GenerationParams | None,
    label: str,
    centre: tuple[float, float] | None = None,
) -> Edit:
    """A kept image (the History's) as a new opaque layer above the active one; nothing below
    changes. One of another size is centred on `centre` (the view's centre; the canvas's by
    default), except on a blank canvas, which takes the image's size instead."""
    pixels = np.asarray(image, np.uint8)
    height, width = pixels.shape[:2]
    if (width, height) != (doc.width, doc.height) and not doc.has_image:
        return doc.replace_image_edit(pixels, params, label)
    x = y = 0
    if (width, height) != (doc.width, doc.height):
        cx, cy = centre if centre is not None else (doc.width / 2, doc.height / 2)
        x, y = round(cx - width / 2), round(cy - height / 2)
    layer = Layer(pixels, name=doc.unused_name(result_name(params)), kind="result", x=x, y=y)
    return insert_layer_edit(doc, layer, label=label, params=params)
