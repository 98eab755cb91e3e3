"""The metrics as Prometheus scrapes them from `kb serve --workers 2`: parsed with the
Prometheus text parser, summed over the workers, routes named by template."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kb.interventions.loader import load_entries
from tests.browser.live import free_port, running_app
from tests.helpers import FIXTURE_CONTENT

pytestmark = pytest.mark.served


def _get(url: str, body: dict[str, str] | None = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _samples(url: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def _scraped_until_counted(
    url: str, answered: int
) -> dict[str, list[tuple[dict[str, str], float]]]:
    """The metrics, once they count at least `answered` requests besides the readiness checks
    (each worker writes its own file; a few seconds at most on a loaded machine)."""
    deadline = time.monotonic() + 10
    while True:
        samples = _samples(url)
        requests = samples.get("kb_http_requests_total", [])
        counted = sum(v for labels, v in requests if labels["route"] != "/api/v1/health")
        if counted >= answered or time.monotonic() > deadline:
            return samples
        time.sleep(0.1)


def _value(samples: list[tuple[dict[str, str], float]], **labels: str) -> float:
    return sum(v for have, v in samples if all(have.get(k) == w for k, w in labels.items()))


def test_metrics_of_every_worker_scraped_and_parsed(tmp_path: Path) -> None:
    port = free_port()
    settings = {"KB_METRICS_PORT": str(port)}
    with running_app(tmp_path, workers=2, content_dir=FIXTURE_CONTENT, env=settings) as url:
        for _ in range(12):  # each on a new connection: both workers answer some
            assert _get(f"{url}/api/v1/interventions?q=groep") == 200
        for slug in ("alpha-groep", "beta-bemiddeling", "gamma-pilot"):
            assert _get(f"{url}/interventies/{slug}") == 200
        wrong = {"username": "rechter", "password": "niet-het-wachtwoord"}
        assert _get(f"{url}/api/v1/auth/token", wrong) == 401
        assert _get(f"{url}/api/v1/auth/token", wrong) == 401
        samples = _scraped_until_counted(f"http://127.0.0.1:{port}/metrics", 12 + 3 + 2)

    requests = samples["kb_http_requests_total"]
    search = {"method": "GET", "route": "/api/v1/interventions", "status": "200"}
    assert _value(requests, **search) == 12
    assert _value(requests, route="/interventies/{slug}", status="200") == 3
    assert _value(requests, route="/api/v1/auth/token", status="401") == 2
    assert all("alpha" not in labels["route"] for labels, _ in requests)  # templates, not paths
    latency = samples["kb_http_request_duration_seconds_count"]
    assert _value(latency, method="GET", route="/api/v1/interventions") == 12
    assert _value(samples["kb_search_duration_seconds_count"], engine="embedded") >= 12
    assert _value(samples["kb_sign_in_failures_total"], reason="credentials") == 2
    assert _value(samples["kb_audit_append_duration_seconds_count"]) >= 2  # each failure audited

    entries = load_entries(FIXTURE_CONTENT)
    assert _value(samples["kb_state_up"]) == 1
    assert _value(samples["kb_index_entries"]) == len(entries)
    due = sum(1 for entry in entries if entry.next_review < dt.date.today())
    assert _value(samples["kb_entries_due_for_review"]) == due
    assert _value(samples["kb_index_size_bytes"]) > 0
    (generation,) = samples["kb_index_generation_info"]
    assert generation[0]["generation"].startswith("gen-")
    built = _value(samples["kb_index_built_timestamp_seconds"])
    assert abs(built - dt.datetime.now().timestamp()) < 3600
