"""One instruction applied to one sketch: analyse (cached), ground, colour. Orchestration only.

The CLI and the HTTP server both call `Colorizer.apply` with an instruction they parsed once;
neither knows how a step is made, so they cannot drift apart. The pipeline keeps no per-document
state: what a document has been coloured with belongs to the document (the Krita plugin, or the
CLI's run), and anything a step must know comes with the request.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from backend.colouring import (
    Layer,
    background_layer,
    free_space,
    object_layer,
    selection_layer,
    split_sky_ground,
)
from backend.grounding import ground
from backend.language import Clause, ParsedInstruction
from backend.lineart import LineArt, flatten, ink_from_rgba
from backend.understanding import Instance, SceneRecognizer, understand

# Cached analyses are evicted, oldest first, beyond this many bytes (the newest is always kept): a
# 768x768 analysis weighs about 5 MB, a 4096x4096 one about 160 MB.
CACHE_BYTES = 512 << 20


@dataclass
class Analysis:
    """Everything about a sketch that does not depend on the instruction."""

    lineart: LineArt
    instances: list[Instance]
    timings: dict[str, float]
    _background: tuple[np.ndarray, np.ndarray, int] | None = None

    @property
    def nbytes(self) -> int:
        la = self.lineart
        size = la.ink.nbytes + la.lines.nbytes + la.regions.nbytes
        return size + sum(inst.nbytes for inst in self.instances)

    def sky_ground(self) -> tuple[np.ndarray, np.ndarray, int]:
        if self._background is None:
            free = free_space(self.lineart, self.instances)
            self._background = split_sky_ground(self.lineart, free, self.instances)
        return self._background


@dataclass
class StepResult:
    instruction: str
    status: str  # ok | no_match
    message: str
    parse: dict | None = None
    layers: list[Layer] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


class Colorizer:
    def __init__(
        self, recognizer: SceneRecognizer, cache_size: int = 8, cache_bytes: int = CACHE_BYTES
    ) -> None:
        self.recognizer = recognizer
        self._cache: OrderedDict[str, Analysis] = OrderedDict()
        self._cache_size = cache_size
        self._cache_bytes = cache_bytes
        self._lock = threading.Lock()

    def analyse(self, rgba: np.ndarray) -> Analysis:
        """Flatting + recognition + parts, cached by pixel content and recogniser version."""
        digest = hashlib.blake2b(rgba.tobytes(), digest_size=16)
        digest.update(repr(rgba.shape).encode() + self.recognizer.version.encode())
        key = digest.hexdigest()
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        t0 = time.perf_counter()
        lineart = flatten(ink_from_rgba(rgba))
        t1 = time.perf_counter()
        instances = understand(lineart, self.recognizer)
        t2 = time.perf_counter()
        analysis = Analysis(lineart, instances, {"flatting": t1 - t0, "understanding": t2 - t1})
        with self._lock:
            self._cache[key] = analysis
            while len(self._cache) > 1 and (
                len(self._cache) > self._cache_size
                or sum(a.nbytes for a in self._cache.values()) > self._cache_bytes
            ):
                self._cache.popitem(last=False)
        return analysis

    def apply(
        self, rgba: np.ndarray, parsed: ParsedInstruction, mask: np.ndarray | None = None
    ) -> StepResult:
        """The layers of one parsed instruction; a clause that finds nothing adds a note, not an error."""
        t0 = time.perf_counter()
        analysis = self.analyse(rgba)
        t1 = time.perf_counter()
        layers: list[Layer] = []
        notes: list[str] = []
        for clause in parsed.clauses:
            try:
                layer = self._clause_layer(analysis, clause, mask, notes)
            except LookupError as exc:
                notes.append(str(exc))
                continue
            layers = [prev for prev in layers if prev.key != layer.key] + [layer]
        t2 = time.perf_counter()
        timings = {"analysis": t1 - t0, "colouring": t2 - t1}
        dump = parsed.model_dump(mode="json")
        if not layers:
            return StepResult(parsed.text, "no_match", " ".join(notes), dump, timings=timings)
        message = " ".join(["Coloured " + ", ".join(layer.name for layer in layers) + ".", *notes])
        return StepResult(parsed.text, "ok", message, dump, layers, timings)

    def _clause_layer(
        self, analysis: Analysis, clause: Clause, mask: np.ndarray | None, notes: list[str]
    ) -> Layer:
        colour = next(iter(clause.colours.values()))
        if clause.kind == "background":
            return background_layer(*analysis.sky_ground(), clause.area or "sky", colour, mask)
        target = clause.target
        if target is None or target.category is None:
            return selection_layer(analysis.lineart, colour, mask)
        chosen = ground(target, analysis.instances, analysis.lineart.shape, mask)
        if not chosen:
            same = sum(inst.category == target.category for inst in analysis.instances)
            if same == 0:
                raise LookupError(f"No {target.category} found in this sketch.")
            raise LookupError(f"None of the {same} {target.category}(s) found matches that description.")
        layer, object_notes = object_layer(analysis.instances, sorted(chosen), clause.colours)
        notes += object_notes
        return layer
