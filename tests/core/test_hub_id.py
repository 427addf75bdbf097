"""A typed Hugging Face id is checked before any request: the forms people type, and typos."""

from __future__ import annotations

import pytest

from studio.core.models.hub_id import HubIdError, HubRef, parse_hub_ref


@pytest.mark.parametrize(
    ("text", "filename", "expected"),
    [
        ("stabilityai/sd-turbo", "", HubRef("stabilityai/sd-turbo")),
        (
            "  stabilityai/sd-turbo  ",
            " sd_turbo.safetensors ",
            HubRef("stabilityai/sd-turbo", "sd_turbo.safetensors"),
        ),
        (
            "madebyollin/taesd/diffusion_pytorch_model.safetensors",
            "",
            HubRef("madebyollin/taesd", "diffusion_pytorch_model.safetensors"),
        ),
        ("owner/repo", "unet/config.json", HubRef("owner/repo", "unet/config.json")),
        ("https://huggingface.co/stabilityai/sd-turbo", "", HubRef("stabilityai/sd-turbo")),
        (
            "https://huggingface.co/stabilityai/sd-turbo/blob/main/sd_turbo.safetensors",
            "",
            HubRef("stabilityai/sd-turbo", "sd_turbo.safetensors"),
        ),
        ("hf.co/A_b.c/x-1.5/tree/main", "", HubRef("A_b.c/x-1.5")),
    ],
)
def test_the_forms_people_type_give_the_repo_and_file(text, filename, expected):
    assert parse_hub_ref(text, filename) == expected


@pytest.mark.parametrize(
    ("text", "filename", "message"),
    [
        ("", "", "type a Hugging Face model id; a model id looks like owner/name"),
        ("sd-turbo", "", "'sd-turbo': a model id looks like owner/name"),
        ("stabilityai sd-turbo", "", "a model id looks like owner/name"),
        ("stabilityai/sd turbo", "", "'stabilityai/sd turbo' has a space in it"),
        ("owner//name", "", "a model id looks like owner/name"),
        ("owner/na:me", "", "has ':' in it"),
        ("owner/-name", "", "cannot start or end with - or ."),
        ("owner/na--me", "", "cannot hold '--' or '..'"),
        ("o/" + "n" * 100, "", "longer than the hub's 96 characters"),
        ("owner/name", "../secrets", "is not a path inside the model"),
        ("owner/name", "/etc/passwd", "is not a path inside the model"),
        ("owner/name", "unet\\config.json", "use / between folders"),
        ("owner/name/a.safetensors", "b.safetensors", "already names the file 'a.safetensors'"),
        ("https://huggingface.co/o/n/blob/v2/m.safetensors", "", "on the 'v2' branch"),
    ],
)
def test_a_malformed_id_is_one_line_saying_what_is_wrong(text, filename, message):
    with pytest.raises(HubIdError) as caught:
        parse_hub_ref(text, filename)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
