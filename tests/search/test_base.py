"""`SearchHit`: the payload stays JSON, and the API's list item is that JSON plus `highlight`."""

from __future__ import annotations

import json

import pytest

from kb.search.base import SearchHit


@pytest.mark.parametrize(
    ("payload", "highlight"),
    [
        ({"slug": "kies", "title": "KIES — Kinderen In Echtscheiding Situatie"}, None),
        ({"slug": "a", "summary": 'Zegt "nee" & <b>'}, 'Zegt "<mark>nee</mark>" &amp;'),
        ({}, "x"),
    ],
)
def test_item_json_is_the_payload_with_its_highlight(
    payload: dict[str, str], highlight: str | None
) -> None:
    hit = SearchHit.from_payload("a", 1.0, payload, highlight)
    assert json.loads(hit.item_json()) == {**payload, "highlight": highlight}
    assert list(json.loads(hit.item_json()))[-1] == "highlight"
    assert hit.payload == payload


def test_payload_written_by_json_dumps_reads_the_same() -> None:
    payload = {"slug": "coördinatie", "flags": ["schadelijk"], "age_min": None}
    raw = json.dumps(payload, ensure_ascii=False).encode()
    hit = SearchHit("coördinatie", 0.0, raw)
    assert hit.payload == payload
    assert json.loads(hit.item_json()) == {**payload, "highlight": None}
