"""The real CLIP BPE tokenizer, built offline from the bundled open_clip vocabulary."""

from __future__ import annotations

import functools

from studio.core.prompts.clip_vocab import vocab_and_merges


@functools.cache
def clip_tokenizer():  # -> transformers.CLIPTokenizer
    from transformers import CLIPTokenizer

    vocab, merges = vocab_and_merges()
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=77)
