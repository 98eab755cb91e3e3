"""Allegations stay allegations (domain.md §9.4): each degree of certainty, in the safety gate's
signals, the curator's reasons, the report's details and what changed, and in the PDF."""

from __future__ import annotations

import copy
import io
import itertools
import re
from typing import Any

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from kb.conflict_analysis.report import advice_changes, body_changes
from kb.conflict_analysis.rules import evaluate, safety_gate
from kb.conflict_analysis.schemas import AnalysisBody, Safety
from tests.conflict_analysis.helpers import API, Raad
from tests.factories import TODAY, build, calm_data

OPINION = "oordeel van de raadsonderzoeker, niet vastgesteld"
CALM_SAFETY = calm_data()["safety"]


def safety(**changes: Any) -> dict[str, Any]:
    return CALM_SAFETY | changes


def veiligheid_reason(body: AnalysisBody) -> str | None:
    reasons = evaluate(body, [], TODAY, "Amsterdam").curator.reasons
    return next((r.text for r in reasons if r.code == "veiligheid"), None)


# Each degree of certainty the form knows, as the safety section records it: the gate's signals
# and the curator's safety reason must word it so, and nothing more certain.
LEVELS = [
    pytest.param(
        safety(partner_violence="vermoeden", violence_forms=["dwingende_controle"]),
        ["Vermoeden van partnergeweld in de vorm van dwingende controle"],
        "De veiligheid van het kind kan in het geding zijn: vermoeden van dwingende controle.",
        id="partner-violence-suspected-with-coercive-control",
    ),
    pytest.param(
        safety(partner_violence="vermoeden"),
        ["Vermoeden van partnergeweld"],
        None,  # a suspicion of violence alone is no strong indicator (domain.md §4.2)
        id="partner-violence-suspected",
    ),
    pytest.param(
        safety(partner_violence="situationeel", violence_forms=["fysiek"]),
        [
            "Partnergeweld getypeerd als situationeel geweld, in de vorm van fysiek geweld "
            f"— {OPINION}"
        ],
        None,
        id="partner-violence-classified-situational",
    ),
    pytest.param(
        safety(partner_violence="dwingende_controle"),
        [f"Partnergeweld getypeerd als dwingende controle (intieme terreur) — {OPINION}"],
        "De veiligheid van het kind kan in het geding zijn: dwingende controle (intieme terreur) "
        f"— {OPINION}.",
        id="coercive-control-classified",
    ),
    pytest.param(
        safety(partner_violence="situationeel", violence_forms=["dwingende_controle"]),
        [
            "Partnergeweld getypeerd als situationeel geweld, in de vorm van dwingende controle "
            f"— {OPINION}"
        ],
        f"De veiligheid van het kind kan in het geding zijn: dwingende controle — {OPINION}.",
        id="coercive-control-as-a-form-of-classified-violence",
    ),
    pytest.param(
        safety(child_abuse="vermoeden"),
        ["Vermoeden van kindermishandeling"],
        "De veiligheid van het kind kan in het geding zijn: vermoeden van kindermishandeling.",
        id="child-abuse-suspected",
    ),
    pytest.param(
        safety(child_abuse="vastgesteld"),
        ["Kindermishandeling is vastgesteld"],
        "De veiligheid van het kind is in het geding: de veiligheidsscreening is acuut; "
        "kindermishandeling is vastgesteld.",
        id="child-abuse-established",
    ),
    pytest.param(
        safety(child_witnessed_violence=True, partner_violence="vermoeden"),
        ["Vermoeden van partnergeweld", "Een kind zou getuige zijn geweest van geweld"],
        "De veiligheid van het kind kan in het geding zijn: een kind zou getuige zijn geweest "
        "van geweld.",
        id="child-witnessed-violence-reported",
    ),
]


@pytest.mark.parametrize(("recorded", "signals", "reason"), LEVELS)
def test_each_degree_of_certainty_is_worded_as_such(
    recorded: dict[str, Any], signals: list[str], reason: str | None
) -> None:
    assert safety_gate(Safety.model_validate(recorded)).signals == signals
    assert veiligheid_reason(build(safety=recorded)) == reason


# Phrases that state violence or abuse as a fact, and the words that keep them allegations.
FACT_PHRASES = re.compile(
    r"partnergeweld|dwingende controle|kindermishandeling|getuige", re.IGNORECASE
)
HEDGES = ("vermoeden van", OPINION, "zou getuige zijn geweest")


def _every_safety() -> list[dict[str, Any]]:
    kinds = ["geen", "vermoeden", "situationeel", "dwingende_controle"]
    combinations = itertools.product(
        kinds, [[], ["dwingende_controle"]], ["geen", "vermoeden"], [False, True]
    )
    return [
        safety(
            partner_violence=pv,
            violence_forms=forms,
            child_abuse=abuse,
            **{"child_witnessed_violence": witnessed},
        )
        for pv, forms, abuse, witnessed in combinations
        if not (pv == "geen" and forms)  # the form refuses forms without violence
    ]


@pytest.mark.parametrize("recorded", _every_safety())
def test_without_anything_established_nothing_reads_as_a_fact(recorded: dict[str, Any]) -> None:
    """Every combination short of established abuse: each clause that names violence or abuse
    carries its hedge, and the child's safety "kan" be at stake, never "is"."""
    body = build(safety=recorded)
    texts = list(safety_gate(body.safety).signals)
    reason = veiligheid_reason(body)
    if reason is not None:
        assert "kan in het geding zijn" in reason and " is in het geding" not in reason
        texts += reason.split(": ", 1)[1].rstrip(".").split("; ")
    for text in texts:
        if FACT_PHRASES.search(text):
            assert any(hedge in text.lower() for hedge in HEDGES), text
        assert "vastgesteld" not in text.replace("niet vastgesteld", ""), text


def test_what_changed_keeps_each_version_at_its_own_certainty() -> None:
    """A suspicion in version 1 that the investigator classified in version 2: both columns
    say how sure they were, in the body and in the advice."""
    suspected = build(
        safety=safety(partner_violence="vermoeden", violence_forms=["dwingende_controle"])
    )
    classified = build(
        safety=safety(partner_violence="dwingende_controle", violence_forms=["dwingende_controle"])
    )
    rows = {c.label: (c.before, c.after) for c in body_changes(suspected, classified, {})}
    assert rows["Veiligheid: partnergeweld"] == (
        "Vermoeden — niet vastgesteld",
        f"Dwingende controle (intieme terreur) — {OPINION}",
    )
    assert rows["Veiligheid: vormen van geweld"] == (
        "Dwingende controle — vermoeden, niet vastgesteld",
        f"Dwingende controle — {OPINION}",
    )
    before = evaluate(suspected, [], TODAY, "Amsterdam")
    after = evaluate(classified, [], TODAY, "Amsterdam")
    advice = {c.label: (c.before, c.after) for c in advice_changes(before, after, {})}
    gone = [label for label, (_, now) in advice.items() if now == "—"]
    came = [label for label, (then, _) in advice.items() if then == "—"]
    assert (
        "Reden (sterk): De veiligheid van het kind kan in het geding zijn: vermoeden van "
        "dwingende controle." in gone
    )
    assert any(OPINION in label and label.startswith("Veiligheidssignaal") for label in came)
    for label in gone + came:
        if FACT_PHRASES.search(label):
            assert any(hedge in label.lower() for hedge in HEDGES), label


# --- The report and its PDF, for each degree ---------------------------------------------------

REPORTED = [
    pytest.param(
        {"partner_violence": "vermoeden", "violence_forms": ["dwingende_controle"]},
        {
            "Partnergeweld": "Vermoeden — niet vastgesteld",
            "Vormen van geweld": "Dwingende controle — vermoeden, niet vastgesteld",
            "Kindermishandeling": "Geen",
        },
        "vermoeden van dwingende controle",
        id="suspected",
    ),
    pytest.param(
        {"partner_violence": "dwingende_controle", "violence_forms": []},
        {
            "Partnergeweld": f"Dwingende controle (intieme terreur) — {OPINION}",
            "Vormen van geweld": "—",
        },
        f"dwingende controle (intieme terreur) — {OPINION}",
        id="classified-by-the-investigator",
    ),
    pytest.param(
        {"partner_violence": "geen", "violence_forms": [], "child_abuse": "vastgesteld"},
        {"Kindermishandeling": "Vastgesteld door rechter, Veilig Thuis of politie"},
        "kindermishandeling is vastgesteld",
        id="established",
    ),
]


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize(("recorded", "details", "ground"), REPORTED)
def test_the_report_and_its_pdf_keep_the_certainty(
    raad: Raad,
    case: dict[str, Any],
    recorded: dict[str, Any],
    details: dict[str, str],
    ground: str,
) -> None:
    body = copy.deepcopy(case)
    body["safety"] |= recorded
    made = raad.submitted(body)
    soup = BeautifulSoup(raad.judge.get(f"/analyses/{made['id']}/rapport").text, "html.parser")
    shown = {
        _words(row.dt.get_text()): _words(row.dd.get_text())
        for row in soup.select(".report__details dl.facts > div")
        if row.dt is not None and row.dd is not None
    }
    for label, value in details.items():
        assert shown[label] == value
    first_page = _words(soup.select_one(".report__first-page").get_text(" "))
    assert ground in first_page

    pdf = raad.judge.get(f"{API}/{made['id']}/report.pdf").content
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    for value in details.values():
        assert re.sub(r"\s+", "", value) in text, value
    assert re.sub(r"\s+", "", ground) in text
