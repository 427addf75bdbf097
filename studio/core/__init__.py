"""Plain-Python core: parameters, documents, metadata, export. No Qt, no torch."""
