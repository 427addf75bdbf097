"""Models: the picker's defaults, Settings ▸ Models and its presenter."""
