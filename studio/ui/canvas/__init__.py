"""The canvas and its tools: the view, its scene items, live previews, compare, brush controls."""
