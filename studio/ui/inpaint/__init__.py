"""Inpainting and outpainting: the inpaint options, the context box, Expand canvas."""
