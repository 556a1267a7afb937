"""Instructions that are not colour descriptions: teaching, forgetting, colouring everything.

They are short fixed sentence shapes ("this is a cat", "forget the dog", "colour everything"), read
before the colour-description reader so that its rules never have to know about them.
"""

from __future__ import annotations

import re

from .colours import is_colour
from .instruction import Clause, InstructionError, ParsedInstruction, Target
from .phrases import read_phrase, to_target
from .tokenizer import tokenize

_COLOUR_VERB = r"(?:colou?r(?:ise|ize)?|paint|fill|flat|flatten)"
_EVERYTHING = re.compile(
    rf"^(?:please\s+)?(?:(?:auto(?:matically)?[\s-]*{_COLOUR_VERB})"
    rf"|(?:{_COLOUR_VERB}\s+(?:in\s+)?(?:everything|all(?:\s+of\s+it)?|it\s+all|the\s+whole\s+"
    r"(?:picture|image|scene|sketch|drawing|page|thing)|every(?:\s+|-)?thing|all\s+objects|all\s+the\s+objects)"
    rf"(?:\s+automatically|\s+for\s+me)?))(?:\s+please)?$"
)
_TEACH = re.compile(
    r"^(?:this|that|these|those|it|they|here)\s*(?:'s|'re|\s+is|\s+are|\s+was|\s+were)\s+"
    r"(?:(?:a|an|the|my|our|some)\s+)?(?P<name>[a-z][a-z -]*?)$"
)
_FORGET = re.compile(
    r"^(?:forget|unlearn|untrain)\s+(?:about\s+)?"
    r"(?:(?:the|a|an|my|all\s+the|all)\s+)?(?P<name>[a-z][a-z -]*?)$"
)


def _normalise(text: str) -> str:
    text = text.strip().lower().replace("\u2019", "'")
    text = re.sub(r"[.!?]+$", "", text).strip()
    return re.sub(r"\s+", " ", text)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


def _target(name: str) -> Target:
    """A known category by any of its names ("puppy" -> dog), else the artist's own word, singular."""
    tokens = tokenize(f"the {name}")
    found = read_phrase(tokens, 0)
    if found is not None and found.kind == "object" and found.end == len(tokens):
        return Target(category=to_target(found).category)
    words = name.split()
    if not words or len(words) > 3:
        raise InstructionError("What should I call it? Say e.g. 'this is a cat'.")
    return Target(category=" ".join([*words[:-1], _singular(words[-1])]), known=False)


def read_command(text: str) -> ParsedInstruction | None:
    """The instruction as a teach, forget or colour-everything command; None when it is none of them."""
    plain = _normalise(text)
    if _EVERYTHING.match(plain):
        return ParsedInstruction(text=text, clauses=[Clause(kind="everything")])
    for kind, pattern in (("teach", _TEACH), ("forget", _FORGET)):
        m = pattern.match(plain)
        if m and not _is_colour_sentence(m.group("name")):
            return ParsedInstruction(text=text, clauses=[Clause(kind=kind, target=_target(m.group("name")))])
    return None


def _is_colour_sentence(name: str) -> bool:
    """ "this is red", "it's light blue": a colour for the selection, not a name to learn."""
    return is_colour(name.split())
