"""Views of single objects, and of things that are not one object, for the object classifier.

Every view is made by backend.understanding.object_view from a rendered canvas, as the product makes
it from an instance, so the classifier trains on exactly what it will be shown:

- real drawings alone (every training doodle of sketchgen.real_drawings, most of the time varied by
  sketchgen.variation, and the OpenMoji training clips) at any pen width and 10-150% of the canvas,
  so size and style stop mattering; and the generator's drawers alone, above all for chickens and
  people, which no one doodled;
- the objects of generated scenes (sketchgen's drawers, doodles and clips composed into scenes),
  cut by their box, either alone (their own strokes: what an instance mask keeps) or with the
  neighbours that fall in the box;
- the labelled objects of real SketchyScene scenes, for a fine-tune (`sketchyscene_views`);
- "none": boxes that are not one whole object (random boxes over a scene, a fragment of an object),
  doodles of categories we do not know, and near-empty paper. The product drops an instance whose
  view says none: that is how paper the scene model took for an object is given back.
Held-out doodles, OpenMoji codes and scene seeds are never drawn from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from scipy import ndimage

from backend.categories import FOREGROUND
from backend.lineart import ink_from_rgba
from backend.understanding.object_view import VIEW_SIDE, object_view
from evaluation.truth import load_truth
from sketchgen.emoji_lineart import load_emoji_clips
from sketchgen.objects import DRAWERS
from sketchgen.real_drawings import RealComposer, alone, load_clips, load_doodles, openmoji_split
from sketchgen.scene import HELD_OUT_SEED_BASE, Scene
from sketchgen.variation import varied

NONE = "none"
LABELS: tuple[str, ...] = (NONE, *FOREGROUND)
LABEL_INDEX = {name: i for i, name in enumerate(LABELS)}
MIN_OBJECT_PX = 120  # scene objects smaller than this at 512 px are specks the scene model drops
VIEWS_VERSION = 3  # names the cached views: bump when what build() makes changes
CLIP_SHARE, DRAWER_SHARE, VARIED_SHARE = 0.2, 0.12, 0.75  # of single drawings; varied: of doodles
EMOJI_CLIP_SHARE = 0.3  # of single drawings, when other artists' emoji join OpenMoji's clips


def _jittered(
    box: tuple[slice, slice], shape: tuple[int, int], rng: np.random.Generator
) -> tuple[slice, slice]:
    """The box with each side moved by up to 6% of its size: instance masks are not exact."""
    ys, xs = box
    h, w = ys.stop - ys.start, xs.stop - xs.start
    dy, dx = rng.uniform(-0.06, 0.06, 2) * h, rng.uniform(-0.06, 0.06, 2) * w
    y0, y1 = int(np.clip(ys.start + dy[0], 0, shape[0] - 1)), int(np.clip(ys.stop + dy[1], 1, shape[0]))
    x0, x1 = int(np.clip(xs.start + dx[0], 0, shape[1] - 1)), int(np.clip(xs.stop + dx[1], 1, shape[1]))
    return slice(y0, max(y1, y0 + 1)), slice(x0, max(x1, x0 + 1))


def _random_box(rng: np.random.Generator, shape: tuple[int, int]) -> tuple[slice, slice]:
    """A box anywhere on the canvas, 6-90% of its height on a side, of any aspect within e^+-0.5."""
    side = np.exp(rng.uniform(np.log(0.06), np.log(0.9))) * shape[0]
    h, w = side * np.exp(rng.uniform(-0.5, 0.5)), side * np.exp(rng.uniform(-0.5, 0.5))
    y0, x0 = rng.uniform(0, max(1, shape[0] - h)), rng.uniform(0, max(1, shape[1] - w))
    return slice(int(y0), int(min(shape[0], y0 + h))), slice(int(x0), int(min(shape[1], x0 + w)))


def _own(scene: Scene, k: int, box: tuple[slice, slice]) -> np.ndarray:
    """Instance k's pixels in the box, grown by 2 px: the stroke edges a region mask may miss."""
    return cv2.dilate((scene.instances[box] == k).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0


def _box_iou(a: tuple[slice, slice], b: tuple[slice, slice]) -> float:
    iy = max(0, min(a[0].stop, b[0].stop) - max(a[0].start, b[0].start))
    ix = max(0, min(a[1].stop, b[1].stop) - max(a[1].start, b[1].start))
    inter = iy * ix
    area = lambda s: (s[0].stop - s[0].start) * (s[1].stop - s[1].start)  # noqa: E731
    return inter / max(area(a) + area(b) - inter, 1)


def _drawer_categories(doodles: list) -> tuple[list[str], np.ndarray]:
    """Drawer categories and how often to draw each: three times as often when few doodled it (chickens
    and people: Quick, Draw! has none, quickdraw/ holds 20 training people)."""
    doodled = Counter(d.category for d in doodles)
    names = sorted(c for c in DRAWERS if c in LABEL_INDEX)
    weight = np.array([1.0 if doodled[c] >= 100 else 3.0 for c in names])
    return names, weight / weight.sum()


def alone_views(
    rng: np.random.Generator,
    doodles: list,
    clips: list,
    n: int,
    plain: bool = False,
    side: int = VIEW_SIDE,
    clip_share: float = CLIP_SHARE,
) -> Iterator[tuple[np.ndarray, int]]:
    """n views of single drawings alone on a canvas; doodles of unknown categories are "none".

    `plain`: the real drawings as drawn, no drawers (the first classifier's views, same draws)."""
    drawer_names, drawer_p = _drawer_categories(doodles)
    drawer_share = 0.0 if plain else DRAWER_SHARE
    for _ in range(n):
        size = int(rng.choice((384, 512, 768)))
        pick = rng.random()
        if pick < clip_share:
            sc = alone(rng, size, clip=clips[int(rng.integers(len(clips)))])
        elif pick < clip_share + drawer_share:
            category = drawer_names[int(rng.choice(len(drawer_names), p=drawer_p))]
            sc = alone(rng, size, drawing=DRAWERS[category](rng))
        else:
            doodle = doodles[int(rng.integers(len(doodles)))]
            if not plain and rng.random() < VARIED_SHARE:
                doodle = varied(doodle, rng)
            sc = alone(rng, size, doodle=doodle)
        boxes = ndimage.find_objects(sc.instances)
        if not boxes or boxes[0] is None or not sc.categories:
            continue
        label = LABEL_INDEX.get(sc.categories[0], 0)
        yield object_view(sc.ink, _jittered(boxes[0], sc.ink.shape, rng), side=side), label


def scene_views(
    rng: np.random.Generator, scene: Scene, side: int = VIEW_SIDE
) -> Iterator[tuple[np.ndarray, int]]:
    """Each object of a generated scene, and as many "none" views (random boxes and fragments)."""
    shape = scene.ink.shape
    boxes = ndimage.find_objects(scene.instances)
    counts = np.bincount(scene.instances.ravel(), minlength=len(boxes) + 1)
    objects = [(k + 1, b) for k, b in enumerate(boxes) if b is not None and counts[k + 1] >= MIN_OBJECT_PX]
    for k, box in objects:
        label = LABEL_INDEX.get(scene.categories[k - 1], 0)
        own = rng.random() < 0.6
        jb = _jittered(box, shape, rng)
        yield object_view(scene.ink, jb, _own(scene, k, jb) if own else None, side), label
    for _ in range(max(1, len(objects) // 2)):  # random boxes that are no one object's box
        box = _random_box(rng, shape)
        if all(_box_iou(box, b) < 0.3 for _, b in objects):
            yield object_view(scene.ink, box, side=side), 0
    for k, box in objects[: max(1, len(objects) // 4)]:  # a fragment: a blob of one object
        ys, xs = np.nonzero(scene.instances[box] == k)
        if len(ys) < 50:
            continue
        i = int(rng.integers(len(ys)))
        r = 0.25 * max(box[0].stop - box[0].start, box[1].stop - box[1].start)
        near = (ys - ys[i]) ** 2 + (xs - xs[i]) ** 2 < r * r
        fy, fx = ys[near] + box[0].start, xs[near] + box[1].start
        frag = (slice(int(fy.min()), int(fy.max()) + 1), slice(int(fx.min()), int(fx.max()) + 1))
        if _box_iou(frag, box) < 0.35:
            yield object_view(scene.ink, frag, _own(scene, k, frag), side), 0


def sketchyscene_views(
    scenes: list[Path], rng: np.random.Generator, per_object: int = 40, side: int = VIEW_SIDE
) -> tuple[np.ndarray, np.ndarray]:
    """Views of the labelled objects of real SketchyScene scenes (the style of the scenes artists
    draw), each cut `per_object` times with a jittered box, and "none" views of the same scenes.

    Only the scenes given are read: a model fine-tuned on some of the six is scored on the others.
    """
    views, labels = [], []
    for scene in scenes:
        rgba = np.asarray(Image.open(scene / "sketch.png").convert("RGBA"))
        ink = ink_from_rgba(rgba)
        truth = [(cat, m) for cat, m in load_truth(scene) if m.any()]
        boxes = [ndimage.find_objects(m.astype(np.uint8))[0] for _, m in truth]
        for (cat, m), box in zip(truth, boxes, strict=True):
            for _ in range(per_object):
                jb = _jittered(box, ink.shape, rng)
                own = cv2.dilate(m[jb].astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
                views.append(object_view(ink, jb, own if rng.random() < 0.6 else None, side))
                labels.append(LABEL_INDEX.get(cat, 0))
        for _ in range(per_object * len(truth) // 3):
            box = _random_box(rng, ink.shape)
            if all(_box_iou(box, b) < 0.3 for b in boxes):
                views.append(object_view(ink, box, side=side))
                labels.append(0)
    return (np.stack(views) * 255).round().astype(np.uint8), np.asarray(labels, np.int64)


def build(
    n_scenes: int,
    n_alone: int,
    seed: int = 0,
    plain: bool = False,
    side: int = VIEW_SIDE,
    emoji: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """(views uint8 (N, side, side), labels int64 (N,)) from training material only (`plain`: see
    alone_views; `emoji`: other artists' emoji as line art join OpenMoji's clips, sketchgen.emoji_lineart)."""
    rng = np.random.default_rng(seed)
    doodles, _ = load_doodles()
    clips = load_clips(openmoji_split()[0]) + (load_emoji_clips() if emoji else [])
    composer = RealComposer(doodles, clips)
    views, labels = [], []
    share = EMOJI_CLIP_SHARE if emoji else CLIP_SHARE
    for v, y in alone_views(rng, doodles, clips, n_alone, plain, side, share):
        views.append(v)
        labels.append(y)
    for i in range(n_scenes):
        seed_i = (seed * 100_003 + i) % HELD_OUT_SEED_BASE
        for v, y in scene_views(rng, composer.scene(seed_i), side):
            views.append(v)
            labels.append(y)
    for _ in range(n_alone // 50):  # near-empty paper: a dot or a dash
        v = np.zeros_like(views[0])
        cv2.line(
            v,
            tuple(rng.integers(0, v.shape[0], 2).tolist()),
            tuple(rng.integers(0, v.shape[0], 2).tolist()),
            1.0,
            1,
        )
        views.append(v)
        labels.append(0)
    return (np.stack(views) * 255).round().astype(np.uint8), np.asarray(labels, np.int64)


DOODLE, OPENMOJI, EMOJI = 0, 1, 2  # sources of held-out views


def held_out(
    seed: int = 1, per_doodle: int = 1, side: int = VIEW_SIDE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Held-out doodles, OpenMoji codes and the same codes drawn by other artists (when fetched)
    alone at 20-100% of the canvas: (views, labels, source: DOODLE, OPENMOJI or EMOJI)."""
    rng = np.random.default_rng(seed)
    _, doodles = load_doodles()
    clips = load_clips(openmoji_split()[1])
    emoji = load_emoji_clips(held_out=True)
    views, labels, sources = [], [], []
    for d in doodles:
        for _ in range(per_doodle):
            share = float(rng.choice((0.2, 0.4, 0.6, 0.8, 1.0)))
            sc = alone(rng, 512, doodle=d, share=share, centred=True)
            box = ndimage.find_objects(sc.instances)
            if box and box[0] is not None:
                views.append(object_view(sc.ink, box[0], side=side))
                labels.append(LABEL_INDEX.get(d.category, 0))
                sources.append(DOODLE)
    for source, c in [(OPENMOJI, c) for c in clips] + [(EMOJI, c) for c in emoji]:
        for share in (0.2, 0.4, 0.6, 0.8, 1.0):
            sc = alone(rng, 512, clip=c, share=share, centred=True)
            box = ndimage.find_objects(sc.instances)
            if box and box[0] is not None:
                views.append(object_view(sc.ink, box[0], side=side))
                labels.append(LABEL_INDEX[c.category])
                sources.append(source)
    return (np.stack(views) * 255).round().astype(np.uint8), np.asarray(labels), np.asarray(sources)
