"""Noun phrases: who a clause is about ("the second tree on the left", "both cows near the barn").

A noun phrase says which objects: a category (or the sky, the ground, the user's selection), how
many, where in the picture, and where relative to another object. This module reads one phrase
from a token position and turns it into a Target; it knows nothing about colours beyond "a colour
word right before the noun is the phrase's colour", so the clause reader above it stays about
grouping phrases and colours into clauses.

Patterns: "on the? left side? of" = words in order, "?" optional, "a|b" alternatives (tokenizer.pattern).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType

from backend.categories import FOREGROUND, plural

from .colours import longest_colour
from .instruction import Position, Target
from .lexicon import (
    ALL,
    BACKGROUND_NOUNS,
    DEMONSTRATIVES,
    DETS,
    HEAD_WORDS,
    NOUNS,
    PRONOUNS,
    RELATIVE,
    SELECTION_HEADS,
    SIDES,
    SUPERLATIVES,
    WORDS,
)
from .tokenizer import Pattern, match, number, ordinal, pattern

_PREP = "on|to|at|in|from|towards|toward"
# (pattern, relation, side of the anchor). Tried in order: longer, "of"-ended phrases first.
_RELATIONS: list[tuple[Pattern, str, str | None]] = [
    *(
        (pattern(f"{_PREP}? the? {side} {depth} side? of"), rel, side)
        for side in ("left", "right")
        for depth, rel in (("front", "in_front_of"), ("back|rear", "behind"))
    ),
    *((pattern(f"{_PREP}? the? {side} hand? side? of"), f"{side}_of", None) for side in ("left", "right")),
    (pattern("in|at the? front of"), "in_front_of", None),
    (pattern("in|at the? back|rear of"), "behind", None),
    (pattern("behind|beyond"), "behind", None),
    (pattern("in|at the? middle|center|centre of"), "among", None),
    (pattern("next|close|near|adjacent to"), "near", None),
    (pattern("by the side of"), "near", None),
    (pattern("near|nearby|beside|besides|alongside|by"), "near", None),
    (pattern("on top of"), "on", None),
    (pattern("under|below|beneath|underneath"), "under", None),
    (pattern("on|upon|atop"), "on", None),
    (pattern("above|over"), "above", None),
    (pattern("in between"), "among", None),
    (pattern("among|amongst|amid|between|in|inside|within"), "among", None),
    (pattern("around|surrounding|round"), "around", None),
]
RELATION_WORDS = frozenset(w for pat, _, _ in _RELATIONS for words, _ in pat for w in words)
_GROUND_PHRASE = pattern("on|in the? ground|floor|land|grass|earth")
_SKY_PHRASE = pattern("in|up the? sky|air|skies")
_POSITION_START = pattern(f"{_PREP} the?")
_SIDE_NOUN = pattern("hand? side|part|half|corner|edge")
_OF_PICTURE = pattern("of the? picture|image|scene|sketch|drawing|canvas|page|screen")

# A word the parser has a use for: the lexicon's and the phrase patterns'.
KNOWN_WORDS = WORDS | RELATION_WORDS


@dataclass
class Phrase:
    """A noun phrase as read, before it becomes a Target (keeps token positions for messages)."""

    kind: str  # object | background | selection
    start: int
    end: int
    name: str = ""  # category, area, or "" for a selection
    head: str = ""  # the word as written
    number: str = "sg"  # sg | pl | amb
    quant: str | None = None  # all | both
    count: int | None = None
    ordinal: int | None = None
    sides: list[str] = field(default_factory=list)
    superlative: bool = False
    in_sky: bool = False
    relation: str | None = None
    relation_side: str | None = None
    anchor: Phrase | None = None
    colour: list[str] | None = None  # an adjective colour inside the phrase ("the yellow road")
    plural_verb: bool = False


# Names the artist gave to objects the vocabulary lacks ("this is a giraffe" with a selection), for
# the instruction being read: word -> (name, "sg" | "pl"). A context variable, so concurrent requests
# each read with their own document's names.
_ARTIST_NOUNS: ContextVar[Mapping[str, tuple[str, str]]] = ContextVar(
    "artist_nouns", default=MappingProxyType({})
)


@contextmanager
def artist_names(names: Iterable[str]) -> Iterator[None]:
    """Within the block, each name (and its plural) reads as an object noun."""
    table = {}
    for name in names:
        table[name], table[plural(name)] = (name, "sg"), (name, "pl")
    token = _ARTIST_NOUNS.set(table)
    try:
        yield
    finally:
        _ARTIST_NOUNS.reset(token)


def is_head(token: str) -> bool:
    """A noun that can head a phrase: a known object or area, or a name the artist gave."""
    return token in HEAD_WORDS or token in _ARTIST_NOUNS.get()


def known(token: str) -> bool:
    """A word the parser has a use for; any other word is reported when it matters."""
    return (
        token in KNOWN_WORDS
        or token in _ARTIST_NOUNS.get()
        or number(token) is not None
        or ordinal(token) is not None
        or token.startswith("#")
    )


def read_phrase(tokens: list[str], i: int, nested: int = 0, anaphor: str | None = None) -> Phrase | None:
    """The noun phrase starting at tokens[i] (determiners, quantity, position words, head, then
    position/relation phrases), or None when no object, area or selection word heads it.

    anaphor: the category "one"/"ones" stands for ("the car on the left is red and the one on the
    right is blue")."""
    n = len(tokens)
    p = Phrase("object", i, i)
    j = i
    skipped = 0
    det = None
    while j < n:
        t = tokens[j]
        if t in ALL or t == "both":
            p.quant = "all" if t in ALL else "both"
            j += 2 if j + 1 < n and tokens[j + 1] == "of" else 1
        elif t in DETS:
            det = t
            j += 1
        elif anaphor and j > i and t in ("one", "ones") and (j + 1 == n or tokens[j + 1] != "of"):
            break
        elif number(t) is not None:
            p.count = number(t)
            j += 1
            if j < n and tokens[j] == "of":
                j += 1
        elif ordinal(t) is not None:
            p.ordinal = ordinal(t)
            j += 1
        elif t == "far" and j + 1 < n and tokens[j + 1] in ("left", "right"):
            p.sides.append(tokens[j + 1])
            p.superlative = True
            j += 2
        elif t in SIDES:
            p.sides.append(SIDES[t])
            j += 1
        elif t in SUPERLATIVES:
            p.sides.append(SUPERLATIVES[t])
            p.superlative = True
            j += 1
        elif is_head(t):
            break
        elif t in PRONOUNS or t in SELECTION_HEADS or t == "selected":
            break
        elif (k := longest_colour(tokens, j)) and j + k < n and is_head(tokens[j + k]):
            p.colour = tokens[j : j + k]
            j += k
        elif not known(t) and skipped < 2 and j + 1 < n:
            skipped += 1  # an adjective we do not know: "the big dog", "the school bus"
            j += 1
        else:
            break
    if anaphor and j < n and tokens[j] in ("one", "ones"):
        p.name, p.number = anaphor, "pl" if tokens[j] == "ones" else "sg"
        p.head = anaphor
        p.end = _post_modifiers(tokens, j + 1, p, nested)
        return p
    if j >= n or not is_head(tokens[j]):
        return _selection(tokens, i, j, det)
    t = tokens[j]
    p.head = t
    j += 1
    if t in BACKGROUND_NOUNS:
        p.kind, p.name, p.end = "background", BACKGROUND_NOUNS[t], j
        return p
    p.name, p.number = NOUNS.get(t) or _ARTIST_NOUNS.get()[t]
    p.end = _post_modifiers(tokens, j, p, nested)
    return p


def _selection(tokens: list[str], i: int, j: int, det: str | None) -> Phrase | None:
    """'it', 'this', 'them', 'the selection', 'the selected area': whatever the user selected."""
    n = len(tokens)
    if j < n and tokens[j] == "selected":
        j += 1
        if j < n and tokens[j] in SELECTION_HEADS | {"part", "parts", "one"}:
            j += 1
        return Phrase("selection", i, j, head="selection")
    if j < n and (tokens[j] in SELECTION_HEADS or (tokens[j] in PRONOUNS and j == i)):
        return Phrase("selection", i, j + 1, head=tokens[j])
    if det in DEMONSTRATIVES and tokens[i] == det and j == i + 1:
        return Phrase("selection", i, j, head=det)
    return None


def _post_modifiers(tokens: list[str], j: int, p: Phrase, nested: int) -> int:
    """Position, "in the sky" and relation phrases after the head noun; returns the end index."""
    n = len(tokens)
    while j < n:
        k = j
        while k < n and tokens[k] in RELATIVE and not (tokens[k] == "that" and k > j):
            k += 1  # "the car that is on the left"
        end = _relation(tokens, k, p, nested)
        if end < 0:
            end = _position(tokens, k, p)
        if end < 0 and k < n and ordinal(tokens[k]) is not None and p.ordinal is None:
            end = _position(tokens, k + 1, p)  # "the cloud second from the right"
            if end > 0:
                p.ordinal = ordinal(tokens[k])
        if end < 0:
            end = match(tokens, k, _SKY_PHRASE)
            if end > 0:
                p.in_sky = True
        if end < 0:
            end = match(tokens, k, _GROUND_PHRASE)
            if end > 0 and end < n and tokens[end] == "of":
                end = -1
        if end < 0:
            return j
        j = end
    return j


def _relation(tokens: list[str], k: int, p: Phrase, nested: int) -> int:
    if nested > 3 or p.relation is not None:
        return -1
    for pat, relation, side in _RELATIONS:
        end = match(tokens, k, pat)
        if end <= k or end >= len(tokens):
            continue
        anchor = read_phrase(tokens, end, nested + 1)
        if anchor is None or anchor.kind != "object":
            continue
        p.relation, p.relation_side, p.anchor = relation, side, anchor
        return anchor.end
    return -1


def _position(tokens: list[str], k: int, p: Phrase) -> int:
    """'on the left', 'in the middle', 'on the rightmost', 'on the right back', 'in front', 'at the
    top of the picture'; not 'on the left of X' (a relation)."""
    n = len(tokens)
    j = match(tokens, k, _POSITION_START)
    if j < 0:
        return -1
    sides: list[str] = []
    superlative = False
    while j < n and len(sides) < 2:
        t = tokens[j]
        if t == "far" and j + 1 < n and tokens[j + 1] in ("left", "right"):
            superlative = True
        elif t in SIDES:
            sides.append(SIDES[t])
        elif t in SUPERLATIVES and t != "last":
            sides.append(SUPERLATIVES[t])
            superlative = True
        else:
            break
        j += 1
    if not sides:
        return -1
    j = max(j, match(tokens, j, _SIDE_NOUN))
    if j < n and tokens[j] == "of":
        end = match(tokens, j, _OF_PICTURE)
        if end < 0:
            return -1
        j = end
    p.sides.extend(sides)
    p.superlative = p.superlative or superlative
    return j


def quantity(p: Phrase) -> str | int:
    if p.count is not None:
        return "one" if p.count == 1 else p.count
    if p.quant == "both":
        return 2
    if p.quant == "all" or p.number == "pl" or (p.number == "amb" and p.plural_verb):
        return "all"
    return "one"


def to_target(p: Phrase) -> Target:
    if p.kind == "selection":
        return Target(category=None)
    position = None
    sides = list(dict.fromkeys(p.sides))
    if p.ordinal is not None and not sides:
        sides = ["left"]  # "the second tree": counted in reading order
    if sides:
        ordinal = p.ordinal if p.ordinal is not None else (1 if p.superlative else None)
        position = Position(
            side=sides[0],  # type: ignore[arg-type]
            ordinal=ordinal,
            superlative=p.superlative,
            secondary=sides[1] if len(sides) > 1 else None,  # type: ignore[arg-type]
        )
    return Target(
        category=p.name,
        known=p.name in FOREGROUND,
        quantity=quantity(p),
        position=position,
        in_sky=p.in_sky,
        relation=p.relation,  # type: ignore[arg-type]
        relation_side=p.relation_side,  # type: ignore[arg-type]
        anchor=to_target(p.anchor) if p.anchor is not None else None,
    )
