"""Qt widgets: main window, canvas, mask tools, prompt panel, variations, queue, status."""
