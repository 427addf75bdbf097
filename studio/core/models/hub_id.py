"""A Hugging Face model id typed by the user (`owner/name`, optionally a file in it), checked
before any request is made, so a typo is one clear line rather than an HTTP error.

The rules are the hub's own (huggingface_hub's `validate_repo_id`): letters, digits, `-`, `_`
and `.`, at most 96 characters, no `--` or `..`, not starting or ending with `-` or `.`.
A page address copied from the browser (`https://huggingface.co/owner/name/blob/main/file`)
is accepted too, since that is what people copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studio.core.errors import UserError

PART = re.compile(r"^[A-Za-z0-9_.\-]+$")
MAX_LENGTH = 96
SHAPE = "a model id looks like owner/name, e.g. stabilityai/sd-turbo"
SITE = re.compile(r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/", re.IGNORECASE)
PAGE = re.compile(r"^(?P<repo>[^/]+/[^/]+)/(?:blob|resolve|tree)/(?P<rev>[^/]+)(?:/(?P<file>.*))?$")


class HubIdError(UserError):
    """The text typed is not a Hugging Face model id (or the file name is not a path in it)."""


@dataclass(frozen=True)
class HubRef:
    """One thing to download: a whole repo (filename None) or one file of it."""

    repo_id: str
    filename: str | None = None

    @property
    def title(self) -> str:
        return f"{self.repo_id}/{self.filename}" if self.filename else self.repo_id


def _check_repo(repo_id: str) -> str:
    owner_name = repo_id.split("/")
    if len(owner_name) != 2 or not all(owner_name):
        raise HubIdError(f"{repo_id!r}: {SHAPE}")
    for part in owner_name:
        if not PART.match(part):
            bad = next(c for c in part if not PART.match(c))
            shown = "a space" if bad.isspace() else repr(bad)
            raise HubIdError(
                f"{repo_id!r} has {shown} in it; {SHAPE} (letters, digits, - _ . only)"
            )
        if part[0] in "-." or part[-1] in "-.":
            raise HubIdError(f"{repo_id!r}: a part of the id cannot start or end with - or .")
    if "--" in repo_id or ".." in repo_id:
        raise HubIdError(f"{repo_id!r}: an id cannot hold '--' or '..'")
    if len(repo_id) > MAX_LENGTH:
        raise HubIdError(f"{repo_id!r} is longer than the hub's {MAX_LENGTH} characters")
    return repo_id


def _check_file(filename: str) -> str:
    if "\\" in filename:
        raise HubIdError(f"file {filename!r}: use / between folders, as on the hub")
    parts = filename.split("/")
    if filename.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise HubIdError(
            f"file {filename!r} is not a path inside the model; write it as on the hub's Files "
            "page, e.g. model.safetensors or unet/config.json"
        )
    return filename


def parse_hub_ref(text: str, filename: str = "") -> HubRef:
    """The id (`owner/name`, `owner/name/file`, or the hub page's address) and an optional
    file name, checked; a HubIdError saying what is wrong otherwise."""
    text, filename = text.strip(), filename.strip()
    if not text:
        raise HubIdError(f"type a Hugging Face model id; {SHAPE}")
    rest = SITE.sub("", text, count=1).strip("/")
    if rest != text.strip("/"):  # a copied address: /blob/main/file names the file
        page = PAGE.match(rest)
        if page:
            if page["rev"] != "main":
                raise HubIdError(
                    f"{text!r} is on the {page['rev']!r} branch; Studio downloads from main"
                )
            rest = page["repo"] + (f"/{page['file']}" if page["file"] else "")
    parts = rest.split("/")
    repo_id = _check_repo("/".join(parts[:2]) if len(parts) > 2 else rest)
    inline = "/".join(parts[2:])
    if inline and filename and inline != filename:
        raise HubIdError(
            f"the id already names the file {inline!r}; leave the file field empty or "
            "type the id as owner/name"
        )
    name = filename or inline
    return HubRef(repo_id, _check_file(name) if name else None)
