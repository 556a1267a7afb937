"""Per-document memory of the plugin, kept inside the document (a .kra annotation).

For each line-art layer (a "target"): the backend session id, the Colorization group and which layer
holds which backend key ("fg:car:3", "bg:sky"), so re-colouring a target replaces its layer. Plus a
history of the instructions applied, for the docker's list and for undo. Layers are referred to by
their Krita unique id, which .kra files keep.
"""

import json
import time

ANNOTATION = "language_colorize/state"
DESCRIPTION = "Language Colorize: backend session and which layer holds which colorization"
VERSION = 1
HISTORY_LIMIT = 200


def uid_of(node):
    """A node's unique id as a plain string (Krita returns a QUuid)."""
    if node is None:
        return None
    uid = node.uniqueId()
    return uid.toString() if hasattr(uid, "toString") else str(uid)


class Target(object):
    """What the plugin knows about one line-art layer."""

    def __init__(self, session_id=None, group=None, layers=None):
        self.session_id = session_id
        self.group = group
        self.layers = dict(layers or {})  # key -> {"uid", "name", "kind"}

    def to_json(self):
        return {"session_id": self.session_id, "group": self.group, "layers": self.layers}

    @classmethod
    def from_json(cls, data):
        data = data if isinstance(data, dict) else {}
        layers = data.get("layers") if isinstance(data.get("layers"), dict) else {}
        return cls(data.get("session_id"), data.get("group"), layers)


class DocState(object):
    def __init__(self, targets=None, history=None):
        self.targets = dict(targets or {})
        self.history = list(history or [])

    def target(self, line_uid):
        if line_uid not in self.targets:
            self.targets[line_uid] = Target()
        return self.targets[line_uid]

    def add_history(self, instruction, line_uid, line_name, layers, replaced):
        entry = {
            "id": (self.history[-1]["id"] + 1) if self.history else 1,
            "instruction": instruction,
            "line_art": line_uid,
            "line_art_name": line_name,
            "layers": layers,
            "replaced": replaced,
            "time": time.time(),
        }
        self.history.append(entry)
        del self.history[:-HISTORY_LIMIT]
        return entry

    def last_entry(self):
        return self.history[-1] if self.history else None

    def last_instruction(self):
        return self.history[-1]["instruction"] if self.history else None

    def to_bytes(self):
        data = {
            "version": VERSION,
            "targets": {k: t.to_json() for k, t in self.targets.items()},
            "history": self.history,
        }
        return json.dumps(data, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw):
        try:
            data = json.loads(bytes(raw).decode("utf-8")) if raw else {}
        except (ValueError, UnicodeDecodeError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        targets = data.get("targets") if isinstance(data.get("targets"), dict) else {}
        history = [h for h in data.get("history") or [] if isinstance(h, dict) and "instruction" in h]
        return cls({k: Target.from_json(v) for k, v in targets.items()}, history)


def load(doc):
    try:
        raw = doc.annotation(ANNOTATION)
    except Exception:  # a closed document or an old Krita without annotations
        raw = b""
    return DocState.from_bytes(bytes(raw) if raw is not None else b"")


def save(doc, state):
    doc.setAnnotation(ANNOTATION, DESCRIPTION, state.to_bytes())
