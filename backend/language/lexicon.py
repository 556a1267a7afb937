"""The parser's words: which word means which object, part, side, quantity, or nothing at all.

Kept as data, apart from the rules that read sentences, so that teaching the parser a new word is a
one-line change here and never touches a rule. The tables are written by meaning ("car": its other
names) and looked up by word; the inversions and the noun forms (plurals) are derived once, below.
"""

from __future__ import annotations

from backend.categories import FOREGROUND, PARTS

from .colours import MODIFIERS

# ---------------------------------------------------------------------------------------------
# Nouns: plurals, and tables by meaning (key -> the words that mean it, space separated)

# Plurals that do not take -s, -es or -ies; the rest follow the spelling rule (_plural below).
PLURAL_OF = {
    "person": "people",
    "man": "men",
    "woman": "women",
    "child": "children",
    "sheep": "sheep",
    "calf": "calves",
    "ox": "oxen",
    "goose": "geese",
    "cattle": "cattle",
}
# Plural forms read as such whatever the rules above make of them.
PLURAL_FORMS = {"persons": "person", "busses": "bus", "cattle": "cow", "people": "person"}
SYNONYM_WORDS = {
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
BACKGROUND_WORDS = {"sky": "sky skies heaven heavens", "ground": "ground floor land earth soil"}
PART_SYNONYM_WORDS = {
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
SIDE_WORDS = {
    "left": "left",
    "right": "right",
    "middle": "middle center centre central mid",
    "top": "top upper",
    "bottom": "bottom lower",
    "front": "front foreground",
    "back": "back rear background",
}
SUPERLATIVE_WORDS = {
    "left": "leftmost",
    "right": "rightmost last",
    "top": "topmost uppermost highest",
    "bottom": "bottommost lowermost lowest",
    "front": "frontmost nearest closest",
    "back": "backmost farthest furthest",
    "middle": "middlemost centermost",
}
NUMBER_WORDS = "one two three four five six seven eight nine ten"
ORDINAL_WORDS = "first second third fourth fifth sixth seventh eighth ninth tenth"

# ---------------------------------------------------------------------------------------------
# Word classes

# "top" is a position word in referring phrases; as a part it is only read right after a colour.
POSITION_PARTS = frozenset({"top"})
DETS = frozenset("the a an this that these those my our your some".split())
DEMONSTRATIVES = frozenset({"this", "that", "these", "those"})
PRONOUNS = frozenset({"it", "them", "they", "here"})
SELECTION_HEADS = frozenset({"selection", "area", "region", "zone", "spot", "shape", "bit"})
ALL = frozenset({"all", "every", "each"})
# Words between a noun and its position phrase: "the car that is parked on the left".
RELATIVE = frozenset(
    "that which who is are standing sitting located placed parked flying lying walking running grazing "
    "stands sits being there positioned".split()
)
PLURAL_VERBS = frozenset({"are", "were", "have"})
COLOUR_NOUNS = frozenset({"colour", "color", "colours", "colors", "shade", "tone", "hue", "tint"})
# Words read past without meaning anything: verbs of colouring, pronouns, politeness.
FILLERS = frozenset(
    "is are was were be being been 's should must will would can could shall may might please to in into "
    "with and of as also too so then now just i want like you me we us need needs let lets set turn "
    "change make makes give gives have has had having wearing wears wear wore dressed paint painted "
    "painting fill filled colour color colours colors coloured colored colourize colorize colourise "
    "colorise colouring coloring recolor recolour shade tone hue tint its their his her him "
    "for do does not plz pls today again instead well thanks thank by using use get "
    "gets got become becomes look looks looking appear appears ones one there over "
    "whole entire entirely completely fully totally mostly bit".split()
)
# A strong separator ends a clause; a weak one only separates phrases within or between clauses.
STRONG_SEPS = frozenset({".", ";", "!", "?"})
WEAK_SEPS = frozenset({",", ":", "and", "&", "but", "then", "while", "plus"})
POSSESSIVES = frozenset({"its", "their", "his", "her", "'s"})
# Words with a use that no table above lists.
OTHER_WORDS = frozenset({"both", "far", "selected"})

# ---------------------------------------------------------------------------------------------
# Lookups by word, derived from the tables


def _invert(table: dict[str, str]) -> dict[str, str]:
    """{"car": "taxi cab"} -> {"taxi": "car", "cab": "car"}: tables read by meaning, used by word."""
    return {word: key for key, words in table.items() for word in words.split()}


SYNONYMS = _invert(SYNONYM_WORDS)
BACKGROUND_NOUNS = _invert(BACKGROUND_WORDS)
PART_WORDS = _invert(PART_SYNONYM_WORDS) | {part: part for parts in PARTS.values() for part in parts}
SIDES = _invert(SIDE_WORDS)
SUPERLATIVES = _invert(SUPERLATIVE_WORDS)
NUMBERS = {w: i for i, w in enumerate(NUMBER_WORDS.split(), 1)} | {"pair": 2, "couple": 2}
ORDINALS = {w: i for i, w in enumerate(ORDINAL_WORDS.split(), 1)}


def _plural(word: str) -> str:
    if word in PLURAL_OF:
        return PLURAL_OF[word]
    if word.endswith(("s", "sh", "ch", "x", "z")):
        return word + "es"
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _noun_table() -> dict[str, tuple[str, str]]:
    """word -> (category, number: sg | pl | amb)."""
    # A plural spelled like the singular ("sheep") is "amb": the verb or a quantifier decides.
    table: dict[str, tuple[str, str]] = {}
    for word, category in [*((c, c) for c in FOREGROUND), *SYNONYMS.items()]:
        plural = _plural(word)
        table.setdefault(plural, (category, "pl"))
        table[word] = (category, "amb" if plural == word else "sg")
    table.update((word, (category, "pl")) for word, category in PLURAL_FORMS.items())
    return table


NOUNS = _noun_table()
HEAD_WORDS = frozenset(NOUNS) | frozenset(BACKGROUND_NOUNS)

# Every word the lexicon gives a use; the phrase patterns add their own (phrases.KNOWN_WORDS).
WORDS = frozenset().union(
    HEAD_WORDS,
    FILLERS,
    DETS,
    ALL,
    SIDES,
    SUPERLATIVES,
    PART_WORDS,
    PRONOUNS,
    SELECTION_HEADS,
    RELATIVE,
    COLOUR_NOUNS,
    STRONG_SEPS,
    WEAK_SEPS,
    MODIFIERS,
    OTHER_WORDS,
)
