"""Clauses: a sentence read left to right into "these objects get these colours" groups.

A sentence is a stream of noun phrases (who, read by `phrases`), colour phrases (which colour) and
part names (which part). A noun phrase opens a clause; colours that follow fill it until a colour
has been given and another noun phrase starts the next clause ("the sun is orange and the clouds are
light blue"). A colour right before a noun or part belongs to it ("yellow road", "black windows").

This module does that grouping, checks each clause and says in plain words what is missing or not
understood, and turns the checked clauses into `Clause`s with the colours the user named by part.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.categories import FOREGROUND, PARTS, main_part

from .colours import is_modifier, longest_colour, resolve
from .instruction import Clause, Colour, InstructionError
from .lexicon import (
    ALL,
    COLOUR_NOUNS,
    DETS,
    FILLERS,
    PART_WORDS,
    PLURAL_VERBS,
    POSITION_PARTS,
    POSSESSIVES,
    STRONG_SEPS,
    WEAK_SEPS,
)
from .phrases import RELATION_WORDS, Phrase, is_head, known, quantity, read_phrase, to_target
from .tokenizer import number, tokenize


@dataclass
class Unknown:
    """A word the parser has no use for, with the role its neighbours suggest (for the message)."""

    word: str
    index: int
    role: str  # object | colour | part | loose


@dataclass
class Builder:
    """One clause being read: subjects that share the colours given after them."""

    subjects: list[Phrase] = field(default_factory=list)
    main: list[str] | None = None
    main_is_adjective: bool = False  # "the red car is blue": a later colour replaces it
    second_main: list[str] | None = None  # "the cow is black and white": one colour too many
    parts: dict[str, list[str]] = field(default_factory=dict)
    pending_parts: list[str] = field(default_factory=list)
    unknowns: list[Unknown] = field(default_factory=list)
    closed: bool = False

    @property
    def has_colour(self) -> bool:
        return self.main is not None or bool(self.parts)

    def colour(self, words: list[str]) -> None:
        if self.pending_parts:
            self.parts[self.pending_parts.pop(0)] = words
        else:
            if self.main is not None and not self.main_is_adjective and self.main != words:
                self.second_main = words  # keep the first, report both
                return
            self.main, self.main_is_adjective = words, False


def _objects_hint() -> str:
    return ", ".join(FOREGROUND) + ", sky, ground"


def _label(p: Phrase) -> str:
    return "selection" if p.kind == "selection" else p.head or p.name


class Reader:
    """One left-to-right pass that groups noun phrases, colours and parts into clauses."""

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.builders: list[Builder] = []
        self.cur: Builder | None = None
        self.last_object: str | None = None  # what "the one on the right" refers to

    def builder(self) -> Builder:
        if self.cur is None or self.cur.closed:
            self.cur = Builder()
            self.builders.append(self.cur)
        return self.cur

    def waiting(self) -> bool:
        """A subject was named and has no colour yet."""
        cur = self.cur
        return cur is not None and not cur.closed and bool(cur.subjects) and not cur.has_colour

    def read(self) -> list[Builder]:
        tokens = self.tokens
        n = len(tokens)
        i = 0
        while i < n:
            t = tokens[i]
            if t in STRONG_SEPS:
                if self.cur is not None:
                    self.cur.closed = True
                i += 1
                continue
            if t in WEAK_SEPS:
                i += 1
                continue
            k = longest_colour(tokens, i)
            noun_first = (is_head(t) or t in PART_WORDS) and not self.waiting()
            if k and not noun_first:
                i = self.colour(tokens[i : i + k], i + k)
                continue
            phrase = read_phrase(tokens, i, anaphor=self.last_object)
            if phrase is not None and phrase.end > i:
                self.subject(phrase)
                i = phrase.end
                continue
            if t in PART_WORDS and t not in POSITION_PARTS:
                self.builder().pending_parts.append(PART_WORDS[t])
            elif not known(t):
                self.unknown(i)
            i += 1
        return self.builders

    def colour(self, words: list[str], end: int) -> int:
        tokens = self.tokens
        if end < len(tokens) and tokens[end] in PART_WORDS:
            cur = self.builder()
            cur.parts[PART_WORDS[tokens[end]]] = words
            return end + 1
        if end < len(tokens):
            phrase = read_phrase(tokens, end, anaphor=self.last_object)
            if phrase is not None and phrase.kind != "selection" and phrase.end > end:
                phrase.colour = words
                self.subject(phrase)
                return phrase.end
        self.builder().colour(words)
        return end

    def subject(self, p: Phrase) -> None:
        tokens = self.tokens
        if p.kind == "object" and p.number == "amb" and p.end < len(tokens):
            p.plural_verb = tokens[p.end] in PLURAL_VERBS
        if p.kind == "selection" and self.waiting():
            return  # "the car, make it red": 'it' is the car
        if p.kind == "object":
            self.last_object = p.name
        cur = self.cur
        if cur is None or cur.closed or (cur.subjects and (cur.has_colour or p.colour is not None)):
            cur = Builder()
            self.builders.append(cur)
            self.cur = cur
        # else: "the car and the bus are red" (shared colour) or "black windows for the car"
        cur.subjects.append(p)
        if p.colour is not None:
            cur.main, cur.main_is_adjective = p.colour, True

    def unknown(self, i: int) -> None:
        tokens = self.tokens
        prev = tokens[i - 1] if i else ""
        before = tokens[i - 2] if i > 1 else ""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if nxt in PART_WORDS or nxt in COLOUR_NOUNS or is_modifier(prev):
            role = "colour"
        elif prev in DETS or prev in ALL or prev == "both" or number(prev) is not None:
            role = "object"  # "the spaceship", "near the garage"
        elif prev in RELATION_WORDS and before not in FILLERS:
            role = "object"  # "near garages"
        elif prev in POSSESSIVES or (i and longest_colour(tokens, i - 1)):
            role = "part"
        else:
            role = "loose"
        cur = self.builder()
        last = cur.unknowns[-1] if cur.unknowns else None
        if last is not None and last.index == i - 1 and role in ("loose", "part") and last.role == "object":
            # "the space ship": the noun is the last word of the run
            cur.unknowns[-1] = Unknown(tokens[i], i, "object")
            return
        cur.unknowns.append(Unknown(tokens[i], i, role))


def unknown_object(word: str) -> InstructionError:
    """The error carries the word, so a caller with a selection can read it as the artist's name."""
    error = InstructionError(
        f"I don't know '{word}'; known objects: {_objects_hint()}. Or select it and say 'this is a {word}'."
    )
    error.unknown_object = word
    return error


def check(builder: Builder) -> None:
    """Raises the plain-language error for a clause that cannot be coloured."""
    unknowns = builder.unknowns
    by_role = {role: [u for u in unknowns if u.role == role] for role in ("object", "colour", "part")}
    if not builder.subjects:
        if not builder.has_colour:
            return
        first = next((u for u in unknowns if u.role != "colour"), None)
        if first is not None:
            named = [u for u in unknowns if u.role == "object"]
            raise unknown_object((named[-1] if named else first).word)
        if builder.main is None:
            part = next(iter(builder.parts))
            raise InstructionError(f"Whose {part}? Name the object, e.g. 'the car has black {part}'.")
        colour = " ".join(builder.main)
        raise InstructionError(
            f"What should be {colour}? Name an object, e.g. 'the car is {colour}', "
            f"or select an area and say 'make it {colour}'."
        )
    if by_role["colour"]:
        raise InstructionError(f"Unknown colour '{by_role['colour'][0].word}'")
    if by_role["object"]:
        raise unknown_object(by_role["object"][-1].word)
    first_subject = builder.subjects[0]
    if not builder.has_colour:
        after = [u for u in unknowns if u.index >= first_subject.end]
        if after:
            raise InstructionError(f"Unknown colour '{after[0].word}'")
        label = _label(first_subject)
        if first_subject.kind == "selection":
            raise InstructionError("A colour is missing: say e.g. 'make it red'.")
        verb = "are" if quantity(first_subject) != "one" else "is"
        raise InstructionError(f"A colour is missing for the {label}: say e.g. 'the {label} {verb} red'.")
    for subject in builder.subjects:
        _check_parts(builder, subject, by_role["part"])
    if builder.second_main is not None and builder.main is not None:
        label, first, second = _label(first_subject), " ".join(builder.main), " ".join(builder.second_main)
        parts = PARTS.get(first_subject.name, ())
        hint = (
            f"name a part for the other, e.g. 'the {label} is {first} with {second} {parts[1]}'"
            if len(parts) > 1
            else "say e.g. 'make it " + first + "'"
            if first_subject.kind == "selection"
            else f"say e.g. 'the {label} is {first}'"
        )
        raise InstructionError(f"I can fill the {label} with one colour only ({first} or {second}?); {hint}.")


def _check_parts(builder: Builder, subject: Phrase, unknown_parts: list[Unknown]) -> None:
    named = list(builder.parts) + [u.word for u in unknown_parts]
    if not named:
        return
    if subject.kind != "object":
        what = "the selection" if subject.kind == "selection" else f"the {subject.name}"
        raise InstructionError(f"Parts can only be named for objects, not for {what}.")
    category = subject.name
    parts = PARTS.get(category, ("body",))
    for part in named:
        if part not in parts:
            if len(parts) == 1:
                raise InstructionError(f"A {category} is coloured as a whole; I can't colour its {part}.")
            raise InstructionError(
                f"I can't colour the {part} of a {category}; its parts are: {', '.join(parts)}."
            )


def to_clauses(builder: Builder) -> list[Clause]:
    out = []
    for subject in builder.subjects:
        if subject.kind == "background":
            words = builder.main or next(iter(builder.parts.values()))
            colour = resolve(" ".join(words), background=True)
            area = subject.name
            out.append(Clause(kind="background", area=area, colours={area: colour}))  # type: ignore[arg-type]
            continue
        target = to_target(subject)
        if subject.kind == "selection":
            words = builder.main or next(iter(builder.parts.values()))
            out.append(Clause(kind="foreground", target=target, colours={"body": resolve(" ".join(words))}))
            continue
        out.append(Clause(kind="foreground", target=target, colours=_part_colours(builder, subject.name)))
    return out


def _part_colours(builder: Builder, category: str) -> dict[str, Colour]:
    """The colours the user named, by part; a bare colour goes to the category's main part.

    Only what was said: the colours of unnamed parts are the colouring stage's choice
    (backend.colouring.palette), so it can tell the user's parts from its own defaults.
    """
    main = main_part(category)
    named = dict(builder.parts)
    main_words = named.pop(main, None) or builder.main
    colours: dict[str, Colour] = {}
    if main_words is not None:
        colours[main] = resolve(" ".join(main_words))
    for part, words in named.items():
        colours[part] = resolve(" ".join(words))
    return colours
