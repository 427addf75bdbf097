"""What `studio system` prints: device, precision and why, library versions, model folders."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def _count(folder: Path) -> int:
    from studio.engine.models.catalog import scan_folder

    try:
        return len(scan_folder(folder))
    except OSError:
        return 0


def system_lines(
    model_dirs: Iterable[Path], device: str = "auto", dtype: str = "auto"
) -> list[tuple[str, str]]:
    """(label, value) pairs, in print order. Plain data: the CLI and app format them."""
    import diffusers
    import torch
    from huggingface_hub import constants

    from studio.engine.device import choose_dtype, pick_device
    from studio.engine.models.catalog import INSTALL_SUBDIRS, cached_hub_models, expand_dirs
    from studio.engine.openvino.availability import auto_backend, openvino_status
    from studio.engine.tiny_vae import load_tiny_vae, taesd_repo

    torch_device = pick_device(device)
    choice = choose_dtype(dtype, torch_device)
    where = str(torch_device)
    if torch_device.type == "cpu":
        where += f" ({torch.get_num_threads()} threads)"
    elif torch_device.type == "cuda":
        where += f" ({torch.cuda.get_device_name(torch_device)})"
    lines = [
        ("device", where),
        ("dtype", f"{choice.dtype} ({choice.reason})"),
        ("torch", torch.__version__),
        ("diffusers", diffusers.__version__),
        ("openvino backend", openvino_status()[1]),
        ("auto backend", auto_backend(torch_device.type, "file")[1]),
    ]
    dirs = list(model_dirs)
    folders = expand_dirs(dirs, INSTALL_SUBDIRS)
    if not dirs:
        lines.append(("model folders", "none configured (set STUDIO_MODEL_DIRS or settings.json)"))
    for folder in dirs:
        if not folder.is_dir():
            lines.append(("model folder", f"{folder} (missing)"))
    for folder in folders:
        lines.append(("model folder", f"{folder} ({_count(folder)} models)"))
    hub = cached_hub_models()
    lines.append(("hugging face cache", f"{constants.HF_HUB_CACHE} ({len(hub)} pipelines)"))
    for family in ("sd1", "sdxl"):
        found = load_tiny_vae(family, torch.device("cpu"), torch.float32) is not None
        state = "found (Fast decode available)" if found else "not cached"
        lines.append((f"taesd {family}", f"{taesd_repo(family)} {state}"))
    return lines
