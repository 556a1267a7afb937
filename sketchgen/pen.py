"""A hand-drawn pen: turns clean polylines into strokes that look drawn by a person.

Why each effect: real scene sketches (SketchyScene) have lines that wander slightly (jitter), change
width along the stroke, leave small gaps where an outline does not quite close, and overshoot where
it closes twice. A recogniser trained on perfect geometry would learn none of that variety.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SHIFT = 4  # cv2 fixed-point bits: sub-pixel stroke positions
ONE = 1 << SHIFT


@dataclass
class PenStyle:
    """One drawer's hand, chosen per scene (so a scene's strokes look alike, as in real sketches)."""

    width: float  # mean stroke width in canvas pixels
    width_jitter: float  # relative width change between stroke chunks
    jitter: float  # smooth wander amplitude, pixels
    gap_prob: float  # chance that a closed outline leaves a small gap
    overshoot_prob: float  # chance that a closed outline runs past its start

    @staticmethod
    def random(rng: np.random.Generator, scale: float = 1.0) -> PenStyle:
        return PenStyle(
            width=rng.uniform(1.4, 4.2) * scale,
            width_jitter=rng.uniform(0.0, 0.35),
            jitter=rng.uniform(0.2, 1.4) * scale,
            gap_prob=rng.uniform(0.0, 0.25),
            overshoot_prob=rng.uniform(0.0, 0.4),
        )


def resample(points: np.ndarray, step: float, closed: bool) -> np.ndarray:
    """Points every `step` pixels along the polyline, so jitter is independent of how it was built."""
    pts = np.vstack([points, points[:1]]) if closed else points
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    s = np.concatenate([[0], np.cumsum(seg)])
    if s[-1] < 1e-6:
        return pts[:1]
    t = np.linspace(0, s[-1], max(2, int(s[-1] / step) + 1))
    return np.stack([np.interp(t, s, pts[:, 0]), np.interp(t, s, pts[:, 1])], 1)


def _smooth_noise(rng: np.random.Generator, n: int, amp: float) -> np.ndarray:
    k = 9
    noise = rng.normal(0, 1, (n + 2 * k, 2))
    kernel = np.hanning(k + 2)[1:-1]
    kernel /= kernel.sum()
    sm = np.stack([np.convolve(noise[:, i], kernel, "same") for i in range(2)], 1)[k:-k]
    return sm / (sm.std() + 1e-9) * amp


def hand_drawn(
    points: np.ndarray, closed: bool, style: PenStyle, rng: np.random.Generator
) -> list[np.ndarray]:
    """The polylines a person would draw for this shape (usually one, two when a gap splits it)."""
    pts = resample(points, max(1.0, style.width), closed)
    n = len(pts)
    if n < 2:
        return [pts]
    if closed and rng.random() < style.overshoot_prob:
        extra = max(1, int(n * rng.uniform(0.02, 0.08)))
        pts = np.vstack([pts, pts[1 : 1 + extra] + rng.normal(0, style.width * 0.6, 2)])
    pts = pts + _smooth_noise(rng, len(pts), style.jitter)
    if closed and n > 12 and rng.random() < style.gap_prob:
        gap = max(1, int(rng.uniform(1.0, 3.0) * style.width / max(1.0, style.width)))
        start = int(rng.integers(0, len(pts) - gap))
        parts = [pts[:start], pts[start + gap + 1 :]]
        return [p for p in parts if len(p) >= 2]
    return [pts]


def draw(canvas: np.ndarray, strokes: list[np.ndarray], style: PenStyle, rng: np.random.Generator) -> None:
    """Draw the strokes into a uint8 canvas (255 = ink), width varying chunk by chunk."""
    for pts in strokes:
        n = len(pts)
        chunk = int(rng.integers(6, 14))
        fixed = np.round(pts * ONE).astype(np.int32)
        for i in range(0, n - 1, chunk):
            w = style.width * (1 + style.width_jitter * rng.uniform(-1, 1))
            seg = fixed[i : i + chunk + 1]
            cv2.polylines(canvas, [seg], False, 255, max(1, int(round(w))), cv2.LINE_AA, SHIFT)
