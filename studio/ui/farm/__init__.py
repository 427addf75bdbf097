"""Render farm: Settings ▸ Render farm, Generate ▸ Render on farm…, progress in the status bar."""
