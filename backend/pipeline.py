"""One instruction applied to one sketch: parse, analyse (cached), ground, colour, record.

The CLI and the HTTP server both call `Colorizer.apply`; neither knows how a step is made, so they
cannot drift apart.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from backend.categories import DEFAULT_PART_COLOURS, PARTS, main_part
from backend.colouring import Layer, paint
from backend.colouring import background
from backend.grounding import ground
from backend.language import Clause, InstructionError, parse_instruction
from backend.lineart import LineArt, flatten, ink_from_rgba, region_areas
from backend.understanding import Instance, SceneRecognizer
from backend.understanding.parts.geometry import label_parts

# A selection covers a region when it holds at least this share of the region's pixels.
SELECTION_COVER = 0.5
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
            free = background.free_space(self.lineart, self.instances)
            self._background = background.split_sky_ground(self.lineart, free, self.instances)
        return self._background


@dataclass
class StepResult:
    instruction: str
    status: str  # ok | no_match | not_understood | error
    message: str
    parse: dict | None = None
    layers: list[Layer] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Session:
    """Layers of one document and the steps that made them, for re-colouring and undo."""

    layers: OrderedDict[str, Layer] = field(default_factory=OrderedDict)
    history: list[tuple[list[str], list[Layer]]] = field(default_factory=list)

    def commit(self, new_layers: list[Layer]) -> list[str]:
        replaced = [layer.key for layer in new_layers if layer.key in self.layers]
        old = [self.layers.pop(key) for key in replaced]
        for layer in new_layers:
            self.layers[layer.key] = layer
        self.history.append(([layer.key for layer in new_layers], old))
        return replaced

    def undo(self) -> tuple[list[str], list[Layer]]:
        """Removes the last step's layers and brings back what it replaced; raises when empty."""
        if not self.history:
            raise LookupError("There is nothing to undo.")
        added, old = self.history.pop()
        for key in added:
            self.layers.pop(key, None)
        for layer in old:
            self.layers[layer.key] = layer
        return added, old


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
        instances = self.recognizer.recognize(lineart)
        t2 = time.perf_counter()
        for inst in instances:
            if inst.category in PARTS and not inst.part_names:
                inst.parts = label_parts(inst, lineart)
        t3 = time.perf_counter()
        analysis = Analysis(
            lineart, instances, {"flatting": t1 - t0, "recognition": t2 - t1, "parts": t3 - t2}
        )
        with self._lock:
            self._cache[key] = analysis
            while len(self._cache) > 1 and (
                len(self._cache) > self._cache_size
                or sum(a.nbytes for a in self._cache.values()) > self._cache_bytes
            ):
                self._cache.popitem(last=False)
        return analysis

    def apply(
        self, session: Session, rgba: np.ndarray, instruction: str, mask: np.ndarray | None = None
    ) -> StepResult:
        t0 = time.perf_counter()
        try:
            parsed = parse_instruction(instruction)
        except InstructionError as exc:
            return StepResult(instruction, "not_understood", str(exc))
        t1 = time.perf_counter()
        analysis = self.analyse(rgba)
        t2 = time.perf_counter()
        layers: list[Layer] = []
        misses: list[str] = []
        for clause in parsed.clauses:
            try:
                layer = self._clause_layer(analysis, clause, mask, misses)
            except LookupError as exc:
                misses.append(str(exc))
                continue
            layers = [prev for prev in layers if prev.key != layer.key] + [layer]
        t3 = time.perf_counter()
        timings = {"parse": t1 - t0, "analysis": t2 - t1, "colouring": t3 - t2}
        dump = parsed.model_dump(mode="json")
        if not layers:
            return StepResult(instruction, "no_match", " ".join(misses), dump, timings=timings)
        replaced = session.commit(layers)
        message = "Coloured " + ", ".join(layer.name for layer in layers) + "."
        if misses:
            message += " " + " ".join(misses)
        return StepResult(instruction, "ok", message, dump, layers, replaced, timings)

    def _clause_layer(
        self, analysis: Analysis, clause: Clause, mask: np.ndarray | None, notes: list[str]
    ) -> Layer:
        if clause.kind == "background":
            return self._background_layer(analysis, clause, mask)
        target = clause.target
        if target is None or target.category is None:
            return self._selection_layer(analysis, clause, mask)
        shape = analysis.lineart.shape
        chosen = ground(target, analysis.instances, shape, mask)
        if not chosen:
            same = sum(inst.category == target.category for inst in analysis.instances)
            if same == 0:
                raise LookupError(f"No {target.category} found in this sketch.")
            raise LookupError(f"None of the {same} {target.category}(s) found matches that description.")
        return self._foreground_layer(analysis, clause, sorted(chosen), notes)

    def _foreground_layer(
        self, analysis: Analysis, clause: Clause, chosen: list[int], notes: list[str]
    ) -> Layer:
        """notes gets a line for each part the instruction named that none of the objects shows."""
        category = analysis.instances[chosen[0]].category
        main = main_part(category)
        fills: list[tuple[np.ndarray, tuple[int, int, int]]] = []
        painted: dict[str, str] = {}
        for idx in chosen:
            inst = analysis.instances[idx]
            parts = inst.parts  # canvas-size masks, built on access: once per instance
            if main in clause.colours:
                fills.append((inst.mask, clause.colours[main].rgb))
                painted[main] = clause.colours[main].name
            for part, colour in clause.colours.items():
                part_mask = parts.get(part)
                if part != main and part_mask is not None and part_mask.any():
                    fills.append((part_mask, colour.rgb))
                    painted[part] = colour.name
        if not fills:
            wanted = ", ".join(clause.colours)
            raise LookupError(f"The {category} has no {wanted} that I can find.")
        defaults = DEFAULT_PART_COLOURS.get(category, {})
        named = [p for p, c in clause.colours.items() if p != main and defaults.get(p) != c.name]
        if unseen := [p for p in named if p not in painted]:
            notes.append(f"No {' or '.join(unseen)} found on the {category}, so not coloured.")
        bbox, rgba = paint(fills)
        label = category if len(chosen) == 1 else f"{category} x{len(chosen)}"
        details = [painted.pop(main)] if main in painted else []
        details += [f"{part} {name}" for part, name in painted.items()]
        return Layer(
            key=f"fg:{category}:{','.join(map(str, chosen))}",
            name=f"{label}: {', '.join(details)}",
            kind="foreground",
            category=category,
            instances=chosen,
            bbox=bbox,
            rgba=rgba,
        )

    def _selection_layer(self, analysis: Analysis, clause: Clause, mask: np.ndarray | None) -> Layer:
        if mask is None or not mask.any():
            raise LookupError("Select an area first, or name the object to colour (e.g. 'the car is red').")
        lineart = analysis.lineart
        count = region_areas(lineart)
        covered = np.bincount(lineart.regions[mask], minlength=lineart.n_regions + 1)
        chosen = covered >= SELECTION_COVER * np.maximum(count, 1)
        chosen[0] = False
        area = chosen[lineart.regions]
        if not area.any():
            raise LookupError("The selection does not cover any closed area of the line art.")
        colour = next(iter(clause.colours.values()))
        bbox, rgba = paint([(area, colour.rgb)])
        ids = np.flatnonzero(chosen)
        key = "sel:" + hashlib.blake2b(ids.tobytes(), digest_size=6).hexdigest()
        return Layer(key, f"selection: {colour.name}", "foreground", None, [], bbox, rgba)

    def _background_layer(self, analysis: Analysis, clause: Clause, mask: np.ndarray | None) -> Layer:
        sky, ground_mask, horizon = analysis.sky_ground()
        area = clause.area or "sky"
        region = sky if area == "sky" else ground_mask
        if mask is not None:
            region = region & mask
        if not region.any():
            raise LookupError(f"There is no {area} to colour in this sketch.")
        colour = next(iter(clause.colours.values()))
        fill = background.sky_gradient(colour.rgb, region.shape, horizon) if area == "sky" else colour.rgb
        bbox, rgba = paint([(region, fill)])
        return Layer(f"bg:{area}", f"{area}: {colour.name}", "background", area, [], bbox, rgba)
