"""Endless streams of training batches, seeded by step so that a resumed run sees the same stream.

- `Scenes`: crops of generated scenes (sketchgen) whose objects are drawers' drawings and the
  training Quick, Draw! doodles: what the from-scratch scene model was trained on.
- `Mixed`: crops of generated scenes whose objects are often real drawings (every training doodle of
  quickdraw/, quickdraw-more/ and quickdraw-parts/, and OpenMoji clip art pasted in), plus single
  real drawings alone on a canvas at 10-150% of its size: a big animal filling the page is as
  familiar to the model as a speck.
Held-out doodles, OpenMoji codes and scene seeds are never drawn from (sketchgen/real_drawings.py).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

from backend.understanding.network import OFFSET_UNIT, STRIDE
from sketchgen.doodles import load as load_doodles
from sketchgen.real_drawings import RealComposer, alone, load_clips, openmoji_split
from sketchgen.real_drawings import load_doodles as load_real_doodles
from sketchgen.scene import HELD_OUT_SEED_BASE, Composer
from sketchgen.targets import sample

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CROPS_PER_SCENE = 2  # two crops of each generated scene: generation is half the cost of a step
ALONE_CANVAS = (320, 320, 416, 512)  # sizes of the single-drawing canvases, cropped to the crop size
CLIP_SHARE = 0.35  # of single-drawing canvases that show OpenMoji clip art rather than a doodle


class Scenes(IterableDataset):
    """Batches of samples from scenes seeded by (step, index): the same stream after a resume."""

    def __init__(self, start_step: int, batch: int, crop: int) -> None:
        self.start_step, self.batch, self.crop = start_step, batch, crop

    def __iter__(self):  # noqa: ANN204
        cv2.setNumThreads(1)  # the worker has one core; OpenCV's own threads would fight the trainer's
        info = get_worker_info()
        workers, wid = (info.num_workers, info.id) if info else (1, 0)
        train, _ = load_doodles(DATA / "quickdraw")
        composer = Composer(train)
        step = self.start_step + wid
        while True:
            items = []
            for i in range(0, self.batch, CROPS_PER_SCENE):
                seed = (step * self.batch + i) % HELD_OUT_SEED_BASE
                rng = np.random.default_rng(seed + 7_000_000)
                scene = composer.scene(seed)
                items += [
                    sample(scene, rng, self.crop, stride=STRIDE, offset_unit=OFFSET_UNIT)
                    for _ in range(CROPS_PER_SCENE)
                ]
            yield {
                k: torch.from_numpy(np.stack([getattr(s, k) for s in items]))
                for k in items[0].__dataclass_fields__
            }
            step += workers


class Mixed(IterableDataset):
    """Batches of scene crops and single real drawings, seeded by step: the same stream after a resume."""

    def __init__(self, start_step: int, batch: int, crop: int, alone_share: float) -> None:
        self.start_step, self.batch, self.crop, self.alone_share = start_step, batch, crop, alone_share

    def __iter__(self):  # noqa: ANN204
        cv2.setNumThreads(1)  # one core for the worker; OpenCV's own threads would fight the trainer's
        torch.set_num_threads(1)
        info = get_worker_info()
        workers, wid = (info.num_workers, info.id) if info else (1, 0)
        doodles, _ = load_real_doodles()
        clips = load_clips(openmoji_split()[0])
        composer = RealComposer(doodles, clips)
        n_alone = round(self.batch * self.alone_share)
        step = self.start_step + wid
        while True:
            rng = np.random.default_rng(step + 11_000_000)
            items = []
            for i in range(0, self.batch - n_alone, 2):
                scene = composer.scene((step * self.batch + i) % HELD_OUT_SEED_BASE)
                items += [
                    sample(scene, rng, self.crop, stride=STRIDE, offset_unit=OFFSET_UNIT)
                    for _ in range(min(2, self.batch - n_alone - i))
                ]
            for _ in range(n_alone):
                size = max(self.crop, int(rng.choice(ALONE_CANVAS)))
                if rng.random() < CLIP_SHARE:
                    sc = alone(rng, size, clip=clips[int(rng.integers(len(clips)))])
                else:
                    sc = alone(rng, size, doodle=doodles[int(rng.integers(len(doodles)))])
                items.append(sample(sc, rng, self.crop, stride=STRIDE, offset_unit=OFFSET_UNIT))
            yield {
                k: torch.from_numpy(np.stack([getattr(s, k) for s in items]))
                for k in items[0].__dataclass_fields__
            }
            step += workers
