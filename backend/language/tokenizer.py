"""Text -> tokens, and the token-level reading every later step shares: numbers, ordinals, patterns.

Kept apart so that the phrase and clause readers see only clean lowercase tokens ("rgb(255, 0, 0)"
is already "#ff0000", "t-shirt" already "tshirt") and match word orders with one small pattern
language instead of hand-written index arithmetic.
"""

from __future__ import annotations

import re

from .lexicon import NUMBERS, ORDINALS

_TOKEN = re.compile(r"#[0-9a-f]{6}\b|#[0-9a-f]{3}\b|\d+(?:st|nd|rd|th)?|[a-z]+|'s|[,.;:!?&]")
_RGB = re.compile(r"rgb\s*\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)")


def tokenize(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'")
    text = _RGB.sub(lambda m: "#" + "".join(f"{min(int(v), 255):02x}" for v in m.groups()), text)
    text = re.sub(r"\bt-shirt", "tshirt", text).replace("-", " ").replace("_", " ")
    return _TOKEN.findall(text)


# Longer digit runs are not counts anyone means, and int() raises ValueError past 4300 digits.
_MAX_DIGITS = 6


def number(token: str) -> int | None:
    if token in NUMBERS:
        return NUMBERS[token]
    return int(token) if token.isdigit() and len(token) <= _MAX_DIGITS else None


def ordinal(token: str) -> int | None:
    if token in ORDINALS:
        return ORDINALS[token]
    found = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", token)
    return int(found.group(1)) if found and len(found.group(1)) <= _MAX_DIGITS else None


# ---------------------------------------------------------------------------------------------
# Token patterns: "on the? left side? of" = words in order, "?" optional, "a|b" alternatives.

Pattern = tuple[tuple[frozenset[str], bool], ...]


def pattern(spec: str) -> Pattern:
    return tuple((frozenset(p.rstrip("?").split("|")), p.endswith("?")) for p in spec.split())


def match(tokens: list[str], i: int, pat: Pattern) -> int:
    """End index of a greedy match of the pattern at tokens[i], or -1."""
    for words, optional in pat:
        if i < len(tokens) and tokens[i] in words:
            i += 1
        elif not optional:
            return -1
    return i
