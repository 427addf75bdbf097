"""The OpenVINO backend (the optional `studio[openvino]` extra, through optimum-intel).

A model is exported once to OpenVINO IR in a cache (export.py, in a subprocess), loaded from
there (runtime.py), reshaped and compiled for each size, and run with the torch path's
previews and cancel (run.py). What it cannot do falls back to PyTorch (fallback.py).
"""
