"""The learned recogniser: SceneNet's dense predictions decided region by region.

The network sees the sketch at a fixed size (INPUT_SIDE on the long side) whatever the canvas, so its
cost does not grow with print-size canvases. Its outputs are then read through the line-art regions
at full resolution: every closed area takes one category, one object and one part, decided by the
votes of its pixels. That is what makes fills clean: a region is never half car, half paper.

Objects are found as peaks of the centre heat map; every pixel votes for the centre its predicted
offset points to, so two touching trees end up as two objects even though every pixel says "tree".

Some objects enclose nothing: a grass tuft is a fan of open blades on the ground, its "inside" is part
of the big ground region. Such an object is read from pixels instead: paper-region pixels the network
calls an object, grouped by the centre they point at. They are only taken for an object that is
mostly made of them, so a closed object does not grow a blurry halo over its outline, and they are
narrowed to the strokes and the paper the strokes hold (open_strokes.py), so a tuft is not a halo.
A tuft may also be drawn over another object's region (grass on a road): cells of that region that
call another category and point at another centre join it too, but only its strokes and what they
enclose are cut out of the region under it; the rest goes back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from backend.categories import PARTS
from backend.lineart import LineArt

from .device import device as pick_device
from .instance import Instance
from .network import OFFSET_UNIT, STRIDE, load
from .open_strokes import close_radius, enclosed_by_strokes
from .torch_thread import on_torch_thread

CODE_VERSION = "6"  # bump when the decoding below changes, so cached analyses are recomputed
DEFAULT_WEIGHTS = Path(__file__).resolve().parents[2] / "weights" / "scene_model.safetensors"


@dataclass(frozen=True)
class Decoding:
    """How the network's dense outputs become objects: the decoder's thresholds, in one place.

    Given to the recogniser's constructor so an evaluation can sweep them without touching module
    state; they are part of the recogniser's version, so cached analyses follow a change.
    """

    vote_side: int = 1024  # region votes are counted on a grid at most this large (long side)
    peak_level: float = 0.15  # centre heat above this (of 1) is an object centre
    peak_window: int = 5  # cells: two centres closer than this are one object
    paper_share: float = 0.5  # a region whose mean paper probability exceeds this is empty paper
    # Objects smaller than this share of the canvas are specks: on 30 generated training-seed scenes,
    # 1 of the 13 predictions below it was a real object, against 76% of those above 2e-3.
    min_area: float = 1e-3
    loose_level: float = 0.5  # a paper-region pixel is part of an open-stroke object above this
    # The sketch is also seen shrunk by these factors (centred on blank paper), and the category and
    # part probabilities of all views are averaged: a drawing that fills the page then also appears
    # at the sizes scene objects have in training. Objects are still separated at full size.
    context_zoom: tuple[float, ...] = (2.0,)


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=6).hexdigest()


def _resize(a: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    shrink = h * w < a.shape[0] * a.shape[1]
    return cv2.resize(a, (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def _shrunk(small: np.ndarray, zoom: float) -> np.ndarray:
    """The image shrunk by `zoom` in the middle of blank paper of its own size."""
    h, w = small.shape
    sh, sw = max(1, round(h / zoom)), max(1, round(w / zoom))
    out = np.zeros_like(small)
    y, x = (h - sh) // 2, (w - sw) // 2
    out[y : y + sh, x : x + sw] = _resize(small, (sh, sw))
    return out


def _unshrunk(maps: np.ndarray, zoom: float, shape: tuple[int, int]) -> np.ndarray:
    """(C, h, w) outputs of a shrunk view, cut back to the image and resized onto its grid."""
    h, w = shape
    sh, sw = max(1, round(h / zoom)), max(1, round(w / zoom))
    y, x = (h - sh) // 2, (w - sw) // 2
    return np.stack([_resize(np.ascontiguousarray(m[y : y + sh, x : x + sw]), (h, w)) for m in maps])


def _fit(shape: tuple[int, int], side: int) -> tuple[int, int]:
    h, w = shape
    k = side / max(h, w)
    return max(1, round(h * k)), max(1, round(w * k))


class LearnedRecognizer:
    name = "scene-net"

    def __init__(
        self, weights: Path = DEFAULT_WEIGHTS, device: str | None = None, decoding: Decoding = Decoding()
    ) -> None:
        self.device = device or pick_device()
        self.decoding = decoding
        self.net, self.config = load(weights, self.device)
        self.classes: list[str] = self.config["classes"]
        self.parts: list[str] = self.config["parts"]
        self.input_side = int(self.config["input_size"])
        digest = _digest(Path(weights).read_bytes())
        self.version = f"scene-net-{CODE_VERSION}-{digest}-{_digest(repr(decoding).encode())}"

    def predict(self, ink: np.ndarray) -> dict[str, np.ndarray]:
        """Network outputs for a full-size ink map, at the network's scale (long side = input_side).

        Returns semantic and part probabilities (C, h, w), the centre heat (h, w) and each pixel's
        predicted centre (2, h, w) as (x, y) at that scale.
        """
        h, w = _fit(ink.shape, self.input_side)
        small = _resize(ink.astype(np.float32), (h, w))
        pred = on_torch_thread(self._predict, small)
        for zoom in self.decoding.context_zoom:
            view = on_torch_thread(self._predict, _shrunk(small, zoom))
            for key in ("semantic", "parts"):
                pred[key] += _unshrunk(view[key], zoom, (h, w))
        views = 1 + len(self.decoding.context_zoom)
        pred["semantic"] /= views
        pred["parts"] /= views
        return pred

    @torch.inference_mode()
    def _predict(self, small: np.ndarray) -> dict[str, np.ndarray]:
        h, w = small.shape
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
        local_max = cv2.dilate(heat, np.ones((self.decoding.peak_window,) * 2, np.uint8))
        ys, xs = np.nonzero((heat >= local_max) & (heat > self.decoding.peak_level))
        return np.stack([xs, ys], 1).astype(np.float32) * STRIDE + (STRIDE - 1) / 2

    def _take_open_strokes(
        self,
        lineart: LineArt,
        inst_map: np.ndarray,
        open_group: np.ndarray,
        loose: np.ndarray,
        over: np.ndarray,
        nearest: np.ndarray,
        is_object: np.ndarray,
        grid: tuple[int, int],
    ) -> None:
        """Give each open-stroke object (in place, in `inst_map`) its strokes and the paper they hold:
        its loose cells on free paper or over another object's region, narrowed by _tightened; what
        it does not keep goes back to where it was (paper, or the object under it)."""
        full = lineart.shape
        owner_cell = np.where(loose, nearest + 1, 0).astype(np.int32).reshape(grid)
        owner_full = cv2.resize(owner_cell, (full[1], full[0]), interpolation=cv2.INTER_NEAREST)
        loose_full = open_group[owner_full]
        over_full = cv2.resize(over.reshape(grid).astype(np.uint8), (full[1], full[0]), cv2.INTER_NEAREST) > 0
        taken = (loose_full >= 0) & (((inst_map < 0) & ~is_object[lineart.regions]) | over_full)
        before = inst_map.copy()
        inst_map[taken] = loose_full[taken]
        radius = close_radius(full)
        for g, box in enumerate(ndimage.find_objects(inst_map + 1, int(open_group.max()) + 1)):
            if box is None or g not in open_group:
                continue
            crop = inst_map[box] == g
            kept = _tightened(crop, taken[box], over_full[box], lineart.lines[box], radius)
            back = crop & ~kept
            inst_map[box][back] = before[box][back]

    def recognize(self, lineart: LineArt) -> list[Instance]:
        full = lineart.shape
        pred = self.predict(lineart.ink)
        centres = self._peaks(pred["centre_map"])
        n_regions = lineart.n_regions + 1

        # Vote grid: region ids sampled at a manageable size, network outputs resampled onto it.
        gh, gw = _fit(full, min(self.decoding.vote_side, max(full)))
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

        is_object = sem_mean[0] < self.decoding.paper_share
        is_object[0] = False
        # Open-stroke objects: pixels of paper regions that the network still calls an object, and
        # pixels of an object's region that it calls another category and points at another centre
        # (a grass tuft drawn over the road: its blades enclose nothing, the road's region holds it).
        level = self.decoding.loose_level
        cell_cat = sem[1:].argmax(0) + 1
        region_cat = sem_mean[1:].argmax(0) + 1
        over = (
            is_object[region]
            & (cell_cat != region_cat[region])
            & (sem[1:].max(0) > level)
            & (nearest != owner[region])
        )
        loose = (~is_object[region] & (sem[0] < 1 - level)) | over
        loose_of = np.bincount(nearest[loose], minlength=len(centres))
        loose_sem = np.stack([np.bincount(nearest[loose], c[loose], len(centres)) for c in sem[1:]])
        cell = full[0] * full[1] / (gh * gw)  # canvas pixels per grid cell
        weights = sem_mean[1:] * lineart.areas[None].astype(np.float64)  # area-weighted class evidence
        lut = np.full(n_regions, -1, np.int32)
        groups = []
        for i in range(len(centres)):
            ids = np.flatnonzero(is_object & (owner == i))
            area = float(lineart.areas[ids].sum())
            evidence = weights[:, ids].sum(1)
            open_stroke = loose_of[i] * cell > area
            if open_stroke:
                area += loose_of[i] * cell
                evidence = evidence + loose_sem[:, i] * cell
            if area < self.decoding.min_area * full[0] * full[1]:
                continue
            c = int(evidence.argmax()) + 1
            score = float(evidence[c - 1] / max(area, 1))
            lut[ids] = len(groups)
            groups.append(
                (ids, self.classes[c], score, i if open_stroke else -1, evidence / max(evidence.sum(), 1e-12))
            )
        if not groups:
            return []
        inst_map = lut[lineart.regions]
        open_group = np.full(len(centres) + 1, -1, np.int32)  # centre (+1) -> its open-stroke group
        for g, (_, _, _, centre, _) in enumerate(groups):
            if centre >= 0:
                open_group[centre + 1] = g
        if (open_group >= 0).any():
            self._take_open_strokes(lineart, inst_map, open_group, loose, over, nearest, is_object, (gh, gw))
        # Parts: each region of an object takes the most voted of its category's parts.
        part_lut = np.full(n_regions, -1, np.int32)
        for ids, category, _, _, _ in groups:
            names = PARTS.get(category)
            if names and len(ids):
                rows = [self.parts.index(p) for p in names]
                part_lut[ids] = part_mean[rows][:, ids].argmax(0)
        instances = []
        for g, box in enumerate(ndimage.find_objects(inst_map + 1, len(groups))):
            if box is None:
                continue
            _, category, score, _, beliefs = groups[g]
            crop = inst_map[box] == g
            labels = np.where(crop, part_lut[lineart.regions[box]], -1)
            masks = {p: labels == j for j, p in enumerate(PARTS.get(category, []))}
            parts = {p: m for p, m in masks.items() if m.any()}
            inst = Instance.from_crop(category, full, box, crop, score, parts)
            inst.beliefs = dict(zip(self.classes[1:], beliefs.tolist(), strict=True))
            instances.append(inst)
        return instances


def _tightened(
    crop: np.ndarray, taken: np.ndarray, over: np.ndarray, lines: np.ndarray, radius: int
) -> np.ndarray:
    """An open-stroke object's taken pixels (grid cells around its strokes, read at the network's
    resolution) narrowed to its strokes and the paper they enclose (open_strokes.py); its closed
    regions stay as they are. Where the strokes enclose no paper (a "v" bird), the cells on paper
    stay, so the colour shows, but none are cut out of another object's region (`over`)."""
    loose = crop & taken
    shape = enclosed_by_strokes(lines & loose, radius)
    if shape is None:
        return crop & ~(taken & over)
    return (crop & ~taken) | (shape & loose)


def _centroids(lineart: LineArt, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centroids (y, x) of the given regions, from one pass over the canvas."""
    lut = np.full(lineart.n_regions + 1, -1, np.intp)
    lut[ids] = np.arange(len(ids))
    sel = lut[lineart.regions]
    ys, xs = np.nonzero(sel >= 0)
    which = sel[ys, xs]
    n = np.maximum(np.bincount(which, minlength=len(ids)), 1)
    return np.bincount(which, ys, len(ids)) / n, np.bincount(which, xs, len(ids)) / n
