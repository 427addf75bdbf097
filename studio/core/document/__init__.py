"""The document: a layer stack plus the inpaint mask, undoable edits, compositing, OpenRaster.

The names below are the package's public API (they were `studio.core.document` before it
grew into a package)."""

from studio.core.document.composite import BLENDS, composite, flatten_over
from studio.core.document.document import BLANK_VALUE, Document, to_rgb
from studio.core.document.edits import Edit, InvertMask, MaskPatch, ReplaceImage, _State
from studio.core.document.layer import BLEND_MODES, LAYER_KINDS, Layer

__all__ = [
    "BLANK_VALUE",
    "BLENDS",
    "BLEND_MODES",
    "LAYER_KINDS",
    "Document",
    "Edit",
    "InvertMask",
    "Layer",
    "MaskPatch",
    "ReplaceImage",
    "_State",
    "composite",
    "flatten_over",
    "to_rgb",
]
