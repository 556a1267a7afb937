"""The HTTP API fuzzed from its own OpenAPI schema, against a real `python -m backend serve` process.

Schemathesis generates valid and invalid requests for every operation in /openapi.json; each answer
must be no 5xx and must match the schema the server publishes (status code, content type, body).
Random base64 never decodes to a drawing, so a second test sends real small sketches with generated
instructions, which reaches the parser, grounding and colouring behind /v2/colorize.
"""

from __future__ import annotations

import base64

import cv2
import httpx
import numpy as np
import pytest
import schemathesis
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

from backend.categories import BACKGROUND, FOREGROUND, PARTS
from backend.service.images import encode_png

# Bounded so that the file runs in well under a minute on 2 cores; no example database kept.
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_by_its_schema(backend_url: str, mode: GenerationMode) -> None:
    """Valid and invalid requests for every operation of /openapi.json, each answer checked against it.

    The operations are walked here rather than through schemathesis' pytest loader, whose lazy
    fixture reads a pytest internal (`_nodeid`) that pytest 9 no longer has.
    """
    schema = schemathesis.openapi.from_url(f"{backend_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v2/colorize", "/v2/parse", "/v2/health", "/v2/vocabulary"}
    for operation in operations:
        if mode == GenerationMode.NEGATIVE and operation.method.upper() != "POST":
            continue  # nothing of a GET without parameters can break its schema

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(FUZZ, max_examples=40)
        def check(case: schemathesis.Case) -> None:
            # positive_data_acceptance is left out on purpose: a schema-valid request may still carry
            # an instruction that is not English (422 not_understood) or base64 that is no image
            # (400), and those answers are part of the published contract (checked by the others).
            case.call_and_validate(timeout=60, excluded_checks=[schemathesis.checks.positive_data_acceptance])

        check()


def _sketch() -> str:
    """A small real line drawing: horizon, a house-like box with a roof, a sun."""
    img = np.full((160, 200), 255, np.uint8)
    cv2.line(img, (0, 110), (199, 110), 0, 2)
    cv2.rectangle(img, (30, 70), (80, 130), 0, 2)
    cv2.line(img, (30, 70), (55, 45), 0, 2)
    cv2.line(img, (55, 45), (80, 70), 0, 2)
    cv2.circle(img, (160, 35), 15, 0, 2)
    rgba = np.dstack([img, img, img, np.full_like(img, 255)])
    return base64.b64encode(encode_png(rgba)).decode()


SKETCH = _sketch()
WORDS = [
    *FOREGROUND,
    *BACKGROUND,
    *(part for parts in PARTS.values() for part in parts),
    *"the a is are and with its it make this all both two 3 0 99999 second 0th".split(),
    *"left right top of on in".split(),
    *"red light blue very dark green #3366ff rgb(1,2,3) blurple , . ; colour".split(),
]
COLOURS = st.sampled_from(["red", "light blue", "very dark green", "#3366ff", "rgb(1, 2, 3)", "blonde"])
SUBJECTS = st.sampled_from(
    [
        "the sky",
        "the ground",
        "it",
        "this",
        "the house",
        "the sun",
        "all the trees",
        "the second car on the left",
    ]
)
# Sentences the parser understands ("the sky is red and it is light blue"), so that requests get
# past parsing into grounding and colouring; word soup and arbitrary text for everything else.
CLAUSE = st.builds("{} is {}".format, SUBJECTS, COLOURS)
SENTENCES = st.lists(CLAUSE, min_size=1, max_size=3).map(" and ".join)
INSTRUCTIONS = st.one_of(
    SENTENCES,
    st.lists(st.sampled_from(WORDS), min_size=0, max_size=14).map(" ".join),
    st.text(max_size=120),
)


@given(instruction=INSTRUCTIONS, with_mask=st.booleans())
@settings(FUZZ, max_examples=60)
def test_colorize_real_sketch_with_generated_instructions(
    backend_url: str, instruction: str, with_mask: bool
) -> None:
    body: dict[str, str] = {"image": SKETCH, "instruction": instruction}
    if with_mask:
        mask = np.zeros((160, 200, 4), np.uint8)
        mask[80:120, 40:70] = 255
        body["mask"] = base64.b64encode(encode_png(mask)).decode()
    res = httpx.post(f"{backend_url}/v2/colorize", json=body, timeout=60)
    assert res.status_code in (200, 404, 422), res.text
    event(f"HTTP {res.status_code}")  # pytest --hypothesis-show-statistics: how many reached colouring
    answer = res.json()
    if res.status_code == 200:
        assert answer["status"] == "ok" and answer["layers"], answer
        for layer in answer["layers"]:
            x, y, w, h = layer["bbox"]
            assert 0 <= x and 0 <= y and x + w <= 200 and y + h <= 160
    else:
        detail = answer["detail"]
        assert set(detail) == {"status", "message"} and detail["status"] in ("not_understood", "no_match")
        assert detail["message"] and "Traceback" not in detail["message"] and len(res.content) < 1000
