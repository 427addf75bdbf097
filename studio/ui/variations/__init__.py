"""Exploring results: the strip, the grid, Vary, sweeps, history and export."""
