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
from typing import Any, Dict, List, Optional

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
    """One applied instruction: the layers it added and the earlier layers it replaced (moved into the
    line art's hidden "Replaced" group, from where "Undo last" puts them back)."""

    __slots__ = ("step_id", "instruction", "line_art", "line_art_name", "added", "replaced", "when")

    def __init__(
        self,
        step_id: int,
        instruction: str,
        line_art: str,
        line_art_name: str,
        added: List[str],
        replaced: List[str],
        when: float,
    ) -> None:
        self.step_id = step_id
        self.instruction = instruction
        self.line_art = line_art
        self.line_art_name = line_art_name
        self.added = added
        self.replaced = replaced
        self.when = when

    def to_json(self) -> Dict[str, Any]:
        return {
            "id": self.step_id,
            "instruction": self.instruction,
            "line_art": self.line_art,
            "line_art_name": self.line_art_name,
            "added": self.added,
            "replaced": self.replaced,
            "time": self.when,
        }


class Record(object):
    def __init__(self) -> None:
        self.layers = {}  # type: Dict[str, LayerInfo]  layer id -> info
        self.groups = {}  # type: Dict[str, str]        line-art layer id -> its Colorization group id
        self.stores = {}  # type: Dict[str, str]        line-art layer id -> its hidden Replaced group id
        self.steps = []  # type: List[Step]
        self.taught = []  # type: List[Dict[str, Any]]

    # --- questions -----------------------------------------------------------------------------------
    def owned_ids(self) -> set:
        """Ids of every group and layer the plugin made."""
        return set(self.layers) | set(self.groups.values()) | set(self.stores.values())

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

    def learn(self, taught: List[Any], forget: List[str]) -> bool:
        """Keep what the backend says the artist taught (a newer object of a name replaces the older
        one) and drop forgotten names. Returns True when anything changed."""
        before = list(self.taught)
        gone = set(forget) | set(str(t.get("category")) for t in taught)
        self.taught = [t for t in self.taught if str(t.get("category")) not in gone] + list(taught)
        return self.taught != before

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
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue
        taught = data.get("taught")
        record.taught = [t for t in taught if isinstance(t, dict)] if isinstance(taught, list) else []
        return record


def new_step(record: Record, instruction: str, line_art: str, line_art_name: str) -> Step:
    return Step(record.next_step_id(), instruction, line_art, line_art_name, [], [], time.time())
