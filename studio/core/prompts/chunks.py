"""Weighted token runs into CLIP chunks of 75 tokens + BOS/EOS, as A1111's sd_hijack_clip.

Pure Python over token ids, so the engine (which encodes) and the prompt box (which counts)
share one implementation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from studio.core.prompts.attention import BREAK

CHUNK_LENGTH = 75
COMMA_BACKTRACK = 20  # A1111's `comma_padding_backtrack` default


@dataclass
class Chunk:
    """77 token ids and their weights; `fixes` are (offset, embedding) of textual inversions."""

    tokens: list[int] = field(default_factory=list)
    multipliers: list[float] = field(default_factory=list)
    fixes: list[tuple[int, Any]] = field(default_factory=list)


# (tokens, position) -> (embedding, vector count, tokens its name spans) or None
EmbeddingFinder = Callable[[Sequence[int], int], "tuple[Any, int, int] | None"]


def target_token_count(token_count: int) -> int:
    """The token count at which a prompt of token_count needs one more chunk (`83` -> `150`)."""
    return math.ceil(max(token_count, 1) / CHUNK_LENGTH) * CHUNK_LENGTH


def build_chunks(
    runs: Sequence[tuple[Sequence[int], float, bool]],
    *,
    bos: int,
    eos: int,
    comma: int | None,
    find_embedding: EmbeddingFinder | None = None,
    backtrack: int = COMMA_BACKTRACK,
) -> tuple[list[Chunk], int]:
    """Chunks for runs of (token ids, weight, is_break), and the prompt's token count."""
    chunks: list[Chunk] = []
    chunk = Chunk()
    token_count = 0
    last_comma = -1

    def next_chunk(is_last: bool = False) -> None:
        nonlocal chunk, token_count, last_comma
        token_count += len(chunk.tokens) if is_last else CHUNK_LENGTH
        to_add = CHUNK_LENGTH - len(chunk.tokens)
        if to_add > 0:
            chunk.tokens += [eos] * to_add
            chunk.multipliers += [1.0] * to_add
        chunk.tokens = [bos, *chunk.tokens, eos]
        chunk.multipliers = [1.0, *chunk.multipliers, 1.0]
        chunk.fixes = [(offset + 1, emb) for offset, emb in chunk.fixes]
        last_comma = -1
        chunks.append(chunk)
        chunk = Chunk()

    for tokens, weight, is_break in runs:
        if is_break:
            next_chunk()
            continue
        position = 0
        while position < len(tokens):
            token = tokens[position]
            if token == comma:
                last_comma = len(chunk.tokens)
            elif (
                backtrack
                and len(chunk.tokens) == CHUNK_LENGTH
                and last_comma != -1
                and len(chunk.tokens) - last_comma <= backtrack
            ):
                # Move the words after the last comma into the next chunk with their weights.
                cut = last_comma + 1
                moved = chunk.tokens[cut:], chunk.multipliers[cut:]
                moved_fixes = [(o - cut, e) for o, e in chunk.fixes if o >= cut]
                chunk.tokens, chunk.multipliers = chunk.tokens[:cut], chunk.multipliers[:cut]
                chunk.fixes = [(o, e) for o, e in chunk.fixes if o < cut]
                next_chunk()
                chunk.tokens, chunk.multipliers = list(moved[0]), list(moved[1])
                chunk.fixes = moved_fixes
            if len(chunk.tokens) == CHUNK_LENGTH:
                next_chunk()

            found = find_embedding(tokens, position) if find_embedding else None
            if found is None:
                chunk.tokens.append(token)
                chunk.multipliers.append(weight)
                position += 1
                continue
            embedding, vectors, spanned = found
            if len(chunk.tokens) + vectors > CHUNK_LENGTH:
                next_chunk()
            chunk.fixes.append((len(chunk.tokens), embedding))
            chunk.tokens += [0] * vectors  # placeholders, as A1111
            chunk.multipliers += [weight] * vectors
            position += spanned

    if chunk.tokens or not chunks:
        next_chunk(is_last=True)
    return chunks, token_count


def weighted_runs(
    parsed: Sequence[tuple[str, float]], tokenize: Callable[[list[str]], list[list[int]]]
) -> list[tuple[list[int], float, bool]]:
    """Tokenise parse_prompt_attention's runs: (ids, weight, is_break) per run."""
    texts = [text for text, _ in parsed]
    token_lists = tokenize(texts) if texts else []
    return [
        (list(ids), weight, text == BREAK and weight < 0)
        for ids, (text, weight) in zip(token_lists, parsed, strict=True)
    ]
