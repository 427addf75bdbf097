"""A1111-style prompt encoding into diffusers' `prompt_embeds` (and SDXL's pooled embeddings).

The parser and chunker live in studio.core.prompts; here each 77-token chunk goes through the
text encoder(s) on its own, the outputs are multiplied by the token weights and rescaled to
the chunk's original mean (A1111's default "Original" emphasis), and chunks are concatenated.
A chunk whose weights are all 1.0 is left untouched, so `a (red:1.0) castle` encodes to
exactly the tensor `a red castle` does, which is what diffusers itself computes for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from studio.core.prompts.attention import parse_prompt_attention
from studio.core.prompts.chunks import Chunk, EmbeddingFinder, build_chunks, weighted_runs
from studio.core.prompts.syntax import extract_loras


@dataclass
class _Encoder:
    tokenizer: Any
    text_encoder: Any
    sdxl: bool  # SDXL reads the penultimate hidden state; the projection model gives `pooled`


def _encoders(pipe: Any) -> list[_Encoder]:
    # (optimum-intel's SD-1.x pipelines carry text_encoder_2 = None)
    sdxl = getattr(pipe, "text_encoder_2", None) is not None
    pairs = [(getattr(pipe, "tokenizer", None), getattr(pipe, "text_encoder", None))]
    if sdxl:
        pairs.append((pipe.tokenizer_2, pipe.text_encoder_2))
    return [_Encoder(t, e, sdxl) for t, e in pairs if t is not None and e is not None]


def _chunks(
    text: str, tokenizer: Any, find_embedding: EmbeddingFinder | None
) -> tuple[list[Chunk], int]:
    def tokenize(texts: list[str]) -> list[list[int]]:
        return tokenizer(texts, truncation=False, add_special_tokens=False)["input_ids"]

    runs = weighted_runs(parse_prompt_attention(text), tokenize)
    return build_chunks(
        runs,
        bos=tokenizer.bos_token_id,
        eos=tokenizer.eos_token_id,
        comma=_comma(tokenizer),
        find_embedding=find_embedding,
    )


def _comma(tokenizer: Any) -> int | None:
    comma = tokenizer.convert_tokens_to_ids(",</w>")
    return None if comma == tokenizer.unk_token_id else comma


def _empty_chunk(tokenizer: Any) -> Chunk:
    return build_chunks([], bos=tokenizer.bos_token_id, eos=tokenizer.eos_token_id, comma=None)[0][
        0
    ]


def _apply_fixes(encoder: _Encoder, fixes: Sequence[tuple[int, Any]]) -> Any:
    """Put textual-inversion vectors into the token embeddings of this call (A1111's fixes)."""
    if not fixes:
        return None
    layer = encoder.text_encoder.get_input_embeddings()
    width = layer.weight.shape[1]

    def hook(_module: Any, _inputs: Any, output: torch.Tensor) -> torch.Tensor:
        output = output.clone()
        for offset, embedding in fixes:
            vectors = embedding.vectors_for(width).to(output.device, output.dtype)
            count = min(len(vectors), output.shape[1] - offset)
            output[0, offset : offset + count] = vectors[:count]
        return output

    return layer.register_forward_hook(hook)


def _encode_chunk(encoder: _Encoder, chunk: Chunk, device: torch.device) -> tuple[Any, Any]:
    tokens = list(chunk.tokens)
    tokenizer = encoder.tokenizer
    pad = tokenizer.pad_token_id
    if pad is not None and pad != tokenizer.eos_token_id:
        # SD2's OpenCLIP pads with its own token after the first end-of-text, as A1111 does.
        first_end = tokens.index(tokenizer.eos_token_id)
        tokens[first_end + 1 :] = [pad] * (len(tokens) - first_end - 1)
    ids = torch.tensor([tokens], device=device)
    model = encoder.text_encoder
    handle = _apply_fixes(encoder, chunk.fixes)
    try:
        if encoder.sdxl:
            out = model(ids, output_hidden_states=True)
            pooled = out[0] if out[0].ndim == 2 else None
            z = out.hidden_states[-2]
        else:
            mask = None
            if getattr(model.config, "use_attention_mask", False):
                mask = (ids != pad).long() if pad is not None else torch.ones_like(ids)
            z, pooled = model(ids, attention_mask=mask)[0], None
    finally:
        if handle is not None:
            handle.remove()
    if any(m != 1.0 for m in chunk.multipliers):
        z = _emphasis(z, chunk.multipliers)
    return z, pooled


def _emphasis(z: torch.Tensor, multipliers: Sequence[float]) -> torch.Tensor:
    """A1111's "Original" emphasis: weight the token outputs, then restore the mean."""
    original_mean = z.mean()
    z = z * torch.tensor(multipliers, device=z.device, dtype=z.dtype).reshape(1, -1, 1)
    new_mean = z.mean()
    # An encoder whose outputs average to ~0 (a final LayerNorm without bias: random-weight
    # models) would turn the rescale into noise or inf; there it is skipped ("No norm").
    if abs(float(original_mean)) > 1e-4 * float(z.abs().mean()) and float(new_mean) != 0.0:
        z = z * (original_mean / new_mean)
    return z


def _encode(
    encoder: _Encoder, chunks: list[Chunk], device: torch.device, memo: dict
) -> tuple[torch.Tensor, Any]:
    outputs = []
    for chunk in chunks:
        # Identical chunks (the padding ones, an empty negative) are encoded once per call.
        fixes = tuple((offset, id(emb)) for offset, emb in chunk.fixes)
        key = (tuple(chunk.tokens), tuple(chunk.multipliers), fixes)
        if key not in memo:
            memo[key] = _encode_chunk(encoder, chunk, device)
        outputs.append(memo[key])
    return torch.cat([z for z, _ in outputs], dim=1), outputs[0][1]  # pooled: the first chunk


def encode_prompts(
    pipe: Any,
    prompt: str,
    negative: str,
    *,
    find_embedding: EmbeddingFinder | None = None,
) -> dict[str, torch.Tensor]:
    """prompt_embeds / negative_prompt_embeds (+ pooled for SDXL) for a diffusers pipeline call.

    LoRA tags are removed from both prompts (they are applied to the weights, not encoded);
    the shorter of the two is padded with empty chunks so both have the same length.
    """
    encoders = _encoders(pipe)
    device = encoders[0].text_encoder.device
    zero_negative = not negative and bool(getattr(pipe.config, "force_zeros_for_empty_prompt", 0))
    texts = [extract_loras(prompt)[0], extract_loras(negative)[0]]
    per_encoder = []
    for encoder in encoders:
        chunk_lists = [_chunks(text, encoder.tokenizer, find_embedding)[0] for text in texts]
        longest = max(len(chunks) for chunks in chunk_lists)
        for chunks in chunk_lists:
            chunks += [_empty_chunk(encoder.tokenizer) for _ in range(longest - len(chunks))]
        memo: dict = {}
        per_encoder.append([_encode(encoder, chunks, device, memo) for chunks in chunk_lists])
    embeds = [torch.cat([enc[i][0] for enc in per_encoder], dim=-1) for i in (0, 1)]
    result = {"prompt_embeds": embeds[0], "negative_prompt_embeds": embeds[1]}
    if encoders[0].sdxl:
        pooled = [per_encoder[-1][i][1] for i in (0, 1)]
        result["pooled_prompt_embeds"] = pooled[0]
        result["negative_pooled_prompt_embeds"] = pooled[1]
    if zero_negative:
        # diffusers' SDXL default for an empty negative prompt (force_zeros_for_empty_prompt).
        result["negative_prompt_embeds"] = torch.zeros_like(embeds[0])
        if "pooled_prompt_embeds" in result:
            result["negative_pooled_prompt_embeds"] = torch.zeros_like(pooled[0])
    return result
