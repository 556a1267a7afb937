"""What one instruction or undo did, in words for the status line."""

from typing import List


class Report(object):
    def __init__(self, message: str = "") -> None:
        self.message = message
        self.added = []  # type: List[str]  names of new layers
        self.replaced = []  # type: List[str]  names of layers the new ones took the place of
        self.removed = []  # type: List[str]  names of layers taken out (undo)
        self.restored = []  # type: List[str]  names of layers shown again (undo)
        self.notes = []  # type: List[str]  anything else the document went through
        self.learnt = []  # type: List[str]  names of objects the artist taught
        self.forgot = []  # type: List[str]  names of taught objects dropped

    @property
    def changed(self) -> bool:
        return bool(
            self.added or self.replaced or self.removed or self.restored or self.learnt or self.forgot
        )

    def summary(self) -> str:
        parts = []
        if self.message:
            parts.append(self.message)
        elif self.added:
            parts.append("Added " + _names(self.added) + ".")
        if self.replaced:
            parts.append("Replaced " + _names(self.replaced) + ".")
        if self.removed and not self.message:
            parts.append("Removed " + _names(self.removed) + ".")
        if self.restored:
            parts.append("Brought back " + _names(self.restored) + ".")
        if self.learnt and not self.message:
            parts.append("Learnt: " + ", ".join(self.learnt) + ".")
        if self.forgot and not self.message:
            parts.append("Forgot: " + ", ".join(self.forgot) + ".")
        parts.extend(self.notes)
        return " ".join(parts)


def _names(names: List[str]) -> str:
    return ", ".join("'%s'" % n for n in names)
