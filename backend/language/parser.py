"""English instruction -> ParsedInstruction, with a hand-written tokenizer and a few rules.

The vocabulary is closed (25 objects, sky/ground, parts, colours) and the sentences are short, so
rules read them predictably, in microseconds, and can say which word they did not understand; a
learned parser could do none of that without training data for the error cases.

Reading order: a sentence is a stream of noun phrases (who), colour phrases (which colour) and part
names (which part). A noun phrase opens a clause; colours that follow fill it until a colour has
been given and another noun phrase starts the next clause ("the sun is orange and the clouds are
light blue"). A colour right before a noun or part belongs to it ("yellow road", "black windows").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from backend.categories import FOREGROUND, PARTS, main_part

from .colours import MODIFIERS, is_modifier, longest_colour, resolve
from .instruction import Clause, Colour, InstructionError, ParsedInstruction, Position, Target

# ---------------------------------------------------------------------------------------------
# Lexicon


def _invert(table: dict[str, str]) -> dict[str, str]:
    """{"car": "taxi cab"} -> {"taxi": "car", "cab": "car"}: tables read by meaning, used by word."""
    return {word: key for key, words in table.items() for word in words.split()}


_PLURAL_OF = _invert({"people": "person", "men": "man", "women": "woman", "children": "child"})
_PLURAL_OF |= {"sheep": "sheep", "calf": "calves", "ox": "oxen", "goose": "geese", "cattle": "cattle"}
_SYNONYMS = _invert(
    {
        "car": "taxi cab automobile jeep van auto",
        "dog": "puppy doggy doggie hound",
        "cat": "kitty kitten kittie",
        "horse": "pony stallion mare foal",
        "person": "kid boy girl man woman child guy lady human gentleman pedestrian",
        "truck": "lorry pickup",
        "chicken": "hen rooster chick cock",
        "rabbit": "bunny hare",
        "sheep": "lamb ewe",
        "house": "building home hut cottage cabin",
        "road": "street path lane highway",
        "chair": "seat stool armchair",
        "bench": "sofa couch",
        "pig": "piglet hog swine",
        "cow": "calf bull ox cattle",
        "duck": "duckling goose",
        "bus": "coach minibus schoolbus",
        "sun": "sunshine",
        "tree": "oak pine palm",
    }
)
_BACKGROUND_NOUNS = _invert({"sky": "sky skies heaven heavens", "ground": "ground floor land earth soil"})
_PART_WORDS = _invert(
    {
        "windows": "window windshield windscreen",
        "wheels": "wheel tyre tyres tire tires",
        "leaves": "leaf crown foliage canopy",
        "pants": "trousers trouser jeans pant shorts",
        "shirt": "tshirt tshirts top shirts blouse sweater jacket coat jumper hoodie",
        "skirt": "dress skirts",
        "wings": "wing",
        "flame": "ray rays flames beams",
        "walls": "wall",
        "roof": "roofs",
        "door": "doors",
        "trunk": "trunks stem bark",
        "hair": "hairs",
        "face": "faces",
        "body": "bodies",
        "head": "heads",
        "tail": "tails",
        "edge": "edges border borders rim",
        "disk": "disc",
        "carriage": "trailer cargo container",
    }
)
_PART_WORDS.update({part: part for parts in PARTS.values() for part in parts})
# "top" is a position word in referring phrases; as a part it is only read right after a colour.
_POSITION_PARTS = frozenset({"top"})

_DETS = frozenset("the a an this that these those my our your some".split())
_DEMONSTRATIVES = frozenset({"this", "that", "these", "those"})
_PRONOUNS = frozenset({"it", "them", "they", "here"})
_SELECTION_HEADS = frozenset({"selection", "area", "region", "zone", "spot", "shape", "bit"})
_ALL = frozenset({"all", "every", "each"})
_NUMBERS = {w: i for i, w in enumerate("one two three four five six seven eight nine ten".split(), 1)}
_NUMBERS |= {"pair": 2, "couple": 2}
_ORDINALS = {
    w: i for i, w in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth".split(), 1)
}
_SIDES = _invert(
    {
        "left": "left",
        "right": "right",
        "middle": "middle center centre central mid",
        "top": "top upper",
        "bottom": "bottom lower",
        "front": "front foreground",
        "back": "back rear background",
    }
)
_SUPERLATIVES = _invert(
    {
        "left": "leftmost",
        "right": "rightmost last",
        "top": "topmost uppermost highest",
        "bottom": "bottommost lowermost lowest",
        "front": "frontmost nearest closest",
        "back": "backmost farthest furthest",
        "middle": "middlemost centermost",
    }
)
# Words between a noun and its position phrase: "the car that is parked on the left".
_RELATIVE = frozenset(
    "that which who is are standing sitting located placed parked flying lying walking running grazing "
    "stands sits being there positioned".split()
)
_PLURAL_VERBS = frozenset({"are", "were", "have"})
_COLOUR_NOUNS = frozenset({"colour", "color", "colours", "colors", "shade", "tone", "hue", "tint"})
_FILLERS = frozenset(
    "is are was were be being been 's should must will would can could shall may might please to in into "
    "with and of as also too so then now just i want like you me we us need needs let lets set turn "
    "change make makes give gives have has had having wearing wears wear wore dressed paint painted "
    "painting fill filled colour color colours colors coloured colored colourize colorize colourise "
    "colorise colouring coloring recolor recolour shade tone hue tint its their his her him "
    "for do does not plz pls today again instead well thanks thank by using use get "
    "gets got become becomes look looks looking appear appears ones one there over "
    "whole entire entirely completely fully totally mostly bit".split()
)
_STRONG_SEPS = frozenset({".", ";", "!", "?"})
_WEAK_SEPS = frozenset({",", ":", "and", "&", "but", "then", "while", "plus"})
_POSSESSIVES = frozenset({"its", "their", "his", "her", "'s"})


def _plural(word: str) -> str:
    if word in _PLURAL_OF:
        return _PLURAL_OF[word]
    if word.endswith(("s", "sh", "ch", "x", "z")):
        return word + "es"
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _noun_table() -> dict[str, tuple[str, str]]:
    """word -> (category, number: sg | pl | amb)."""
    # A plural spelled like the singular ("sheep") is "amb": the verb or a quantifier decides.
    table: dict[str, tuple[str, str]] = {}
    for word, category in [*((c, c) for c in FOREGROUND), *_SYNONYMS.items()]:
        plural = _plural(word)
        table.setdefault(plural, (category, "pl"))
        table[word] = (category, "amb" if plural == word else "sg")
    table["persons"] = ("person", "pl")
    table["busses"] = ("bus", "pl")
    table["cattle"] = ("cow", "pl")
    table["people"] = ("person", "pl")
    return table


_NOUNS = _noun_table()
_HEAD_WORDS = frozenset(_NOUNS) | frozenset(_BACKGROUND_NOUNS)


# ---------------------------------------------------------------------------------------------
# Token patterns: "on the? left side? of" = words in order, "?" optional, "a|b" alternatives.

Pattern = tuple[tuple[frozenset[str], bool], ...]


def _pat(spec: str) -> Pattern:
    return tuple((frozenset(p.rstrip("?").split("|")), p.endswith("?")) for p in spec.split())


def _match(tokens: list[str], i: int, pattern: Pattern) -> int:
    """End index of a greedy match of pattern at tokens[i], or -1."""
    for words, optional in pattern:
        if i < len(tokens) and tokens[i] in words:
            i += 1
        elif not optional:
            return -1
    return i


_PREP = "on|to|at|in|from|towards|toward"
# (pattern, relation, side of the anchor). Tried in order: longer, "of"-ended phrases first.
_RELATIONS: list[tuple[Pattern, str, str | None]] = [
    *(
        (_pat(f"{_PREP}? the? {side} {depth} side? of"), rel, side)
        for side in ("left", "right")
        for depth, rel in (("front", "in_front_of"), ("back|rear", "behind"))
    ),
    *((_pat(f"{_PREP}? the? {side} hand? side? of"), f"{side}_of", None) for side in ("left", "right")),
    (_pat("in|at the? front of"), "in_front_of", None),
    (_pat("in|at the? back|rear of"), "behind", None),
    (_pat("behind|beyond"), "behind", None),
    (_pat("in|at the? middle|center|centre of"), "among", None),
    (_pat("next|close|near|adjacent to"), "near", None),
    (_pat("by the side of"), "near", None),
    (_pat("near|nearby|beside|besides|alongside|by"), "near", None),
    (_pat("on top of"), "on", None),
    (_pat("under|below|beneath|underneath"), "under", None),
    (_pat("on|upon|atop"), "on", None),
    (_pat("above|over"), "above", None),
    (_pat("in between"), "among", None),
    (_pat("among|amongst|amid|between|in|inside|within"), "among", None),
    (_pat("around|surrounding|round"), "around", None),
]
_RELATION_WORDS = frozenset(w for pattern, _, _ in _RELATIONS for words, _ in pattern for w in words)
_GROUND_PHRASE = _pat("on|in the? ground|floor|land|grass|earth")
_SKY_PHRASE = _pat("in|up the? sky|air|skies")
_POSITION_START = _pat(f"{_PREP} the?")
_SIDE_NOUN = _pat("hand? side|part|half|corner|edge")
_OF_PICTURE = _pat("of the? picture|image|scene|sketch|drawing|canvas|page|screen")


_KNOWN_WORDS = frozenset().union(
    _HEAD_WORDS,
    _FILLERS,
    _DETS,
    _ALL,
    _SIDES,
    _SUPERLATIVES,
    _RELATION_WORDS,
    _PART_WORDS,
    _PRONOUNS,
    _SELECTION_HEADS,
    _RELATIVE,
    _COLOUR_NOUNS,
    _STRONG_SEPS,
    _WEAK_SEPS,
    MODIFIERS,
    {"both", "far", "selected"},
)

# ---------------------------------------------------------------------------------------------
# Tokenizer

_TOKEN = re.compile(r"#[0-9a-f]{6}\b|#[0-9a-f]{3}\b|\d+(?:st|nd|rd|th)?|[a-z]+|'s|[,.;:!?&]")
_RGB = re.compile(r"rgb\s*\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)")


def _tokenize(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'")
    text = _RGB.sub(lambda m: "#" + "".join(f"{min(int(v), 255):02x}" for v in m.groups()), text)
    text = re.sub(r"\bt-shirt", "tshirt", text).replace("-", " ").replace("_", " ")
    return _TOKEN.findall(text)


# Longer digit runs are not counts anyone means, and int() raises ValueError past 4300 digits.
_MAX_DIGITS = 6


def _number(token: str) -> int | None:
    if token in _NUMBERS:
        return _NUMBERS[token]
    return int(token) if token.isdigit() and len(token) <= _MAX_DIGITS else None


def _ordinal(token: str) -> int | None:
    if token in _ORDINALS:
        return _ORDINALS[token]
    match = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", token)
    return int(match.group(1)) if match and len(match.group(1)) <= _MAX_DIGITS else None


# ---------------------------------------------------------------------------------------------
# Noun phrases


@dataclass
class _Phrase:
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
    anchor: _Phrase | None = None
    colour: list[str] | None = None  # an adjective colour inside the phrase ("the yellow road")
    plural_verb: bool = False


def _known(token: str) -> bool:
    """A word the parser has a use for; any other word is reported when it matters."""
    return (
        token in _KNOWN_WORDS
        or _number(token) is not None
        or _ordinal(token) is not None
        or token.startswith("#")
    )


def _phrase(tokens: list[str], i: int, nested: int = 0, anaphor: str | None = None) -> _Phrase | None:
    """The noun phrase starting at tokens[i] (determiners, quantity, position words, head, then
    position/relation phrases), or None when no object, area or selection word heads it.

    anaphor: the category "one"/"ones" stands for ("the car on the left is red and the one on the
    right is blue")."""
    n = len(tokens)
    p = _Phrase("object", i, i)
    j = i
    skipped = 0
    det = None
    while j < n:
        t = tokens[j]
        if t in _ALL or t == "both":
            p.quant = "all" if t in _ALL else "both"
            j += 2 if j + 1 < n and tokens[j + 1] == "of" else 1
        elif t in _DETS:
            det = t
            j += 1
        elif anaphor and j > i and t in ("one", "ones") and (j + 1 == n or tokens[j + 1] != "of"):
            break
        elif _number(t) is not None:
            p.count = _number(t)
            j += 1
            if j < n and tokens[j] == "of":
                j += 1
        elif _ordinal(t) is not None:
            p.ordinal = _ordinal(t)
            j += 1
        elif t == "far" and j + 1 < n and tokens[j + 1] in ("left", "right"):
            p.sides.append(tokens[j + 1])
            p.superlative = True
            j += 2
        elif t in _SIDES:
            p.sides.append(_SIDES[t])
            j += 1
        elif t in _SUPERLATIVES:
            p.sides.append(_SUPERLATIVES[t])
            p.superlative = True
            j += 1
        elif t in _HEAD_WORDS:
            break
        elif t in _PRONOUNS or t in _SELECTION_HEADS or t == "selected":
            break
        elif (k := longest_colour(tokens, j)) and j + k < n and tokens[j + k] in _HEAD_WORDS:
            p.colour = tokens[j : j + k]
            j += k
        elif not _known(t) and skipped < 2 and j + 1 < n:
            skipped += 1  # an adjective we do not know: "the big dog", "the school bus"
            j += 1
        else:
            break
    if anaphor and j < n and tokens[j] in ("one", "ones"):
        p.name, p.number = anaphor, "pl" if tokens[j] == "ones" else "sg"
        p.head = anaphor
        p.end = _post_modifiers(tokens, j + 1, p, nested)
        return p
    if j >= n or tokens[j] not in _HEAD_WORDS:
        return _selection(tokens, i, j, det)
    t = tokens[j]
    p.head = t
    j += 1
    if t in _BACKGROUND_NOUNS:
        p.kind, p.name, p.end = "background", _BACKGROUND_NOUNS[t], j
        return p
    p.name, p.number = _NOUNS[t]
    p.end = _post_modifiers(tokens, j, p, nested)
    return p


def _selection(tokens: list[str], i: int, j: int, det: str | None) -> _Phrase | None:
    """'it', 'this', 'them', 'the selection', 'the selected area': whatever the user selected."""
    n = len(tokens)
    if j < n and tokens[j] == "selected":
        j += 1
        if j < n and tokens[j] in _SELECTION_HEADS | {"part", "parts", "one"}:
            j += 1
        return _Phrase("selection", i, j, head="selection")
    if j < n and (tokens[j] in _SELECTION_HEADS or (tokens[j] in _PRONOUNS and j == i)):
        return _Phrase("selection", i, j + 1, head=tokens[j])
    if det in _DEMONSTRATIVES and tokens[i] == det and j == i + 1:
        return _Phrase("selection", i, j, head=det)
    return None


def _post_modifiers(tokens: list[str], j: int, p: _Phrase, nested: int) -> int:
    """Position, "in the sky" and relation phrases after the head noun; returns the end index."""
    n = len(tokens)
    while j < n:
        k = j
        while k < n and tokens[k] in _RELATIVE and not (tokens[k] == "that" and k > j):
            k += 1  # "the car that is on the left"
        end = _relation(tokens, k, p, nested)
        if end < 0:
            end = _position(tokens, k, p)
        if end < 0 and k < n and _ordinal(tokens[k]) is not None and p.ordinal is None:
            end = _position(tokens, k + 1, p)  # "the cloud second from the right"
            if end > 0:
                p.ordinal = _ordinal(tokens[k])
        if end < 0:
            end = _match(tokens, k, _SKY_PHRASE)
            if end > 0:
                p.in_sky = True
        if end < 0:
            end = _match(tokens, k, _GROUND_PHRASE)
            if end > 0 and end < n and tokens[end] == "of":
                end = -1
        if end < 0:
            return j
        j = end
    return j


def _relation(tokens: list[str], k: int, p: _Phrase, nested: int) -> int:
    if nested > 3 or p.relation is not None:
        return -1
    for pattern, relation, side in _RELATIONS:
        end = _match(tokens, k, pattern)
        if end <= k or end >= len(tokens):
            continue
        anchor = _phrase(tokens, end, nested + 1)
        if anchor is None or anchor.kind != "object":
            continue
        p.relation, p.relation_side, p.anchor = relation, side, anchor
        return anchor.end
    return -1


def _position(tokens: list[str], k: int, p: _Phrase) -> int:
    """'on the left', 'in the middle', 'on the rightmost', 'on the right back', 'in front', 'at the
    top of the picture'; not 'on the left of X' (a relation)."""
    n = len(tokens)
    j = _match(tokens, k, _POSITION_START)
    if j < 0:
        return -1
    sides: list[str] = []
    superlative = False
    while j < n and len(sides) < 2:
        t = tokens[j]
        if t == "far" and j + 1 < n and tokens[j + 1] in ("left", "right"):
            superlative = True
        elif t in _SIDES:
            sides.append(_SIDES[t])
        elif t in _SUPERLATIVES and t != "last":
            sides.append(_SUPERLATIVES[t])
            superlative = True
        else:
            break
        j += 1
    if not sides:
        return -1
    j = max(j, _match(tokens, j, _SIDE_NOUN))
    if j < n and tokens[j] == "of":
        end = _match(tokens, j, _OF_PICTURE)
        if end < 0:
            return -1
        j = end
    p.sides.extend(sides)
    p.superlative = p.superlative or superlative
    return j


def _quantity(p: _Phrase) -> str | int:
    if p.count is not None:
        return "one" if p.count == 1 else p.count
    if p.quant == "both":
        return 2
    if p.quant == "all" or p.number == "pl" or (p.number == "amb" and p.plural_verb):
        return "all"
    return "one"


def _target(p: _Phrase) -> Target:
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
        quantity=_quantity(p),
        position=position,
        in_sky=p.in_sky,
        relation=p.relation,  # type: ignore[arg-type]
        relation_side=p.relation_side,  # type: ignore[arg-type]
        anchor=_target(p.anchor) if p.anchor is not None else None,
    )


# ---------------------------------------------------------------------------------------------
# Clauses


@dataclass
class _Unknown:
    word: str
    index: int
    role: str  # object | colour | part | loose


@dataclass
class _Builder:
    """One clause being read: subjects that share the colours given after them."""

    subjects: list[_Phrase] = field(default_factory=list)
    main: list[str] | None = None
    main_is_adjective: bool = False  # "the red car is blue": a later colour replaces it
    second_main: list[str] | None = None  # "the cow is black and white": one colour too many
    parts: dict[str, list[str]] = field(default_factory=dict)
    pending_parts: list[str] = field(default_factory=list)
    unknowns: list[_Unknown] = field(default_factory=list)
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


def _label(p: _Phrase) -> str:
    return "selection" if p.kind == "selection" else p.head or p.name


class _Reader:
    """One left-to-right pass that groups noun phrases, colours and parts into clauses."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.builders: list[_Builder] = []
        self.cur: _Builder | None = None
        self.last_object: str | None = None  # what "the one on the right" refers to

    def builder(self) -> _Builder:
        if self.cur is None or self.cur.closed:
            self.cur = _Builder()
            self.builders.append(self.cur)
        return self.cur

    def waiting(self) -> bool:
        """A subject was named and has no colour yet."""
        cur = self.cur
        return cur is not None and not cur.closed and bool(cur.subjects) and not cur.has_colour

    def read(self) -> list[_Builder]:
        tokens = self.tokens
        n = len(tokens)
        i = 0
        while i < n:
            t = tokens[i]
            if t in _STRONG_SEPS:
                if self.cur is not None:
                    self.cur.closed = True
                i += 1
                continue
            if t in _WEAK_SEPS:
                i += 1
                continue
            k = longest_colour(tokens, i)
            noun_first = (t in _HEAD_WORDS or t in _PART_WORDS) and not self.waiting()
            if k and not noun_first:
                i = self.colour(tokens[i : i + k], i + k)
                continue
            phrase = _phrase(tokens, i, anaphor=self.last_object)
            if phrase is not None and phrase.end > i:
                self.subject(phrase)
                i = phrase.end
                continue
            if t in _PART_WORDS and t not in _POSITION_PARTS:
                self.builder().pending_parts.append(_PART_WORDS[t])
            elif not _known(t):
                self.unknown(i)
            i += 1
        return self.builders

    def colour(self, words: list[str], end: int) -> int:
        tokens = self.tokens
        if end < len(tokens) and tokens[end] in _PART_WORDS:
            cur = self.builder()
            cur.parts[_PART_WORDS[tokens[end]]] = words
            return end + 1
        if end < len(tokens):
            phrase = _phrase(tokens, end, anaphor=self.last_object)
            if phrase is not None and phrase.kind != "selection" and phrase.end > end:
                phrase.colour = words
                self.subject(phrase)
                return phrase.end
        self.builder().colour(words)
        return end

    def subject(self, p: _Phrase) -> None:
        tokens = self.tokens
        if p.kind == "object" and p.number == "amb" and p.end < len(tokens):
            p.plural_verb = tokens[p.end] in _PLURAL_VERBS
        if p.kind == "selection" and self.waiting():
            return  # "the car, make it red": 'it' is the car
        if p.kind == "object":
            self.last_object = p.name
        cur = self.cur
        if cur is None or cur.closed or (cur.subjects and (cur.has_colour or p.colour is not None)):
            cur = _Builder()
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
        if nxt in _PART_WORDS or nxt in _COLOUR_NOUNS or is_modifier(prev):
            role = "colour"
        elif prev in _DETS or prev in _ALL or prev == "both" or _number(prev) is not None:
            role = "object"  # "the spaceship", "near the garage"
        elif prev in _RELATION_WORDS and before not in _FILLERS:
            role = "object"  # "near garages"
        elif prev in _POSSESSIVES or (i and longest_colour(tokens, i - 1)):
            role = "part"
        else:
            role = "loose"
        cur = self.builder()
        last = cur.unknowns[-1] if cur.unknowns else None
        if last is not None and last.index == i - 1 and role in ("loose", "part") and last.role == "object":
            # "the space ship": the noun is the last word of the run
            cur.unknowns[-1] = _Unknown(tokens[i], i, "object")
            return
        cur.unknowns.append(_Unknown(tokens[i], i, role))


def _unknown_object(word: str) -> InstructionError:
    return InstructionError(f"I don't know '{word}'; known objects: {_objects_hint()}.")


def _check(builder: _Builder) -> None:
    """Raises the plain-language error for a clause that cannot be coloured."""
    unknowns = builder.unknowns
    by_role = {role: [u for u in unknowns if u.role == role] for role in ("object", "colour", "part")}
    if not builder.subjects:
        if not builder.has_colour:
            return
        first = next((u for u in unknowns if u.role != "colour"), None)
        if first is not None:
            named = [u for u in unknowns if u.role == "object"]
            raise _unknown_object((named[-1] if named else first).word)
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
        raise _unknown_object(by_role["object"][-1].word)
    first_subject = builder.subjects[0]
    if not builder.has_colour:
        after = [u for u in unknowns if u.index >= first_subject.end]
        if after:
            raise InstructionError(f"Unknown colour '{after[0].word}'")
        label = _label(first_subject)
        if first_subject.kind == "selection":
            raise InstructionError("A colour is missing: say e.g. 'make it red'.")
        verb = "are" if _quantity(first_subject) != "one" else "is"
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


def _check_parts(builder: _Builder, subject: _Phrase, unknown_parts: list[_Unknown]) -> None:
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


def _clauses(builder: _Builder) -> list[Clause]:
    out = []
    for subject in builder.subjects:
        if subject.kind == "background":
            words = builder.main or next(iter(builder.parts.values()))
            colour = resolve(" ".join(words), background=True)
            area = subject.name
            out.append(Clause(kind="background", area=area, colours={area: colour}))  # type: ignore[arg-type]
            continue
        target = _target(subject)
        if subject.kind == "selection":
            words = builder.main or next(iter(builder.parts.values()))
            out.append(Clause(kind="foreground", target=target, colours={"body": resolve(" ".join(words))}))
            continue
        out.append(Clause(kind="foreground", target=target, colours=_part_colours(builder, subject.name)))
    return out


def _part_colours(builder: _Builder, category: str) -> dict[str, Colour]:
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


# ---------------------------------------------------------------------------------------------
# Public API


def parse_instruction(text: str) -> ParsedInstruction:
    """Reads a colouring instruction; raises InstructionError with a message for the user."""
    reader = _Reader(text)
    if not any(t not in _STRONG_SEPS and t not in _WEAK_SEPS for t in reader.tokens):
        raise InstructionError("Please describe what to colour, e.g. 'the car is red'")
    builders = reader.read()
    for builder in builders:
        _check(builder)
    clauses = [clause for builder in builders for clause in _clauses(builder)]
    if not clauses:
        leftovers = [u for b in builders for u in b.unknowns]
        pending = [p for b in builders for p in b.pending_parts]
        if leftovers:
            objects = [u for u in leftovers if u.role == "object"]
            if objects:
                raise _unknown_object(objects[-1].word)
            raise InstructionError(f"I could not find an object or colour in '{text.strip()}'")
        if pending:
            raise InstructionError(
                f"Which object's {pending[0]} and which colour? Say e.g. 'the car has black {pending[0]}'."
            )
        raise InstructionError("Please describe what to colour, e.g. 'the car is red'")
    return ParsedInstruction(text=text, clauses=clauses)


def parse_target(phrase: str) -> Target:
    """Reads a referring phrase with no colour ("the second tree on the left") into a Target."""
    tokens = _tokenize(phrase)
    unknown: list[str] = []
    for i, token in enumerate(tokens):
        found = _phrase(tokens, i)
        if found is not None and found.end > i:
            if found.kind == "background":
                raise InstructionError(f"'{phrase.strip()}' names the {found.name}, not an object.")
            return _target(found)
        if not _known(token):
            unknown.append(token)
    if unknown:
        raise _unknown_object(unknown[-1])
    raise InstructionError(f"I could not find an object in '{phrase.strip()}'")
