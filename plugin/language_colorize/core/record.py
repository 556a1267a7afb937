"""What the plugin remembers about a document, kept inside the document (a .kra annotation).

The backend is stateless, so the document itself must know which of its layers holds which target
("fg:car:3", "bg:sky") to replace it when the target is coloured again, and which instruction added
or hid which layers, to undo it. Keeping this in the document (not in the plugin or the server) means
it survives a backend or Krita restart and travels with the .kra file. Layers are named by their
Krita unique id, which .kra files keep. `taught` holds what the artist taught the backend ("this is a
giraffe"), as the backend handed it out; it is sent back with every request.
"""

import json
import time
from typing import Any, Dict, List, Optional, Tuple

ANNOTATION = "language_colorize/record"
DESCRIPTION = "Language Colorize: which layer holds which colorization target, and the instructions"
VERSION = 2
STEP_LIMIT = 200


class LayerInfo(object):
    """One result layer the plugin made."""

    __slots__ = ("layer_id", "key", "name", "kind", "line_art", "step")

    def __init__(self, layer_id: str, key: str, name: str, kind: str, line_art: str, step: int) -> None:
        self.layer_id = layer_id
        self.key = key
        self.name = name
        self.kind = kind
        self.line_art = line_art
        self.step = step

    @property
    def is_background(self) -> bool:
        return self.kind == "background"

    def to_json(self) -> Dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "line_art": self.line_art,
            "step": self.step,
        }


class Step(object):
    """One applied instruction (or one theme application, several instructions merged): the layers it
    added, the earlier layers it replaced (moved into the line art's hidden "Replaced" group, from
    where "Undo last" puts them back), the backend's parse of each instruction (a theme is made of
    them), and the taught objects it added (`learnt`) or dropped (`forgot`), so that undoing a
    "this is a cat" un-teaches the cat."""

    __slots__ = (
        "step_id",
        "instruction",
        "line_art",
        "line_art_name",
        "added",
        "replaced",
        "when",
        "parses",
        "learnt",
        "forgot",
    )

    def __init__(
        self,
        step_id: int,
        instruction: str,
        line_art: str,
        line_art_name: str,
        added: List[str],
        replaced: List[str],
        when: float,
        parses: Optional[List[Any]] = None,
        learnt: Optional[List[Dict[str, Any]]] = None,
        forgot: Optional[List[Dict[str, Any]]] = None,
    ) -> None:
        self.step_id = step_id
        self.instruction = instruction
        self.line_art = line_art
        self.line_art_name = line_art_name
        self.added = added
        self.replaced = replaced
        self.when = when
        self.parses = parses or []
        self.learnt = learnt or []
        self.forgot = forgot or []

    def to_json(self) -> Dict[str, Any]:
        return {
            "id": self.step_id,
            "instruction": self.instruction,
            "line_art": self.line_art,
            "line_art_name": self.line_art_name,
            "added": self.added,
            "replaced": self.replaced,
            "time": self.when,
            "parses": self.parses,
            "learnt": self.learnt,
            "forgot": self.forgot,
        }


def _boxes_overlap(a: Any, b: Any) -> bool:
    """Two [x, y, w, h] boxes share a pixel; a missing or broken box counts as overlapping."""
    try:
        ax, ay, aw, ah = [int(v) for v in a]
        bx, by, bw, bh = [int(v) for v in b]
    except (TypeError, ValueError):
        return True
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def _dicts(value: Any) -> List[Dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


class Record(object):
    def __init__(self) -> None:
        self.layers = {}  # type: Dict[str, LayerInfo]  layer id -> info
        self.groups = {}  # type: Dict[str, str]        line-art layer id -> its Colorization group id
        self.stores = {}  # type: Dict[str, str]        line-art layer id -> its hidden Replaced group id
        self.steps = []  # type: List[Step]
        self.taught = []  # type: List[Dict[str, Any]]
        self.overlay = ""  # the plugin's "What I see" layer, never a result (see seen.py)

    # --- questions -----------------------------------------------------------------------------------
    def owned_ids(self) -> set:
        """Ids of every group and layer the plugin made."""
        return (
            set(self.layers) | set(self.groups.values()) | set(self.stores.values()) | {self.overlay} - {""}
        )

    def line_art_of(self, layer_id: str) -> Optional[str]:
        """The line-art layer a result layer or group belongs to."""
        info = self.layers.get(layer_id)
        if info is not None:
            return info.line_art
        for line, group in list(self.groups.items()) + list(self.stores.items()):
            if group == layer_id:
                return line
        return None

    def versions(self, line_art: str, key: str) -> List[LayerInfo]:
        """The layers made for `key` on this line art, oldest first."""
        found = [i for i in self.layers.values() if i.line_art == line_art and i.key == key]
        return sorted(found, key=lambda i: i.step)

    def last_step(self) -> Optional[Step]:
        return self.steps[-1] if self.steps else None

    def last_instruction(self) -> Optional[str]:
        return self.steps[-1].instruction if self.steps else None

    # --- changes -------------------------------------------------------------------------------------
    def next_step_id(self) -> int:
        return (self.steps[-1].step_id + 1) if self.steps else 1

    def add_step(self, step: Step, infos: List[LayerInfo]) -> None:
        for info in infos:
            self.layers[info.layer_id] = info
        self.steps.append(step)
        del self.steps[:-STEP_LIMIT]

    def learn(
        self, taught: List[Any], forget: List[str]
    ) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
        """Keep what the backend says the artist taught and drop forgotten names. A newly taught object
        replaces an earlier one of the same name only where their boxes overlap (the same object taught
        again), so two cats can be taught one after the other. Returns (learnt, dropped)."""
        learnt = _dicts(taught)
        gone = set(str(name) for name in forget)
        kept, dropped = [], []
        for old in self.taught:
            name = str(old.get("category"))
            again = any(
                str(new.get("category")) == name and _boxes_overlap(new.get("bbox"), old.get("bbox"))
                for new in learnt
            )
            (dropped if name in gone or again else kept).append(old)
        self.taught = kept + learnt
        return learnt, dropped

    def unlearn(self, step: Step) -> None:
        """Undo what a step taught or forgot."""
        self.taught = [t for t in self.taught if t not in step.learnt] + step.forgot

    def merge_steps(self, after_id: int, instruction: str) -> Optional[Step]:
        """The steps newer than `after_id` become one (a theme applied: one "Undo last"). Layers added
        and then replaced within them are not "replaced" by the merged step (undo removes them)."""
        parts = [s for s in self.steps if s.step_id > after_id]
        if len(parts) < 2:
            return parts[0] if parts else None
        added = [x for s in parts for x in s.added]
        merged = Step(
            parts[-1].step_id,  # the newest id: layer infos keep their order, the next id stays free
            instruction,
            parts[0].line_art,
            parts[0].line_art_name,
            added,
            [x for s in parts for x in s.replaced if x not in added],
            parts[-1].when,
            [p for s in parts for p in s.parses],
            [t for s in parts for t in s.learnt],
            [t for s in parts for t in s.forgot],
        )
        self.steps = [s for s in self.steps if s.step_id <= after_id] + [merged]
        return merged

    def pop_step(self) -> Optional[Step]:
        """Forget the newest step and the layers it added."""
        if not self.steps:
            return None
        step = self.steps.pop()
        for layer_id in step.added:
            self.layers.pop(layer_id, None)
        return step

    def forget_missing(self, present: set) -> None:
        """Drop layers and groups no longer in the document (deleted by the artist)."""
        for layer_id in [i for i in self.layers if i not in present]:
            del self.layers[layer_id]
        if self.overlay not in present:
            self.overlay = ""
        for groups in (self.groups, self.stores):
            for line in [line for line, group in groups.items() if group not in present]:
                del groups[line]

    # --- bytes ---------------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        data = {
            "version": VERSION,
            "layers": {k: v.to_json() for k, v in self.layers.items()},
            "groups": self.groups,
            "stores": self.stores,
            "steps": [s.to_json() for s in self.steps],
            "taught": self.taught,
            "overlay": self.overlay,
        }
        return json.dumps(data, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> "Record":
        """A Record from annotation bytes; anything unreadable gives an empty one (never an error)."""
        record = cls()
        try:
            data = json.loads(bytes(raw).decode("utf-8")) if raw else {}
        except (ValueError, UnicodeDecodeError):
            data = {}
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return record
        for layer_id, item in (data.get("layers") or {}).items():
            try:
                record.layers[str(layer_id)] = LayerInfo(
                    str(layer_id),
                    str(item["key"]),
                    str(item["name"]),
                    str(item["kind"]),
                    str(item["line_art"]),
                    int(item["step"]),
                )
            except (KeyError, TypeError, ValueError):
                continue
        for name in ("groups", "stores"):
            found = data.get(name)
            if isinstance(found, dict):
                setattr(record, name, {str(k): str(v) for k, v in found.items()})
        for item in data.get("steps") or []:
            try:
                record.steps.append(
                    Step(
                        int(item["id"]),
                        str(item["instruction"]),
                        str(item["line_art"]),
                        str(item.get("line_art_name", "")),
                        [str(x) for x in item["added"]],
                        [str(x) for x in item["replaced"]],
                        float(item.get("time", 0)),
                        [p for p in item.get("parses") or [] if isinstance(p, dict)],
                        _dicts(item.get("learnt")),
                        _dicts(item.get("forgot")),
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue
        taught = data.get("taught")
        record.taught = _dicts(taught)
        record.overlay = str(data.get("overlay") or "")
        return record


def new_step(record: Record, instruction: str, line_art: str, line_art_name: str, parse: Any = None) -> Step:
    parses = [parse] if isinstance(parse, dict) and parse else []
    return Step(record.next_step_id(), instruction, line_art, line_art_name, [], [], time.time(), parses)
