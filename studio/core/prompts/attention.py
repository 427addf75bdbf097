"""A1111's emphasis syntax: `(x)` x1.1, `[x]` /1.1, `(x:w)`, escapes, BREAK.

The semantics are those of AUTOMATIC1111's `modules/prompt_parser.parse_prompt_attention`,
including its tolerance of unbalanced brackets; a malformed weight (`(x:1.2.3)`) is kept as
text rather than raising, so any text parses.
"""

from __future__ import annotations

import re

BREAK = "BREAK"
BREAK_WEIGHT = -1.0
ROUND = 1.1
SQUARE = 1 / 1.1

_ATTENTION = re.compile(
    r"""
\\\(|
\\\)|
\\\[|
\\]|
\\\\|
\\|
\(|
\[|
:\s*([+-]?[.\d]+)\s*\)|
\)|
]|
[^\\()\[\]:]+|
:
""",
    re.X,
)
_BREAK = re.compile(r"\s*\bBREAK\b\s*", re.S)


def _weight(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def parse_prompt_attention(text: str) -> list[tuple[str, float]]:
    """(text, weight) runs of a prompt; a BREAK is the pair ("BREAK", -1.0).

    >>> parse_prompt_attention("an (important) word")
    [('an ', 1.0), ('important', 1.1), (' word', 1.0)]
    """
    res: list[list] = []
    round_brackets: list[int] = []
    square_brackets: list[int] = []

    def multiply_range(start: int, multiplier: float) -> None:
        for position in range(start, len(res)):
            res[position][1] *= multiplier

    for match in _ATTENTION.finditer(text):
        token = match.group(0)
        weight = _weight(match.group(1))
        if token.startswith("\\"):
            res.append([token[1:], 1.0])
        elif token == "(":
            round_brackets.append(len(res))
        elif token == "[":
            square_brackets.append(len(res))
        elif weight is not None and round_brackets:
            multiply_range(round_brackets.pop(), weight)
        elif token == ")" and round_brackets:
            multiply_range(round_brackets.pop(), ROUND)
        elif token == "]" and square_brackets:
            multiply_range(square_brackets.pop(), SQUARE)
        else:
            for index, part in enumerate(_BREAK.split(token)):
                if index > 0:
                    res.append([BREAK, BREAK_WEIGHT])
                res.append([part, 1.0])

    for position in round_brackets:
        multiply_range(position, ROUND)
    for position in square_brackets:
        multiply_range(position, SQUARE)
    if not res:
        res = [["", 1.0]]

    # merge runs of identical weights
    i = 0
    while i + 1 < len(res):
        if res[i][1] == res[i + 1][1]:
            res[i][0] += res[i + 1][0]
            res.pop(i + 1)
        else:
            i += 1
    return [(str(t), float(w)) for t, w in res]
