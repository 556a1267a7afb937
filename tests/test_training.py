"""The training library: single drawings at any scale, the loss on a real batch, the schedule."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from backend.understanding.network import OFFSET_UNIT, STRIDE, SceneNet
from sketchgen.doodles import Doodle
from sketchgen.objects import DRAWERS
from sketchgen.real_drawings import PartDoodle, alone
from sketchgen.targets import sample
from sketchgen.variation import varied
from sketchgen.vocabulary import CLASS_INDEX, CLASSES, PART_NAMES
from training.checkpoint import Progress, resume, save_checkpoint
from training.objective import LOSS_WEIGHTS, losses
from training.schedule import lr_factor


def house_doodle() -> Doodle:
    """A box with a roof, as Quick, Draw! strokes in the 0-255 box."""
    box = np.array([[40, 120], [40, 240], [220, 240], [220, 120], [40, 120]], float)
    roof = np.array([[30, 125], [130, 30], [230, 125]], float)
    return Doodle("test-house", "house", [box, roof])


@pytest.mark.parametrize("share", [0.2, 0.6, 1.0, 1.4])
def test_a_drawing_alone_fills_the_share_of_the_canvas_asked(share: float) -> None:
    scene = alone(np.random.default_rng(0), 256, doodle=house_doodle(), share=share, centred=True)
    ys, xs = np.nonzero(scene.instances)
    extent = max(ys.max() - ys.min(), xs.max() - xs.min()) + 1
    assert extent == pytest.approx(min(share, 1.0) * 256, rel=0.15)
    assert set(np.unique(scene.semantic[scene.instances > 0])) == {CLASS_INDEX["house"]}
    assert scene.ink.max() > 64 and (scene.ink[scene.instances == 0] > 64).mean() < 0.01, "ink on the object"


def test_a_drawers_drawing_alone_is_one_object_of_its_category() -> None:
    rng = np.random.default_rng(3)
    scene = alone(rng, 256, drawing=DRAWERS["chicken"](rng), share=0.8, centred=True)
    assert scene.categories == ["chicken"]
    assert (scene.instances > 0).mean() > 0.1 and scene.ink[scene.instances > 0].max() > 64


def _length(strokes: list[np.ndarray]) -> float:
    return sum(float(np.linalg.norm(np.diff(s, axis=0), axis=1).sum()) for s in strokes)


def test_a_varied_doodle_is_a_different_drawing_of_the_same_thing() -> None:
    """New proportions and placement, inside the 0-255 box, most of the ink kept, labels kept along."""
    square = np.array([[60, 60], [60, 200], [200, 200], [200, 60], [60, 60]], float)
    ticks = [np.array([[100 + 10 * i, 120], [100 + 10 * i, 140]], float) for i in range(6)]
    doodle = PartDoodle("test", "car", [square, *ticks], ["body"] + ["windows"] * 6)
    rng = np.random.default_rng(0)
    seen = [varied(doodle, rng) for _ in range(40)]
    for v in seen:
        pts = np.concatenate(v.strokes)
        assert pts.min() >= -1e-6 and pts.max() <= 255 + 1e-6 and np.ptp(pts, 0).max() > 254
        assert len(v.stroke_parts) == len(v.strokes) and v.stroke_parts[0] == "body", "the longest stays"
        # ink per drawing size (the square spans 140, a varied drawing 255): 75% kept, less stretching
        assert _length(v.strokes) / 255 >= 0.75 * 0.8 * _length(doodle.strokes) / 140
        assert v.category == "car"
    assert any(len(v.strokes) < 7 for v in seen), "strokes are sometimes dropped"
    aspects = [np.ptp(v.strokes[0], 0)[0] / np.ptp(v.strokes[0], 0)[1] for v in seen]
    assert np.std(aspects) > 0.05, "proportions change"


def test_the_loss_on_a_single_drawing_batch_trains() -> None:
    """A few steps on one batch lower the loss: labels, points and targets fit the network's outputs."""
    rng = np.random.default_rng(1)
    items = [
        sample(alone(rng, 128, doodle=house_doodle()), rng, 128, stride=STRIDE, offset_unit=OFFSET_UNIT)
        for _ in range(2)
    ]
    batch = {
        k: torch.from_numpy(np.stack([getattr(s, k) for s in items])) for k in items[0].__dataclass_fields__
    }
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny net: one thread, no spinning against a busy CPU
    net = SceneNet(len(CLASSES), len(PART_NAMES), (8, 8, 16, 16), 16, 16)
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3)

    def total() -> torch.Tensor:
        return sum(LOSS_WEIGHTS[k] * v for k, v in losses(net(batch["ink"]), batch, 128).items())

    try:
        first = float(total())
        for _ in range(15):
            opt.zero_grad()
            loss = total()
            loss.backward()
            opt.step()
        assert float(total()) < 0.7 * first
    finally:
        torch.set_num_threads(threads)


def test_the_schedule_warms_up_then_anneals_to_zero() -> None:
    assert lr_factor(0.0) == pytest.approx(0.05)
    assert lr_factor(0.03) == pytest.approx(1.0)
    assert lr_factor(0.5) < lr_factor(0.2) < 1.0
    assert lr_factor(1.0) == pytest.approx(0.0, abs=1e-9) and lr_factor(1.2) == pytest.approx(0.0, abs=1e-9)


def test_a_checkpoint_resumes_model_optimiser_scheduler_and_progress(tmp_path) -> None:  # noqa: ANN001
    def fresh() -> tuple:
        net = torch.nn.Linear(3, 2)
        opt = torch.optim.AdamW(net.parameters(), lr=0.1)
        return net, opt, torch.optim.lr_scheduler.StepLR(opt, 1, 0.5)

    net, opt, sched = fresh()
    net(torch.ones(4, 3)).sum().backward()
    opt.step()
    sched.step()
    path = tmp_path / "run" / "checkpoint.pt"
    assert resume(path, *fresh()) is None
    save_checkpoint(path, net, opt, Progress(7, 12.5, [{"step": 7}]), sched)
    assert not path.with_suffix(".tmp").exists()
    net2, opt2, sched2 = fresh()
    progress = resume(path, net2, opt2, sched2)
    assert progress == Progress(7, 12.5, [{"step": 7}])
    assert torch.equal(net2.weight, net.weight)
    assert opt2.state_dict()["state"][0]["exp_avg"].equal(opt.state_dict()["state"][0]["exp_avg"])
    assert sched2.get_last_lr() == sched.get_last_lr() == [0.05]
