"""Wildcards and combinations with dynamicprompts: `{red|blue|gold} dragon`, `__material__`.

A job's images each get a resolved prompt: random choices seeded by the image's own seed (so
the same seed gives the same prompt), or every combination ("all combinations") at the job's
seeds. The template is recorded beside the resolved prompt (`Template`, as the dynamic-prompts
extension of A1111 writes it).
"""

from __future__ import annotations

import re
from pathlib import Path

from studio.core.errors import ParamsError
from studio.core.params import GenerationParams

COMBINATIONS_KEY = "combinations"
CONFIRM_ABOVE = 64
MAX_COMBINATIONS = 1000
_WILDCARD = re.compile(r"__([\w\-/*.]+?)__")


def has_wildcards(text: str) -> bool:
    return ("{" in text and "}" in text) or bool(_WILDCARD.search(text))


def _manager(folders: list[Path]):  # -> dynamicprompts WildcardManager
    from dynamicprompts.wildcards import WildcardManager

    return WildcardManager(folders[0] if folders else None)


def _checked(template: str, results: list[str]) -> list[str]:
    for result in results:
        missing = _WILDCARD.search(result)
        if missing:
            raise ParamsError(
                f"wildcard {missing.group(0)} has no file {missing.group(1)}.txt in the wildcards "
                "folder; add it or set `wildcard_dirs` in the settings"
            )
    return results


def _generate(generator, template: str, count: int) -> list[str]:
    try:
        return _checked(template, [str(p) for p in generator.generate(template, count)])
    except ParamsError:
        raise
    except Exception as exc:  # pyparsing and dynamicprompts raise many kinds
        raise ParamsError(
            f"the prompt's wildcard syntax cannot be read ({str(exc).splitlines()[0][:120]}); "
            "check the { | } braces"
        ) from exc


def resolve(template: str, seed: int, folders: list[Path]) -> str:
    """One random resolution of template; the same seed always gives the same prompt."""
    if not has_wildcards(template):
        return template
    from dynamicprompts.generators import RandomPromptGenerator

    generator = RandomPromptGenerator(wildcard_manager=_manager(folders), seed=seed)
    return _generate(generator, template, 1)[0]


def combinations(template: str, folders: list[Path], limit: int = MAX_COMBINATIONS) -> list[str]:
    """Every distinct resolution of template (at most `limit`)."""
    if not has_wildcards(template):
        return [template]
    from dynamicprompts.generators import CombinatorialPromptGenerator

    generator = CombinatorialPromptGenerator(wildcard_manager=_manager(folders))
    return list(dict.fromkeys(_generate(generator, template, limit)))


def plan_images(params: GenerationParams, folders: list[Path]) -> list[GenerationParams]:
    """One params per image (count=1, own seed, resolved prompts, template recorded)."""
    extra = {k: v for k, v in params.extra.items() if k != COMBINATIONS_KEY}
    ones = params.per_image()  # seeds (or variation seeds) counting up
    if params.extra.get(COMBINATIONS_KEY) and has_wildcards(params.prompt):
        pairs = [(p, one) for p in combinations(params.prompt, folders) for one in ones]
    else:
        pairs = [(resolve(params.prompt, one.seed, folders), one) for one in ones]
    images = []
    for prompt, one in pairs:
        negative = resolve(params.negative, one.seed, folders)
        recorded = dict(extra)
        if prompt != params.prompt:
            recorded["Template"] = params.prompt
        if negative != params.negative:
            recorded["Negative Template"] = params.negative
        images.append(one.replace(prompt=prompt, negative=negative, extra=recorded))
    return images
