"""Inpaint and outpaint geometry, pure numpy + Pillow: masks, context boxes, fills, composites.

The UI uses it to draw the context box; the engine's inpaint flow (studio.engine.inpaint_flow)
uses it to crop, render and paste back.
"""
