"""One instruction applied to one sketch: analyse (cached), ground, colour. Orchestration only.

The CLI and the HTTP server both call `Colorizer.apply` with an instruction they parsed once;
neither knows how a step is made, so they cannot drift apart. The pipeline keeps no per-document
state: what a document has been coloured with, and what the artist taught, belong to the document
(the Krita plugin, or the CLI's run) and come with each request.
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
    everything_layers,
    free_space,
    object_layer,
    selection_layer,
    split_sky_ground,
)
from backend.grounding import ground
from backend.language import Clause, ParsedInstruction
from backend.lineart import LineArt, flatten, ink_from_rgba
from backend.understanding import (
    Instance,
    SceneRecognizer,
    Taught,
    inventory,
    object_from_selection,
    understand,
    with_taught,
)

# Cached analyses are evicted, oldest first, beyond this many bytes (the newest is always kept): a
# 768x768 analysis weighs about 5 MB, a 4096x4096 one about 160 MB.
CACHE_BYTES = 512 << 20


@dataclass
class Scene:
    """The sketch as one request sees it: the line art and its objects, taught ones included."""

    lineart: LineArt
    instances: list[Instance]
    _background: tuple[np.ndarray, np.ndarray, int] | None = None

    def sky_ground(self) -> tuple[np.ndarray, np.ndarray, int]:
        """(sky mask, ground mask, horizon row), computed on first use."""
        if self._background is None:
            free = free_space(self.lineart, self.instances)
            self._background = split_sky_ground(self.lineart, free, self.instances)
        return self._background


@dataclass
class Analysis:
    """Everything about a sketch that depends neither on the instruction nor on what was taught."""

    lineart: LineArt
    instances: list[Instance]
    timings: dict[str, float]
    _plain: Scene | None = None

    @property
    def nbytes(self) -> int:
        la = self.lineart
        size = la.ink.nbytes + la.lines.nbytes + la.regions.nbytes
        return size + sum(inst.nbytes for inst in self.instances)

    def scene(self, taught: list[Taught]) -> Scene:
        """With nothing taught the scene (and its sky and ground) is cached with the analysis."""
        if taught:
            return Scene(self.lineart, with_taught(self.lineart, self.instances, taught))
        if self._plain is None:
            self._plain = Scene(self.lineart, self.instances)
        return self._plain


@dataclass
class StepResult:
    instruction: str
    status: str  # ok | no_match | not_understood
    message: str
    parse: dict | None = None
    layers: list[Layer] = field(default_factory=list)
    taught: list[Taught] = field(default_factory=list)  # for the document to keep and send back
    forget: list[str] = field(default_factory=list)  # names whose taught objects the document drops
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
        self,
        rgba: np.ndarray,
        parsed: ParsedInstruction,
        mask: np.ndarray | None = None,
        taught: list[Taught] | None = None,
    ) -> StepResult:
        """The layers (and taught or forgotten objects) of one parsed instruction; a clause that finds
        nothing adds a note for the user, not an error."""
        t0 = time.perf_counter()
        scene = self.analyse(rgba).scene(taught or [])
        t1 = time.perf_counter()
        step = StepResult(parsed.text, "ok", "", parsed.model_dump(mode="json"))
        notes: list[str] = []
        for clause in parsed.clauses:
            try:
                self._clause(scene, clause, mask, step, notes)
            except LookupError as exc:
                notes.append(str(exc))
        step.timings = {"analysis": t1 - t0, "colouring": time.perf_counter() - t1}
        done = []
        if step.layers:
            done.append("Coloured " + ", ".join(layer.name for layer in step.layers) + ".")
        if step.taught:
            names = ", ".join(t.category for t in step.taught)
            done.append(f"Learnt: {names}. Later instructions will find it.")
        if step.forget:
            done.append(f"Forgot what you taught about: {', '.join(step.forget)}.")
        step.status = "ok" if done else "no_match"
        step.message = " ".join(done + notes)
        return step

    def _clause(
        self, scene: Scene, clause: Clause, mask: np.ndarray | None, step: StepResult, notes: list[str]
    ) -> None:
        """Adds what one clause makes to `step`; raises LookupError with a sentence for the user."""
        if clause.kind == "everything":
            step.layers = everything_layers(scene.instances, *scene.sky_ground())
            return
        target = clause.target
        if clause.kind == "forget":
            step.forget.append(target.category)
            return
        if clause.kind == "teach":
            step.taught.append(self._teach(scene, target.category, mask))
            return
        colour = next(iter(clause.colours.values()))
        if clause.kind == "background":
            layer = background_layer(*scene.sky_ground(), clause.area or "sky", colour, mask)
        elif target is None or target.category is None:
            layer = selection_layer(scene.lineart, colour, mask)
        else:
            layer = self._object_layer(scene, clause, mask, notes)
        step.layers = [prev for prev in step.layers if prev.key != layer.key] + [layer]

    def _object_layer(self, scene: Scene, clause: Clause, mask: np.ndarray | None, notes: list[str]) -> Layer:
        target = clause.target
        name = target.category
        chosen = ground(target, scene.instances, scene.lineart.shape, mask)
        if chosen:
            layer, object_notes = object_layer(scene.instances, sorted(chosen), clause.colours)
        elif mask is not None and mask.any():
            # The artist's selection plus a name is their word: the selected regions are that object.
            obj = object_from_selection(scene.lineart, mask, name, "selected")
            if obj is None:
                raise LookupError("The selection does not cover any closed area of the line art.")
            layer, object_notes = object_layer([obj], [0], clause.colours, key=_selection_key(name, obj))
        else:
            raise LookupError(_miss(name, scene.instances))
        notes += object_notes
        return layer

    @staticmethod
    def _teach(scene: Scene, name: str, mask: np.ndarray | None) -> Taught:
        if mask is None or not mask.any():
            raise LookupError(f"Select the {name} first, then say it again.")
        obj = object_from_selection(scene.lineart, mask, name, "taught")
        if obj is None:
            raise LookupError("The selection does not cover any closed area of the line art.")
        return Taught.of(obj)


def _selection_key(name: str, obj: Instance) -> str:
    """Same selected regions, same key: colouring the selected object again replaces its layer."""
    digest = hashlib.blake2b(np.packbits(obj.crop).tobytes() + repr(obj.box).encode(), digest_size=6)
    return f"fg:{name}:sel-{digest.hexdigest()}"


def _miss(name: str, instances: list[Instance]) -> str:
    """ "No cat found. I see: 3 trees, a dog. Select the cat and say it again." (or why none matched)."""
    same = sum(inst.category == name for inst in instances)
    if same:
        return f"None of the {same} {name}(s) found matches that description."
    return f"No {name} found. I see: {inventory(instances)}. Select the {name} and say it again."
