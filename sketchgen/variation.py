"""A real doodle drawn again a little differently: new drawings from the few thousand we hold.

Why: the object classifier's held-out accuracy stopped rising with longer training while its loss
kept falling, the sign of a model learning the ~4,600 training doodles rather than the objects.
People draw the same object with other proportions, a stroke more or less, and parts placed a little
apart; these are the variations applied here, all small enough that the drawing stays what it was:

- the whole drawing stretched (aspect up to +-20%), sheared (up to 0.15) and turned (up to 10 deg);
- a smooth wobble of every point (two low-frequency waves, up to 3% of the drawing's size);
- each stroke moved (up to 3%) and turned about its own centre (up to 6 deg);
- short strokes dropped (each with chance 0.15, only when the drawing has 4 or more, never the
  longest one, and at least 75% of the ink kept).

Used by training only (training/object_crops.py); held-out doodles are always shown as drawn.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .doodles import Doodle

BOX = 255.0  # doodles live in a 0-255 box


def _length(stroke: np.ndarray) -> float:
    return float(np.linalg.norm(np.diff(stroke, axis=0), axis=1).sum()) if len(stroke) > 1 else 0.0


def _kept(strokes: list[np.ndarray], rng: np.random.Generator) -> list[int]:
    """Indices of the strokes kept: some short ones dropped; the longest and 75% of the ink stay."""
    everything = list(range(len(strokes)))
    if len(strokes) < 4:
        return everything
    lengths = np.array([_length(s) for s in strokes])
    drop = rng.random(len(strokes)) < 0.15
    drop[int(lengths.argmax())] = False
    if lengths[~drop].sum() < 0.75 * lengths.sum():
        return everything
    return [i for i in everything if not drop[i]]


def _turn(degrees: float) -> np.ndarray:
    a = np.deg2rad(degrees)
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def varied(doodle: Doodle, rng: np.random.Generator) -> Doodle:
    """The doodle with new proportions, wobble, stroke placement and perhaps fewer strokes.

    Part labels (a PartDoodle's stroke_parts) follow their strokes; dropped strokes drop their label.
    """
    order = _kept(doodle.strokes, rng)
    centre = np.full(2, BOX / 2)
    aspect = np.exp(rng.uniform(-0.18, 0.18))
    shear = rng.uniform(-0.15, 0.15)
    whole = _turn(rng.uniform(-10, 10)) @ np.array([[aspect, shear], [0.0, 1 / aspect]])
    freq = rng.uniform(0.5, 2.0, 2) * 2 * np.pi / BOX
    phase = rng.uniform(0, 2 * np.pi, 2)
    amp = rng.uniform(0, 0.03 * BOX, 2)
    strokes = []
    for i in order:
        s = doodle.strokes[i]
        c = s.mean(0)
        s = (s - c) @ _turn(rng.uniform(-6, 6)).T + c + rng.uniform(-0.03, 0.03, 2) * BOX
        wobble = np.stack(
            [
                amp[0] * np.sin(s[:, 1] * freq[0] + phase[0]),
                amp[1] * np.sin(s[:, 0] * freq[1] + phase[1]),
            ],
            1,
        )
        strokes.append((s + wobble - centre) @ whole.T + centre)
    # Back into the 0-255 box, where silhouettes are found.
    allp = np.concatenate(strokes)
    lo, k = allp.min(0), BOX / max(float(np.ptp(allp, 0).max()), 1e-6)
    changed = replace(doodle, strokes=[(s - lo) * k for s in strokes])
    parts = getattr(doodle, "stroke_parts", None)
    if parts:
        changed = replace(changed, stroke_parts=[parts[i] for i in order])
    return changed
