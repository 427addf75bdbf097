"""Fixtures shared by the single-file and hash tests: the tiny model as an LDM-layout file."""

from __future__ import annotations

import socket

import pytest
import torch
from safetensors.torch import save_file

from studio.engine.models import single_file
from tests.ldm_layout import pipeline_to_ldm


@pytest.fixture(scope="session")
def tiny_files(tmp_path_factory, engine):
    """The tiny model as a diffusers folder, an LDM .safetensors, an LDM .ckpt, a config root."""
    base = tmp_path_factory.mktemp("single")
    pipe = engine.load("tiny").base
    folder = base / "tiny-diffusers"
    pipe.save_pretrained(folder)
    state = pipeline_to_ldm(pipe)
    save_file(state, str(base / "tiny-ldm.safetensors"))
    torch.save({"state_dict": state}, str(base / "tiny-ldm.ckpt"))
    configs = base / "configs" / "sd15"
    pipe.save_pretrained(configs)
    for weights in configs.rglob("*.safetensors"):
        weights.unlink()
    return base


@pytest.fixture
def offline(monkeypatch, tiny_files):
    """No network at all: offline hub and any socket connection refused."""

    def refuse(*_args, **_kwargs):
        raise OSError("network disabled by the test")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(single_file, "CONFIG_ROOT", tiny_files / "configs")
