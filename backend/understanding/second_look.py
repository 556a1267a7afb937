"""A second look at every candidate object, each on its own: the scene model's objects and the
drawing's own stroke groups, judged by the object classifier.

Why: the scene model reads a whole sketch at one scale. It names the right thing in the scenes it was
trained on, but on a horse filling the page it finds nothing, on clip art it names the wrong animal,
and over open sky it can see an object that is not there. The object classifier sees each candidate
cut to its box, whatever its size, so:

- an object the scene model named takes the category both believe in most (the product of the scene
  model's and the classifier's probabilities): a sure classifier outvotes an unsure scene model;
- an object the classifier calls "none" (paper, a fragment) is dropped unless the scene model was
  sure of it;
- every big group of connected strokes (a big animal alone, a car seen from the front) is shown to
  the classifier too, and becomes an object when the classifier is sure: its inside is every region
  its outline encloses, and the scene model's pieces inside it are absorbed, unless they are objects
  the classifier believes in themselves (two touching trees stay two) and found by their own regions
  (not read off the scene model's coarse grid where an outline has a gap, which gives a blotchy edge);
- groups are also formed with a wider join and shown whole, since many drawings are parts drawn
  apart (a head above a body, a cat's legs under it) whose pieces alone look like nothing;
- where the scene model was unsure of everything inside a group (a drawing unlike its training,
  alone on the page), the classifier's lead names it even when the classifier is not sure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import cv2
import numpy as np

from backend.lineart import LineArt

from .enclosure import enclosed
from .instance import Instance
from .object_classifier import ObjectClassifier
from .open_strokes import close_radius, enclosed_by_strokes
from .recogniser import LearnedRecognizer
from .torch_thread import on_torch_thread

GROUP_SIDE = 512  # stroke groups are found on the line mask shrunk to this long side
# Views are cut from the sketch shrunk to at most this long side: an 80 px view needs no more, and a
# view cut at full resolution from an 8192 px canvas costs a 256 MB crop.
VIEW_CANVAS = 1024


@dataclass(frozen=True)
class Judging:
    """When the classifier overrules or adds to the scene model; part of the recogniser's version."""

    classifier_weight: float = 1.0  # the classifier's probabilities are raised to this before fusing
    drop_level: float = 0.7  # "none" above this drops an object ...
    drop_unless: float = 0.6  # ... unless the scene model's own score is above this
    propose_level: float = 0.6  # a stroke group becomes an object above this ...
    propose_alone: float = 0.3  # ... or above this (and above "none") when the scene model was unsure
    unsure: float = 0.3  # (score under this) of every object inside it: a drawing unlike its training,
    # alone on the page, where its objects are guesses and the classifier's lead is the better word
    sure: float = 0.5  # ... unless it holds several objects the classifier believes above this,
    grow: float = 1.3  # ... or one of its own category that it is not this many times bigger than
    min_group: float = 0.02  # stroke groups whose box is under this share of the canvas are left alone
    join: float = 0.01  # strokes closer than this share of the long side are one group
    join_wide: float = 0.03  # ... and, a second grouping, closer than this: a drawing whose parts are
    # drawn apart (a head above its body, a cat's legs below it) is also shown whole
    close: float = 0.03  # gaps in a group's outline narrower than this share of the long side are closed
    wide: float = 0.1  # ... and when that encloses less paper than ink (a face whose outline stops at
    # its whiskers), gaps up to this share of the group's own long side
    encloses: float = 1.0  # a group whose closed outline holds less paper than this times its ink is
    # open strokes (a grass tuft, a "v" bird)
    absorb: float = 0.7  # an object this much inside a new one becomes part of it
    # A loose object has at least `loose` of its pixels in regions it holds less than half of, and
    # the scene model was unsure of it (score under drop_unless): read off the coarse grid where an
    # outline has a gap, its edge is blotchy. A closed stroke group's object of its category, whose
    # inside follows the drawing's own outline, absorbs it when `absorb_loose` of it lies inside, and
    # it never keeps such a group from becoming an object. (Grass tufts are loose by nature, and the
    # scene model, sure of them, keeps touching tufts apart.)
    loose: float = 0.5
    absorb_loose: float = 0.5
    spill_strokes: float = 0.1  # an object of the group's category around it, with less than this
    # share of its strokes outside the group, is the group's object with a leaked fill: replaced
    max_views: int = 48  # views per sketch, biggest first: bounds the classifier's cost


@dataclass
class _Kept:
    inst: Instance
    own: float  # the classifier's probability of the instance's category
    scene: float  # the scene model's score for it (1 for an object the classifier made of a group)
    loose: bool  # unsure and read off the scene model's grid rather than from closed regions (Judging.loose)


@dataclass
class _Group:
    box: tuple[slice, slice]  # full-canvas box
    own_small: np.ndarray  # bool, at the group scale, the group's (joined) strokes in its box
    edges: tuple[bool, bool, bool, bool]  # which sides of the box lie on the canvas edge
    join: np.ndarray  # the disc the strokes were grown by to join them (at the group scale)
    close: int  # gaps up to twice this (at the group scale) are closed: Judging.close of the canvas

    # Canvas-resolution masks are made on demand, one group at a time: a hostile sketch of 48
    # nested rings would otherwise hold 48 canvas-size pairs (6 GB at 8192x8192).
    def _full(self, small: np.ndarray) -> np.ndarray:
        bh, bw = self.box[0].stop - self.box[0].start, self.box[1].stop - self.box[1].start
        return cv2.resize(small.astype(np.uint8), (bw, bh), interpolation=cv2.INTER_NEAREST) > 0

    def strokes(self, lineart: LineArt) -> np.ndarray:
        """bool, box-sized: the group's ink at full resolution."""
        return self._full(self.own_small) & (lineart.ink[self.box] > 0)

    def inside(self, close: int) -> np.ndarray:
        """bool, box-sized, at full resolution: the area the group's outline encloses once its gaps up
        to 2 * close px (at the group scale) are closed."""
        filled = _filled(self.own_small, self.edges, close)
        # back to the outline itself: the group was grown to join its strokes
        return self._full(cv2.erode(filled.astype(np.uint8), self.join) > 0)


class SecondLook:
    """A SceneRecognizer: the scene model's objects, re-judged and completed by the object classifier."""

    name = "scene-net+object-classifier"

    def __init__(
        self, scene: LearnedRecognizer, classifier: ObjectClassifier, judging: Judging = Judging()
    ) -> None:
        self.scene, self.classifier, self.judging = scene, classifier, judging
        digest = hashlib.blake2b(
            repr(judging).encode() + classifier.digest.encode(), digest_size=6
        ).hexdigest()
        self.version = f"{scene.version}+objects-{digest}"

    def recognize(self, lineart: LineArt) -> list[Instance]:
        j = self.judging
        found = self.scene.recognize(lineart)
        # The biggest objects are judged; beyond max_views, the smallest keep the scene model's word.
        found.sort(key=lambda inst: -np.count_nonzero(inst.crop))
        instances, unjudged = found[: j.max_views], found[j.max_views :]
        groups = self._stroke_groups(lineart)[: max(0, j.max_views - len(instances))]
        k = min(1.0, VIEW_CANVAS / max(lineart.shape))
        ink = _shrunk(lineart.ink, k, cv2.INTER_AREA)
        cuts = []
        for inst in instances:
            box = _scaled(inst.box, k, ink.shape)
            cuts.append((box, _grown(_sized(inst.crop, box))))
        for g in groups:
            box = _scaled(g.box, k, ink.shape)
            cuts.append((box, _sized(g.own_small, box) & (ink[box] > 0)))
        if not cuts:
            return found
        probs = on_torch_thread(self.classifier.probabilities, self.classifier.views(ink, cuts))
        labels = self.classifier.labels
        kept: list[_Kept] = []
        for inst, p in zip(instances, probs[: len(instances)], strict=True):
            scene_sure = inst.score >= j.drop_unless
            if p[0] >= j.drop_level and not scene_sure:
                continue
            scene_score = inst.score
            if inst.beliefs:  # both judges' beliefs, multiplied: each can outvote a weak other
                scene = np.array([inst.beliefs.get(c, 0.0) for c in labels[1:]])
                fused = (scene + 1e-3) * (p[1:] / max(p[1:].sum(), 1e-6) + 1e-3) ** j.classifier_weight
                best = labels[int(fused.argmax()) + 1]
                if best != inst.category:
                    score = float(fused.max() / fused.sum())
                    inst = Instance.from_crop(best, inst.shape, inst.box, inst.crop, score)
            own = float(p[labels.index(inst.category)]) if inst.category in labels else 0.0
            loose = not scene_sure and _loose_share(lineart, inst) >= j.loose
            kept.append(_Kept(inst, own, scene_score, loose))
        for g, p in zip(groups, probs[len(instances) :], strict=True):
            top = int(p[1:].argmax()) + 1
            weak = p[top] < j.propose_level
            if weak and (p[top] < j.propose_alone or p[top] <= p[0]):
                continue
            made = _object_of(lineart, g, labels[top], float(p[top]), j)
            if made is None:
                continue
            new, closed = made
            # A loose object of the group's category is the closed group's object read off the grid.
            inside, sure = [], []
            for old in kept:
                blotchy = closed and old.loose and old.inst.category == new.category
                if _share_inside(old.inst, new) >= (j.absorb_loose if blotchy else j.absorb):
                    inside.append(old)
                    if old.own >= j.sure and not blotchy:
                        sure.append(old.inst)
            if weak and any(old.scene >= j.unsure for old in inside):
                continue  # an unsure classifier does not overrule a scene model that knows better
            if len(sure) > 1:  # several objects the scene model separated: they stay apart
                continue
            if sure and (sure[0].category != new.category or _area(new) < j.grow * _area(sure[0])):
                continue  # one object, already known at about its size
            # the same object found bigger than its outline: its fill leaked into empty paper
            spilled = [
                k
                for k in kept
                if k.inst.category == new.category
                and _share_inside(new, k.inst) >= j.absorb
                and _strokes_outside(lineart, k.inst, new) < j.spill_strokes
            ]
            gone = inside + spilled
            kept = [k for k in kept if not any(k is i for i in gone)] + [
                _Kept(new, float(p[top]), 1.0, False)
            ]
        return [k.inst for k in kept] + unjudged

    def _stroke_groups(self, lineart: LineArt) -> list[_Group]:
        """Connected stroke groups, biggest first: those of strokes closer than `join_wide` that are
        more than one `join` group (a drawing made of parts drawn apart), then the `join` groups.

        The wide ones come first so that a drawing shown whole is judged before its parts, which
        would otherwise be named on their own (a cat's paw as a moon) and keep the whole out."""
        j = self.judging
        full = lineart.shape
        k = min(1.0, GROUP_SIDE / max(full))
        small = (max(1, round(full[0] * k)), max(1, round(full[1] * k)))
        lines = cv2.resize(lineart.lines.astype(np.uint8), small[::-1], interpolation=cv2.INTER_AREA) > 0
        close = max(1, round(j.close * max(small)))
        disc, fine, fine_stats = _components(lines, j.join)
        _, wide, wide_stats = _components(lines, j.join_wide)
        # A group is one or more fine components; a wide one is shown as the union of its fine
        # components (never the paper the wide join bridged: a cat's legs do not own the paper
        # between them).
        owns: list[tuple[tuple[slice, slice], np.ndarray]] = []
        for i in _biggest_first(wide_stats, j.min_group * small[0] * small[1]):
            x, y, w, h = wide_stats[i, :4]
            box = (slice(y, y + h), slice(x, x + w))
            parts = fine[box][(wide[box] == i) & lines[box]]
            if _several(parts):
                owns.append((box, np.isin(fine[box], np.unique(parts))))
        for i in _biggest_first(fine_stats, j.min_group * small[0] * small[1]):
            x, y, w, h = fine_stats[i, :4]
            box = (slice(y, y + h), slice(x, x + w))
            owns.append((box, fine[box] == i))
        groups = []
        for box, own in owns:
            ys, xs = np.nonzero(own)
            y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            box_small = (
                slice(box[0].start + y0, box[0].start + y1),
                slice(box[1].start + x0, box[1].start + x1),
            )
            full_box = (
                slice(int(box_small[0].start / k), min(full[0], round(box_small[0].stop / k))),
                slice(int(box_small[1].start / k), min(full[1], round(box_small[1].stop / k))),
            )
            groups.append(_Group(full_box, own[y0:y1, x0:x1], _edges(box_small, small), disc, close))
        return groups


def _biggest_first(stats: np.ndarray, min_box: float) -> list[int]:
    """Component ids (of cv2.connectedComponentsWithStats) by area, biggest first, whose box holds at
    least `min_box` pixels."""
    order = np.argsort(-stats[1:, cv2.CC_STAT_AREA]) + 1
    return [int(i) for i in order if stats[i, 2] * stats[i, 3] >= min_box]


def _components(lines: np.ndarray, join: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the disc strokes are grown by, component labels, component stats) of `lines` grown by `join`
    of its long side: strokes closer than that are one component."""
    r = max(1, round(join * max(lines.shape)))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1,) * 2)
    _, label, stats, _ = cv2.connectedComponentsWithStats(
        cv2.dilate(lines.astype(np.uint8), disc), connectivity=8
    )
    return disc, label, stats


def _several(fine_labels: np.ndarray, most: float = 0.9) -> bool:
    """Whether these stroke pixels are spread over several fine groups: no one of them holds `most`
    (a wide group that is one fine group and a few specks would only repeat its view)."""
    if fine_labels.size == 0:
        return False
    return np.bincount(fine_labels).max() < most * fine_labels.size


def _edges(box: tuple[slice, slice], shape: tuple[int, int]) -> tuple[bool, bool, bool, bool]:
    """Which sides of the box (top, bottom, left, right) lie on the canvas edge."""
    ys, xs = box
    return ys.start == 0, ys.stop >= shape[0], xs.start == 0, xs.stop >= shape[1]


def _filled(group: np.ndarray, edges: tuple[bool, bool, bool, bool], close: int) -> np.ndarray:
    """The group's strokes with their inside filled: small gaps in an outline are closed first, and
    where the group runs off the canvas, the canvas edge closes it (between its first and last
    stroke on that edge)."""
    shape = np.pad(group, close + 1).astype(np.uint8)
    c = close + 1
    for side, on_edge in zip(("top", "bottom", "left", "right"), edges, strict=True):
        if not on_edge:
            continue
        line = {"top": group[0], "bottom": group[-1], "left": group[:, 0], "right": group[:, -1]}[side]
        hit = np.flatnonzero(line)
        if len(hit) < 2:
            continue
        a, b = hit[0] + c, hit[-1] + c + 1
        if side == "top":
            shape[:c, a:b] = 1
        elif side == "bottom":
            shape[-c:, a:b] = 1
        elif side == "left":
            shape[a:b, :c] = 1
        else:
            shape[a:b, -c:] = 1
    return enclosed(shape, close)[c:-c, c:-c] | group


def _shrunk(a: np.ndarray, k: float, interpolation: int) -> np.ndarray:
    if k >= 1:
        return a
    h, w = a.shape
    return cv2.resize(a, (max(1, round(w * k)), max(1, round(h * k))), interpolation=interpolation)


def _scaled(box: tuple[slice, slice], k: float, shape: tuple[int, int]) -> tuple[slice, slice]:
    """A canvas box on the canvas shrunk by k (at least one pixel, inside `shape`)."""
    ys, xs = box
    y0, x0 = min(int(ys.start * k), shape[0] - 1), min(int(xs.start * k), shape[1] - 1)
    y1, x1 = max(y0 + 1, min(shape[0], round(ys.stop * k))), max(x0 + 1, min(shape[1], round(xs.stop * k)))
    return slice(y0, y1), slice(x0, x1)


def _sized(mask: np.ndarray, box: tuple[slice, slice]) -> np.ndarray:
    """A box-sized mask resampled to another box's size."""
    h, w = box[0].stop - box[0].start, box[1].stop - box[1].start
    if mask.shape == (h, w):
        return mask
    return cv2.resize(mask.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0


def _grown(crop: np.ndarray) -> np.ndarray:
    """A mask grown by 2% of its box: the stroke edges an instance's regions may have missed, or the
    band of paper that makes open strokes' colour show."""
    r = max(2, round(0.02 * max(crop.shape)))
    return (
        cv2.dilate(crop.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1,) * 2)) > 0
    )


def _object_of(
    lineart: LineArt, g: _Group, category: str, score: float, j: Judging
) -> tuple[Instance, bool] | None:
    """The regions a stroke group encloses (mostly inside its filled outline) as one object, and
    whether its outline closes (False: open strokes, such as a grass tuft)."""
    regions = lineart.regions[g.box]
    strokes = g.strokes(lineart)
    n_strokes = np.count_nonzero(strokes)
    take = np.zeros(lineart.n_regions + 1, bool)
    crop = np.zeros_like(strokes)
    # the canvas's closing, then the group's own (dict.fromkeys: once when they are the same)
    for close in dict.fromkeys((g.close, max(g.close, round(j.wide * max(g.own_small.shape))))):
        outline = g.inside(close)
        held = np.bincount(regions.ravel(), outline.ravel(), lineart.n_regions + 1)
        take = held / np.maximum(lineart.areas, 1) >= 0.6
        take[0] = False
        # A region that leaks out through a gap the flatting left open (a car body open between its
        # wheel arches, whose paper runs out into the page) is cut along the outline: the fill stops
        # where the drawing's outline, gaps closed, stops.
        crop = take[regions] | outline
        if np.count_nonzero(crop & ~strokes) >= j.encloses * n_strokes:
            return Instance.from_crop(category, lineart.shape, g.box, crop, score), True
    # Open strokes: a grass tuft is its strokes and the paper between its blades (open_strokes.py);
    # strokes that hold no paper (a bird drawn as a "v") get a narrow band of paper around them, so
    # their colour shows. Closed regions inside the group stay its own.
    shape = enclosed_by_strokes(strokes, close_radius(lineart.shape))
    crop = take[regions] | (_grown(strokes) if shape is None else shape)
    if not crop.any():
        return None
    return Instance.from_crop(category, lineart.shape, g.box, crop, score), False


def _strokes_outside(lineart: LineArt, inst: Instance, new: Instance) -> float:
    """The share of `inst`'s strokes that lie outside `new`."""
    strokes = lineart.lines[inst.box] & inst.crop
    total = np.count_nonzero(strokes)
    return 1 - _count_inside(strokes, inst.box, new) / total if total else 0.0


def _loose_share(lineart: LineArt, inst: Instance) -> float:
    """The share of `inst`'s pixels lying in regions it holds less than half of."""
    regions = lineart.regions[inst.box][inst.crop]
    if regions.size == 0:
        return 0.0
    counts = np.bincount(regions, minlength=lineart.n_regions + 1)
    held = counts / np.maximum(lineart.areas, 1)
    return float(counts[held < 0.5].sum() / regions.size)


def _area(inst: Instance) -> int:
    return int(np.count_nonzero(inst.crop))


def _share_inside(inst: Instance, new: Instance) -> float:
    """How much of `inst` lies inside `new`."""
    area = np.count_nonzero(inst.crop)
    return _count_inside(inst.crop, inst.box, new) / area if area else 0.0


def _count_inside(mask: np.ndarray, box: tuple[slice, slice], new: Instance) -> int:
    """Pixels of `mask` (of `box`'s size) inside `new`, compared on the two boxes' overlap only."""
    (ay, ax), (by, bx) = box, new.box
    y0, y1 = max(ay.start, by.start), min(ay.stop, by.stop)
    x0, x1 = max(ax.start, bx.start), min(ax.stop, bx.stop)
    if y1 <= y0 or x1 <= x0:
        return 0
    a = mask[y0 - ay.start : y1 - ay.start, x0 - ax.start : x1 - ax.start]
    b = new.crop[y0 - by.start : y1 - by.start, x0 - bx.start : x1 - bx.start]
    return int(np.count_nonzero(a & b))
