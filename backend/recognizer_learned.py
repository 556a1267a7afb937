"""The learned recogniser: SceneNet's dense predictions decided region by region.

The network sees the sketch at a fixed size (INPUT_SIDE on the long side) whatever the canvas, so its
cost does not grow with print-size canvases. Its outputs are then read through the line-art regions
at full resolution: every closed area takes one category, one object and one part, decided by the
votes of its pixels. That is what makes fills clean: a region is never half car, half paper.

Objects are found as peaks of the centre heat map; every pixel votes for the centre its predicted
offset points to, so two touching trees end up as two objects even though every pixel says "tree".
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from .categories import PARTS
from .device import device as pick_device
from .lineart import LineArt
from .scene import Instance
from .scene_net import OFFSET_UNIT, STRIDE, load

CODE_VERSION = "1"  # bump when the decoding below changes, so cached analyses are recomputed
DEFAULT_WEIGHTS = Path(__file__).resolve().parents[1] / "weights" / "scene_model.safetensors"
VOTE_SIDE = 1024  # region votes are counted on a grid at most this large (long side)
PEAK_LEVEL = 0.15  # centre heat above this (of 1) is an object centre
PEAK_WINDOW = 5  # cells: two centres closer than this are one object
PAPER_SHARE = 0.5  # a region whose mean paper probability exceeds this is empty paper
MIN_AREA = 2e-4  # objects smaller than this share of the canvas are specks, not objects


def _resize(a: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    shrink = h * w < a.shape[0] * a.shape[1]
    return cv2.resize(a, (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def _fit(shape: tuple[int, int], side: int) -> tuple[int, int]:
    h, w = shape
    k = side / max(h, w)
    return max(1, round(h * k)), max(1, round(w * k))


class LearnedRecognizer:
    name = "scene-net"

    def __init__(self, weights: Path = DEFAULT_WEIGHTS, device: str | None = None) -> None:
        self.device = device or pick_device()
        self.net, self.config = load(weights, self.device)
        self.classes: list[str] = self.config["classes"]
        self.parts: list[str] = self.config["parts"]
        self.input_side = int(self.config["input_size"])
        digest = hashlib.blake2b(Path(weights).read_bytes(), digest_size=6).hexdigest()
        self.version = f"scene-net-{CODE_VERSION}-{digest}"

    @torch.inference_mode()
    def predict(self, ink: np.ndarray) -> dict[str, np.ndarray]:
        """Network outputs for a full-size ink map, at the network's scale (long side = input_side).

        Returns semantic and part probabilities (C, h, w), the centre heat (h, w) and each pixel's
        predicted centre (2, h, w) as (x, y) at that scale.
        """
        h, w = _fit(ink.shape, self.input_side)
        small = _resize(ink.astype(np.float32), (h, w))
        ph, pw = -h % 16, -w % 16
        x = torch.from_numpy(np.pad(small, ((0, ph), (0, pw))))[None, None].to(self.device)
        out = self.net(x)
        up = {
            k: F.interpolate(v, scale_factor=STRIDE, mode="bilinear", align_corners=False)[0, :, :h, :w]
            for k, v in out.items()
        }
        ys, xs = torch.meshgrid(
            torch.arange(h, device=self.device), torch.arange(w, device=self.device), indexing="ij"
        )
        centre_of = up["offset"] * OFFSET_UNIT + torch.stack([xs, ys])
        return {
            "semantic": up["semantic"].softmax(0).cpu().numpy(),
            "parts": up["parts"].softmax(0).cpu().numpy(),
            "centre_map": out["centre"][0, 0].cpu().numpy(),
            "centre_of": centre_of.cpu().numpy(),
        }

    def _peaks(self, heat: np.ndarray) -> np.ndarray:
        """(K, 2) object centres (x, y) at the network's scale."""
        local_max = cv2.dilate(heat, np.ones((PEAK_WINDOW, PEAK_WINDOW), np.uint8))
        ys, xs = np.nonzero((heat >= local_max) & (heat > PEAK_LEVEL))
        return np.stack([xs, ys], 1).astype(np.float32) * STRIDE + (STRIDE - 1) / 2

    def recognize(self, lineart: LineArt) -> list[Instance]:
        full = lineart.shape
        pred = self.predict(lineart.ink)
        centres = self._peaks(pred["centre_map"])
        n_regions = lineart.n_regions + 1

        # Vote grid: region ids sampled at a manageable size, network outputs resampled onto it.
        gh, gw = _fit(full, min(VOTE_SIDE, max(full)))
        gy = np.minimum((np.arange(gh) + 0.5) * full[0] / gh, full[0] - 1).astype(np.intp)
        gx = np.minimum((np.arange(gw) + 0.5) * full[1] / gw, full[1] - 1).astype(np.intp)
        region = lineart.regions[np.ix_(gy, gx)].ravel()
        sem = np.stack([_resize(c, (gh, gw)) for c in pred["semantic"]]).reshape(len(self.classes), -1)
        parts = np.stack([_resize(c, (gh, gw)) for c in pred["parts"]]).reshape(len(self.parts), -1)
        count = np.bincount(region, minlength=n_regions).astype(np.float64)
        sem_sum = np.stack([np.bincount(region, c, n_regions) for c in sem])  # (C, R)
        part_sum = np.stack([np.bincount(region, c, n_regions) for c in parts])

        seen = count > 0
        seen[0] = True
        if not seen.all():  # regions too small for the grid: read the outputs at their centroid
            missing = np.flatnonzero(~seen)
            cy, cx = _centroids(lineart, missing)
            iy = np.clip((cy * gh / full[0]).astype(np.intp), 0, gh - 1)
            ix = np.clip((cx * gw / full[1]).astype(np.intp), 0, gw - 1)
            flat = iy * gw + ix
            sem_sum[:, missing] = sem[:, flat]
            part_sum[:, missing] = parts[:, flat]
            count[missing] = 1
        denom = np.maximum(count, 1)
        sem_mean = sem_sum / denom
        part_mean = part_sum / denom

        # Which object each region belongs to: the centre most of its pixels point at.
        if len(centres) == 0:
            return []
        pointed = pred["centre_of"].reshape(2, -1).T  # (h*w, 2) at the network's scale
        nearest = np.empty(len(pointed), np.int32)
        for a in range(0, len(pointed), 1 << 16):  # chunks keep the distance matrix small
            chunk = pointed[a : a + (1 << 16)]
            nearest[a : a + len(chunk)] = ((chunk[:, None] - centres[None]) ** 2).sum(-1).argmin(1)
        net_shape = pred["semantic"].shape[1:]
        nearest = cv2.resize(nearest.reshape(net_shape), (gw, gh), interpolation=cv2.INTER_NEAREST).ravel()
        votes = np.bincount(region * len(centres) + nearest, minlength=n_regions * len(centres))
        votes = votes.reshape(n_regions, len(centres))
        owner = votes.argmax(1)
        if not seen.all():
            sy, sx = net_shape[0] / full[0], net_shape[1] / full[1]
            dm = (cx[:, None] * sx - centres[None, :, 0]) ** 2 + (cy[:, None] * sy - centres[None, :, 1]) ** 2
            owner[missing] = dm.argmin(1)

        is_object = sem_mean[0] < PAPER_SHARE
        is_object[0] = False
        weights = sem_mean[1:] * lineart.areas[None].astype(np.float64)  # area-weighted class evidence
        instances = []
        lut = np.full(n_regions, -1, np.int32)
        groups = []
        for i in range(len(centres)):
            ids = np.flatnonzero(is_object & (owner == i))
            area = lineart.areas[ids].sum()
            if len(ids) == 0 or area < MIN_AREA * full[0] * full[1]:
                continue
            evidence = weights[:, ids].sum(1)
            c = int(evidence.argmax()) + 1
            score = float(evidence[c - 1] / max(area, 1))
            lut[ids] = len(groups)
            groups.append((ids, self.classes[c], score))
        inst_map = lut[lineart.regions]
        for g, (ids, category, score) in enumerate(groups):
            mask = inst_map == g
            instances.append(
                Instance(category, mask, score, self._parts(category, ids, part_mean, lineart, mask))
            )
        return instances

    def _parts(
        self, category: str, ids: np.ndarray, part_mean: np.ndarray, lineart: LineArt, mask: np.ndarray
    ) -> dict[str, np.ndarray]:
        names = PARTS.get(category)
        if not names:
            return {}
        rows = [self.parts.index(p) for p in names]
        choice = part_mean[rows][:, ids].argmax(0)
        lut = np.full(lineart.n_regions + 1, -1, np.int32)
        lut[ids] = choice
        labels = np.where(mask, lut[lineart.regions], -1)
        return {p: labels == j for j, p in enumerate(names) if (choice == j).any()}


def _centroids(lineart: LineArt, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centroids (y, x) of the given regions, from one pass over the canvas."""
    lut = np.full(lineart.n_regions + 1, -1, np.intp)
    lut[ids] = np.arange(len(ids))
    sel = lut[lineart.regions]
    ys, xs = np.nonzero(sel >= 0)
    which = sel[ys, xs]
    n = np.maximum(np.bincount(which, minlength=len(ids)), 1)
    return np.bincount(which, ys, len(ids)) / n, np.bincount(which, xs, len(ids)) / n
