"""Exporting images to a folder: name templates, safe names, formats, index and contact sheet.

The app's "Export variations" and `studio batch` both use ExportFolder:

    folder = ExportFolder(directory, NameTemplate.parse("{index:04d}-{prompt:.40}-{seed}"))
    for i, result in enumerate(chosen, start=1):
        folder.add(result.image, result.params, index=i)
    folder.finish()          # index.json + contact-sheet.png
"""

from studio.core.export.folder import (
    INDEX_NAME,
    SHEET_NAME,
    ExportError,
    ExportFolder,
    identity,
    read_embedded_params,
    same_image,
)
from studio.core.export.formats import FORMATS, ExportFormatError, canonical_format, encode_image
from studio.core.export.names import (
    DEFAULT_TEMPLATE,
    FIELDS,
    NameTemplate,
    TemplateError,
    sanitize_stem,
)
from studio.core.export.sheet import SheetItem, contact_sheet, thumbnail

__all__ = [
    "DEFAULT_TEMPLATE",
    "FIELDS",
    "FORMATS",
    "INDEX_NAME",
    "SHEET_NAME",
    "ExportError",
    "ExportFolder",
    "ExportFormatError",
    "NameTemplate",
    "SheetItem",
    "TemplateError",
    "canonical_format",
    "contact_sheet",
    "encode_image",
    "identity",
    "read_embedded_params",
    "same_image",
    "sanitize_stem",
    "thumbnail",
]
