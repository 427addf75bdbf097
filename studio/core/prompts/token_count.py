"""Counting a prompt's CLIP tokens and chunks without torch (for the prompt box).

The HF `tokenizers` BPE is set up as transformers' CLIP converter does, over the bundled
vocabulary every Stable Diffusion CLIP tokenizer shares; the count follows the engine's
chunking exactly (same parser, same chunker).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from studio.core.prompts.attention import parse_prompt_attention
from studio.core.prompts.chunks import build_chunks, target_token_count, weighted_runs
from studio.core.prompts.clip_vocab import BOS, EOS, vocab_and_merges
from studio.core.prompts.syntax import extract_loras


@functools.cache
def bpe_tokenizer():  # -> tokenizers.Tokenizer
    from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import BPE

    vocab, merges = vocab_and_merges()
    tokenizer = Tokenizer(
        BPE(
            vocab=vocab,
            merges=merges,
            continuing_subword_prefix="",
            end_of_word_suffix="</w>",
            fuse_unk=False,
            unk_token=EOS,
        )
    )
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(
                Regex(r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""),
                behavior="removed",
                invert=True,
            ),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    return tokenizer


def tokenize(texts: list[str]) -> list[list[int]]:
    """CLIP token ids of each text, without BOS/EOS."""
    # Lone surrogates (never typed, but possible in pasted text) cannot cross into Rust.
    clean = [text.encode("utf-8", "replace").decode("utf-8") for text in texts]
    # One text at a time: encode_batch hands the work to a thread pool, and on a machine whose
    # cores are busy with a generation the GUI thread then waited ~0.2 s for its answer.
    tokenizer = bpe_tokenizer()
    return [tokenizer.encode(text, add_special_tokens=False).ids for text in clean]


@dataclass(frozen=True)
class TokenCount:
    tokens: int
    target: int  # the count at which one more chunk starts: `83/150`
    chunks: int

    def __str__(self) -> str:
        return f"{self.tokens}/{self.target}"


def count_prompt_tokens(prompt: str) -> TokenCount:
    """Tokens and chunks the engine will use for prompt (LoRA tags removed)."""
    text, _ = extract_loras(prompt)
    vocab, _ = vocab_and_merges()
    runs = weighted_runs(parse_prompt_attention(text), tokenize)
    chunks, count = build_chunks(runs, bos=vocab[BOS], eos=vocab[EOS], comma=vocab.get(",</w>"))
    return TokenCount(count, target_token_count(count), len(chunks))
