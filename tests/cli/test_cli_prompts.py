"""`studio generate` with A1111 syntax: LoRA via --params-from, notes on unsupported syntax."""

from __future__ import annotations

import numpy as np
from PIL import Image

from studio.cli.main import main
from studio.core.settings import Settings
from tests.cli.test_cli_generate import TINY
from tests.engine.test_lora import write_kohya_lora


def test_params_from_reapplies_the_lora_and_notes_verbatim_syntax(tmp_path, capsys):
    loras = tmp_path / "loras"
    loras.mkdir()
    write_kohya_lora(loras / "inkwash.safetensors", seed=1)
    Settings(lora_dirs=[loras]).save()  # into the test's own config folder
    first, again, plain = (tmp_path / n for n in ("a.png", "b.png", "c.png"))
    prompt = "a castle <lora:inkwash:0.9>, [cat:dog:0.5]"
    assert main(["generate", "-p", prompt, *TINY, "--seed", "4", "-o", str(first)]) == 0
    assert "note: prompt editing [a:b:when] is not supported" in capsys.readouterr().err
    text = Image.open(first).text["parameters"]
    assert text.startswith(prompt) and 'Lora hashes: "inkwash: ' in text
    assert main(["generate", "--params-from", str(first), "-o", str(again)]) == 0
    pixels = np.asarray(Image.open(first))
    assert np.array_equal(np.asarray(Image.open(again)), pixels)
    no_lora = ["-p", "a castle , [cat:dog:0.5]", "--seed", "4", "-o", str(plain)]
    assert main(["generate", *no_lora, *TINY]) == 0
    assert not np.array_equal(np.asarray(Image.open(plain)), pixels)
