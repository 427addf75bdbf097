"""The prompt parser against A1111's documented examples, escaping, LoRA tags and chunking."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.core.prompts.attention import parse_prompt_attention
from studio.core.prompts.chunks import build_chunks, target_token_count, weighted_runs
from studio.core.prompts.syntax import LoraTag, extract_loras, unsupported_syntax
from studio.core.prompts.token_count import count_prompt_tokens, tokenize

# Every example in the docstring of A1111's modules/prompt_parser.parse_prompt_attention.
A1111_EXAMPLES = [
    ("normal text", [("normal text", 1.0)]),
    ("an (important) word", [("an ", 1.0), ("important", 1.1), (" word", 1.0)]),
    ("(unbalanced", [("unbalanced", 1.1)]),
    ("\\(literal\\]", [("(literal]", 1.0)]),
    ("(unnecessary)(parens)", [("unnecessaryparens", 1.1)]),
    (
        "a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).",
        [
            ("a ", 1.0),
            ("house", 1.5730000000000004),
            (" ", 1.1),
            ("on", 1.0),
            (" a ", 1.1),
            ("hill", 0.55),
            (", sun, ", 1.1),
            ("sky", 1.4641000000000006),
            (".", 1.1),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), A1111_EXAMPLES)
def test_a1111_documented_examples_exactly(text, expected):
    assert parse_prompt_attention(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [("", 1.0)]),
        ("[a]", [("a", 1 / 1.1)]),
        ("((a))", [("a", 1.1 * 1.1)]),
        ("(a:1.4) b", [("a", 1.4), (" b", 1.0)]),
        ("(a: 0.5 )", [("a", 0.5)]),
        ("\\(a\\) \\[b\\] c\\\\d", [("(a) [b] c\\d", 1.0)]),
        ("a) b]", [("a) b]", 1.0)]),  # closers without openers are text
        ("[unbalanced", [("unbalanced", 1 / 1.1)]),
        ("(a:1.2.3)", [("a:1.2.3)", 1.1)]),  # a malformed weight is text, never an error
        ("a BREAK b", [("a", 1.0), ("BREAK", -1.0), ("b", 1.0)]),
        ("aBREAKb", [("aBREAKb", 1.0)]),
    ],
)
def test_edge_cases(text, expected):
    parsed = parse_prompt_attention(text)
    assert [t for t, _ in parsed] == [t for t, _ in expected]
    assert [w for _, w in parsed] == pytest.approx([w for _, w in expected])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab ()[]:\\.,1-+<>|BREAKlor\n")) | st.characters()))
def test_arbitrary_text_never_raises(text):
    parsed = parse_prompt_attention(text)
    assert parsed and all(isinstance(t, str) and isinstance(w, float) for t, w in parsed)
    clean, _ = extract_loras(text)
    count = count_prompt_tokens(text)
    assert count.target >= count.tokens and count.chunks >= 1
    assert isinstance(clean, str) and isinstance(unsupported_syntax(text), list)


def test_lora_tags_are_removed_and_read():
    text, loras = extract_loras("castle <lora:ink wash:0.8>, night <lora:detail> <lyco:x:0.5:0.25>")
    assert text == "castle , night  "
    assert loras == [LoraTag("ink wash", 0.8), LoraTag("detail", 1.0), LoraTag("x", 0.5, 0.25)]
    assert extract_loras("<lora:a:0.2> <lora:a:0.7>")[1] == [LoraTag("a", 0.7)]


def test_unsupported_syntax_is_named():
    assert unsupported_syntax("a [cat:dog:0.5]") and unsupported_syntax("a [cat|dog]")
    assert unsupported_syntax("a cat AND a dog")
    assert unsupported_syntax("a (red:1.2) [blue] \\[x:y\\] ANDROID") == []


def _chunks(prompt: str):
    runs = weighted_runs(parse_prompt_attention(prompt), tokenize)
    return build_chunks(runs, bos=49406, eos=49407, comma=tokenize([","])[0][0])


def test_chunks_of_75_with_bos_eos_and_weights():
    chunks, count = _chunks("a (red:1.5) castle")
    assert count == 3 and len(chunks) == 1 and len(chunks[0].tokens) == 77
    assert chunks[0].tokens[:5] == [49406, *tokenize(["a red castle"])[0], 49407]
    assert chunks[0].multipliers[:5] == [1.0, 1.0, 1.5, 1.0, 1.0]
    chunks, count = _chunks("word " * 100)
    assert count == 100 and len(chunks) == 2
    assert str(count_prompt_tokens("word " * 100)) == "100/150"
    assert all(len(c.tokens) == 77 and c.tokens[0] == 49406 for c in chunks)
    assert all(c.tokens[76] == 49407 for c in chunks)


def test_break_closes_the_chunk():
    chunks, count = _chunks("a castle BREAK a moat")
    moat = tokenize(["a moat"])[0]
    assert len(chunks) == 2 and count == 75 + len(moat)
    assert chunks[0].tokens[:4] == [49406, *tokenize(["a castle"])[0], 49407]
    assert chunks[1].tokens[: len(moat) + 2] == [49406, *moat, 49407]
    assert target_token_count(count) == 150


def test_chunk_boundary_backs_up_to_the_last_comma():
    # 70 words, a comma, then 10 words: the boundary would cut the last phrase at token 75.
    prompt = "word " * 70 + ", " + "tail " * 10
    chunks, _ = _chunks(prompt)
    comma = tokenize([","])[0][0]
    assert chunks[0].tokens[71] == comma and set(chunks[0].tokens[72:]) == {49407}
    assert chunks[1].tokens[1:11] == tokenize(["tail"])[0] * 10
    # Without a comma within 20 tokens the chunk is cut at 75.
    chunks, _ = _chunks("word " * 50 + ", " + "tail " * 40)
    assert chunks[0].tokens[75] == tokenize(["tail"])[0][0]
