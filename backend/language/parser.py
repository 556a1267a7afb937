"""English instruction -> ParsedInstruction, with a hand-written tokenizer and a few rules.

The vocabulary is closed (25 objects, sky/ground, parts, colours) and the sentences are short, so
rules read them predictably, in microseconds, and can say which word they did not understand; a
learned parser could do none of that without training data for the error cases.

This module is the parser's public face; the reading is done, bottom up, by:
  lexicon    the words: which word means which object, part, side, quantity, or nothing
  tokenizer  text -> tokens; numbers, ordinals and the word-order patterns
  phrases    noun phrases -> Targets (category, quantity, position, relation)
  clauses    the sentence -> clauses, their part colours, and the messages for what is missing
  commands   whole-sentence commands read before all that: teach, forget, colour everything
"""

from __future__ import annotations

from collections.abc import Iterable

from .clauses import Reader, check, to_clauses, unknown_object
from .commands import read_command
from .instruction import InstructionError, ParsedInstruction, Target
from .lexicon import STRONG_SEPS, WEAK_SEPS
from .phrases import artist_names, known, read_phrase, to_target
from .tokenizer import tokenize

# "the giraffe and the zebra are yellow" with a selection: this many new names per instruction.
MAX_NEW_NAMES = 3


def parse_instruction(text: str, names: Iterable[str] = (), selection: bool = False) -> ParsedInstruction:
    """Reads an instruction; raises InstructionError with a message for the user.

    names: what the artist taught this document, beyond the vocabulary ("giraffe"). With a
    selection, an unknown word where an object's name goes is the artist's name for what is
    selected ("the giraffe is yellow"), not an error.
    """
    command = read_command(text)
    if command is not None:
        return command
    names = list(names)
    for added in range(MAX_NEW_NAMES + 1):
        try:
            with artist_names(names):
                return _parse_description(text)
        except InstructionError as error:
            if not selection or error.unknown_object is None or added == MAX_NEW_NAMES:
                raise
            names.append(error.unknown_object)
    raise AssertionError("unreachable: the last pass returns or raises")


def _parse_description(text: str) -> ParsedInstruction:
    """A colour description: who (noun phrases), which colours, which parts."""
    reader = Reader(text)
    if not any(t not in STRONG_SEPS and t not in WEAK_SEPS for t in reader.tokens):
        raise InstructionError("Please describe what to colour, e.g. 'the car is red'")
    builders = reader.read()
    for builder in builders:
        check(builder)
    clauses = [clause for builder in builders for clause in to_clauses(builder)]
    if not clauses:
        leftovers = [u for b in builders for u in b.unknowns]
        pending = [p for b in builders for p in b.pending_parts]
        if leftovers:
            objects = [u for u in leftovers if u.role == "object"]
            if objects:
                raise unknown_object(objects[-1].word)
            raise InstructionError(f"I could not find an object or colour in '{text.strip()}'")
        if pending:
            raise InstructionError(
                f"Which object's {pending[0]} and which colour? Say e.g. 'the car has black {pending[0]}'."
            )
        raise InstructionError("Please describe what to colour, e.g. 'the car is red'")
    return ParsedInstruction(text=text, clauses=clauses)


def parse_target(phrase: str) -> Target:
    """Reads a referring phrase with no colour ("the second tree on the left") into a Target."""
    tokens = tokenize(phrase)
    unknown: list[str] = []
    for i, token in enumerate(tokens):
        found = read_phrase(tokens, i)
        if found is not None and found.end > i:
            if found.kind == "background":
                raise InstructionError(f"'{phrase.strip()}' names the {found.name}, not an object.")
            return to_target(found)
        if not known(token):
            unknown.append(token)
    if unknown:
        raise unknown_object(unknown[-1])
    raise InstructionError(f"I could not find an object in '{phrase.strip()}'")
