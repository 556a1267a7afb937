"""How much real referring language the parser understands: parse_target over all 38,570 phrases of
SketchyScene's referring-expression set (train + val + test).

    python scripts/parser_coverage.py [--data ../shared/data] [--examples 3]

The expected answer is derived from the phrase text alone, by rules written here independently of the
parser (so the parser cannot agree with itself):

- category: the first word of the phrase that is one of the 25 categories, a plural of one, or a
  synonym (SketchyScene's "people" = person). In these phrases the head noun always comes before any
  anchor ("the dog near the tree" -> dog).
- quantity, from the words before that head noun only (a number after it belongs to the anchor):
  a number word ("the two trees", "all the three cows") -> that number; "both" -> 2; "all"/"every"/
  "each" or a plural head ("the trees") -> "all"; otherwise "one". A noun whose plural is spelled like
  its singular ("the sheep") reads as "one": the text alone cannot say more.

- position (side, ordinal, superlative, second side), from side words before the head ("the left
  back tree", "the bottom second cow", "the leftmost dog") and a side phrase right after it that is
  not a relation ("on the left", "in the middle", "on the rightmost", "on the right back").
- relation, from the earliest relation phrase after the head ("in front of", "behind", "near",
  "among", "around", "on the left of", "on the right front of" = in front of + right side), and the
  anchor category: the first category word after that phrase. "in the sky" sets in_sky.

In count terms this is what the dataset annotates: a number or "both" must equal the length of the
phrase's instance list, "all" means the whole list, "one" a single instance. The script checks that the
data agrees with these readings and reports where it does not (a data fact, not a parser failure).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.categories import FOREGROUND  # noqa: E402
from backend.language import (  # noqa: E402
    InstructionError,
    Target,
    parse_target,  # noqa: E402
)

SPLITS = ("train", "val", "test")
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
ALL_WORDS = {"all", "every", "each"}
# Plurals English spells irregularly; the rest take -s.
IRREGULAR = {
    "person": ("people", "persons"),
    "sheep": ("sheep",),
    "bus": ("buses",),
    "bench": ("benches",),
    "butterfly": ("butterflies",),
    "grass": ("grasses",),
}
SYNONYMS = {
    "taxi": "car",
    "cab": "car",
    "automobile": "car",
    "puppy": "dog",
    "kitty": "cat",
    "kitten": "cat",
    "pony": "horse",
    "kid": "person",
    "boy": "person",
    "girl": "person",
    "child": "person",
    "lorry": "truck",
    "hen": "chicken",
    "rooster": "chicken",
    "bunny": "rabbit",
    "lamb": "sheep",
    "building": "house",
    "hut": "house",
    "street": "road",
}
IRREGULAR_SYNONYMS = {"man": ("person", "men"), "woman": ("person", "women"), "child": ("person", "children")}


def noun_forms() -> dict[str, tuple[str, str]]:
    """word -> (category, sg | pl | amb)."""
    forms: dict[str, tuple[str, str]] = {}
    pairs = [(c, c) for c in FOREGROUND] + list(SYNONYMS.items())
    for word, category in pairs:
        if word in IRREGULAR:
            plurals = IRREGULAR[word]
        elif word.endswith("y") and word[-2] not in "aeiou":
            plurals = (word[:-1] + "ies",)
        else:
            plurals = (word + "s",)
        for plural in plurals:
            forms[plural] = (category, "amb" if plural == word else "pl")
        forms.setdefault(word, (category, "sg"))
    for word, (category, plural) in IRREGULAR_SYNONYMS.items():
        forms[word] = (category, "sg")
        forms[plural] = (category, "pl")
    return forms


FORMS = noun_forms()


def expected(phrase: str) -> tuple[str | None, str | int]:
    words = re.findall(r"[a-z]+", phrase.lower())
    for i, word in enumerate(words):
        if word in FORMS:
            category, number = FORMS[word]
            before = words[:i]
            numbers = [NUMBER_WORDS[w] for w in before if w in NUMBER_WORDS]
            if numbers:
                return category, numbers[-1]
            if "both" in before:
                return category, 2
            if ALL_WORDS & set(before) or number == "pl":
                return category, "all"
            return category, "one"
    return None, "one"


SIDE_WORDS = {
    "left": "left",
    "right": "right",
    "middle": "middle",
    "top": "top",
    "bottom": "bottom",
    "front": "front",
    "back": "back",
}
SUPERLATIVE_WORDS = {"leftmost": "left", "rightmost": "right", "topmost": "top", "bottommost": "bottom"}
ORDINAL_WORDS = {"second": 2, "third": 3, "fourth": 4}
RELATION_RES = [
    (re.compile(r"\bon the (left|right) (front|back) of\b"), None),
    (re.compile(r"\bon the (left|right) of\b"), None),
    (re.compile(r"\bin front of\b"), "in_front_of"),
    (re.compile(r"\bbehind\b"), "behind"),
    (re.compile(r"\bnear\b"), "near"),
    (re.compile(r"\bamong\b"), "among"),
    (re.compile(r"\baround\b"), "around"),
]
POST_SIDE = re.compile(
    r"^(?:on|in|at) the (leftmost|rightmost|topmost|bottommost|left|right|middle|top|bottom)"
    r"(?: (front|back))?\b|^in (front)$"
)

PositionKey = tuple[str, int | None, bool, str | None]
Structure = tuple[PositionKey | None, tuple[str | None, str | None, str | None], bool]


def expected_structure(phrase: str) -> Structure:
    """(position as (side, ordinal, superlative, secondary) or None, (relation, side, anchor), in_sky)."""
    words = re.findall(r"[a-z]+", phrase.lower())
    head = next((i for i, w in enumerate(words) if w in FORMS), len(words))
    before, after = words[:head], " ".join(words[head + 1 :])
    relation: tuple[str | None, str | None, str | None] = (None, None, None)
    rel_start = len(after)
    found = [(m, name) for rx, name in RELATION_RES if (m := rx.search(after))]
    if found:
        match, name = min(found, key=lambda mn: mn[0].start())
        rel_start = match.start()
        groups = match.groups()
        if name is None and len(groups) == 2:
            name, side = ("in_front_of" if groups[1] == "front" else "behind"), groups[0]
        elif name is None:
            name, side = f"{groups[0]}_of", None
        else:
            side = None
        anchor = next((FORMS[w][0] for w in after[match.end() :].split() if w in FORMS), None)
        relation = (name, side, anchor)
    sides = [SUPERLATIVE_WORDS.get(w) or SIDE_WORDS[w] for w in before if w in SIDE_WORDS | SUPERLATIVE_WORDS]
    superlative = any(w in SUPERLATIVE_WORDS for w in before)
    ordinal = next((ORDINAL_WORDS[w] for w in before if w in ORDINAL_WORDS), None)
    post = POST_SIDE.match(after[:rel_start].strip())
    if post:
        word = post.group(1) or post.group(3)
        superlative = superlative or word in SUPERLATIVE_WORDS
        sides.append(SUPERLATIVE_WORDS.get(word) or SIDE_WORDS[word])
        sides += [post.group(2)] if post.group(2) else []
    sides = list(dict.fromkeys(sides))
    if ordinal and not sides:
        sides = ["left"]
    position = None
    if sides:
        secondary = sides[1] if len(sides) > 1 else None
        position = (sides[0], ordinal or (1 if superlative else None), superlative, secondary)
    return position, relation, "in the sky" in after[:rel_start]


def got_structure(target: Target) -> Structure:
    pos = target.position
    position = (pos.side, pos.ordinal, pos.superlative, pos.secondary) if pos else None
    anchor = target.anchor.category if target.anchor else None
    return position, (target.relation, target.relation_side, anchor), target.in_sky


def data_agrees(quantity: str | int, instances: list[int]) -> bool:
    if quantity == "one":
        return len(instances) == 1
    if quantity == "all":
        return len(instances) >= 1
    return len(instances) == quantity


def load(data: Path) -> list[tuple[str, str, list[int]]]:
    rows = []
    for split in SPLITS:
        path = data / "sketchyscene-referring" / f"sentence_instance_{split}.json"
        for scene in json.loads(path.read_text()):
            for phrase, instances in scene["sen_instIdx_map"].items():
                rows.append((split, phrase, instances))
    return rows


def pct(k: int, n: int) -> str:
    return f"{k:,}/{n:,} ({100 * k / n:.2f}%)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--examples", type=int, default=3)
    args = parser.parse_args()
    rows = load(args.data)
    failures: dict[str, list[str]] = defaultdict(list)
    disagreements: dict[str, list[str]] = defaultdict(list)
    ok_cat = ok_qty = ok_both = ok_pos = ok_rel = ok_all = 0
    has_relation = has_position = 0
    t0 = time.perf_counter()
    parsed: list[Target | InstructionError] = []
    for _, phrase, _ in rows:
        try:
            parsed.append(parse_target(phrase))
        except InstructionError as exc:
            parsed.append(exc)
    elapsed = time.perf_counter() - t0
    for (_, phrase, instances), result in zip(rows, parsed, strict=True):
        cat, qty = expected(phrase)
        if not data_agrees(qty, instances):
            more = "more" if qty == "one" or len(instances) > qty else "fewer"  # type: ignore[operator]
            disagreements[f"text reads {qty!r}, the instance list has {more}"].append(phrase)
        if isinstance(result, InstructionError):
            failures[f"parse error: {str(result)[:60]}"].append(phrase)
            continue
        c_ok = result.category == cat
        q_ok = result.quantity == qty
        ok_cat += c_ok
        ok_qty += q_ok
        ok_both += c_ok and q_ok
        has_relation += result.relation is not None
        has_position += result.position is not None
        want, got = expected_structure(phrase), got_structure(result)
        ok_pos += want[0] == got[0] and want[2] == got[2]
        ok_rel += want[1] == got[1]
        ok_all += c_ok and q_ok and want == got
        if want[0] != got[0] or want[2] != got[2]:
            failures[f"position: expected {want[0]}/sky={want[2]}, got {got[0]}/sky={got[2]}"].append(phrase)
        if want[1] != got[1]:
            failures[f"relation: expected {want[1]}, got {got[1]}"].append(phrase)
        if not c_ok:
            failures[f"category: expected {cat}, got {result.category}"].append(phrase)
        if not q_ok:
            failures[f"quantity: expected {qty!r}, got {result.quantity!r}"].append(phrase)
    n = len(rows)
    distinct = len({phrase for _, phrase, _ in rows})
    print(f"{n:,} phrases ({distinct:,} distinct) parsed in {elapsed:.2f} s\n")
    print("Failures by cause:" if failures else "Failures by cause: none")
    for cause, phrases in sorted(failures.items(), key=lambda kv: -len(kv[1])):
        examples = "; ".join(repr(p) for p, _ in Counter(phrases).most_common(args.examples))
        print(f"  {len(phrases):6,}  {cause}  e.g. {examples}")
    print("\nWhere the instance list disagrees with the text reading (data, not parser):")
    if not disagreements:
        print("  none")
    for cause, phrases in sorted(disagreements.items(), key=lambda kv: -len(kv[1])):
        examples = "; ".join(repr(p) for p, _ in Counter(phrases).most_common(args.examples))
        print(f"  {len(phrases):6,}  {cause}  e.g. {examples}")
    n_disagree = sum(len(v) for v in disagreements.values())
    print()
    print("| measure (parse_target on SketchyScene referring phrases) | value |")
    print("|---|---|")
    print(f"| phrases (train + val + test) | {n:,} ({distinct:,} distinct) |")
    print(f"| category correct | {pct(ok_cat, n)} |")
    print(f"| quantity correct | {pct(ok_qty, n)} |")
    print(f"| category and quantity correct | {pct(ok_both, n)} |")
    print(f"| position and 'in the sky' correct | {pct(ok_pos, n)} |")
    print(f"| relation, its side and anchor category correct | {pct(ok_rel, n)} |")
    print(f"| all of the above correct | {pct(ok_all, n)} |")
    print(f"| parse errors | {sum(len(v) for k, v in failures.items() if k.startswith('parse error')):,} |")
    print(f"| phrases with a position / with a relation (parsed) | {has_position:,} / {has_relation:,} |")
    print(f"| instance list disagrees with the text's number (data) | {n_disagree:,} |")
    print(f"| time for all phrases | {elapsed:.2f} s ({1e6 * elapsed / n:.0f} µs per phrase) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
