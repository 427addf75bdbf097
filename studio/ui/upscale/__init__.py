"""Upscaling: the Image ▸ Upscale dialog and its presenter."""
