"""The audited-read benchmark's targets and summary lines (bench/audited.py); no timing."""

from __future__ import annotations

from typing import Any

import pytest
from bench.audited import AUDITED_TARGETS, audited_read_lines, audited_target_rows
from bench.run import evaluate_targets


def _part(rps: float, p99: float, errors: int, rows: int = 100) -> dict[str, Any]:
    return {
        "workers": 2,
        "wrk": {"requests_per_s": rps, "latency_ms": {"p50": 9.0, "p99": p99},
                "non_2xx_or_errors": errors, "errors": {}, "requests": 100, "counted": rows},
        "me_wrk": {"requests_per_s": rps * 2},
        "read_vs_me": 0.5,
        "analysis_read_rows": 120,
        "every_read_audited": rows >= 100,
        "audit_verify": {"exit_code": 0},
    }  # fmt: skip


@pytest.mark.parametrize(
    ("postgres", "sqlite", "met"),
    [
        pytest.param(_part(600, 40, 0), _part(300, 30, 0), [True] * 6, id="all-met"),
        pytest.param(
            _part(200, 70, 0, rows=97),
            _part(300, 30, 3, rows=101),
            [False, False, True, False, False, True],
            id="slow-and-three-reads-unaudited",
        ),
    ],
)
def test_audited_targets_are_evaluated(
    postgres: dict[str, Any], sqlite: dict[str, Any], met: list[bool]
) -> None:
    report = {"sizes": {}, "audited_read": {"postgres": postgres, "sqlite": sqlite}}
    rows = evaluate_targets(report)
    audited = [r for r in rows if r["target"].startswith("audited analysis read")]
    assert [r["met"] for r in audited] == met
    assert audited[0]["goal"] == f"≥ {AUDITED_TARGETS['postgres_rps']:g}"


def test_audited_targets_not_measured_without_the_phase() -> None:
    assert [m for *_, m in audited_target_rows({"sizes": {}})] == [None] * 6


def test_audited_summary_names_both_databases_and_a_skip() -> None:
    lines = audited_read_lines({"postgres": {"skipped": "no server"}, "sqlite": _part(300, 30, 0)})
    assert "postgres: skipped — no server" in lines[1]
    assert "sqlite, 2 worker(s): 300 req/s" in lines[2]
    assert "read ÷ me 0.5" in lines[2]
    assert "100 analysis.read rows for 100 measured reads (each audited: True)" in lines[2]
