"""The judge's report: what goes on its first page, facts apart from opinions, and what changed.

The report is one Jinja template (`analysis/report.html`) for the screen, for print and for the
PDF; this module gathers what the template shows, so that the template only lays it out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from kb.conflict_analysis.certainty import safety_descriptions
from kb.conflict_analysis.labels import FIELD_LABELS, code_label
from kb.conflict_analysis.matching import child_age
from kb.conflict_analysis.responses import AnalysisOut
from kb.conflict_analysis.schemas import AnalysisBody, Recommendation, Statement
from kb.vocabulary import ADVICE_LABELS, SAFETY_LEVEL_LABELS

__all__ = [
    "Change",
    "ChildWords",
    "Report",
    "advice_changes",
    "body_changes",
    "build_report",
    "pdf_filename",
]

EMPTY = "—"
PRESENT = "van toepassing"


@dataclass(frozen=True)
class Change:
    """One field that differs between two versions, in words."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ChildWords:
    """A child as the first page shows them: pseudonym, age, and their own words."""

    ref: str
    age: int
    heard: bool
    heard_by: list[str]
    own_words: str | None


@dataclass
class Report:
    """Everything the report template shows, for one version."""

    analysis: AnalysisOut
    previous: AnalysisOut | None
    titles: Mapping[str, str]
    today: dt.date
    children: list[ChildWords] = field(default_factory=list)
    facts: list[Statement] = field(default_factory=list)
    opinions: list[Statement] = field(default_factory=list)
    body_changes: list[Change] = field(default_factory=list)
    advice_changes: list[Change] = field(default_factory=list)

    @property
    def body(self) -> AnalysisBody:
        return self.analysis.body

    @property
    def recommendation(self) -> Recommendation:
        return self.analysis.recommendation

    @property
    def safety_findings(self) -> dict[str, str]:
        """Partner violence, its forms, child abuse and what a child saw, each saying how sure
        it is (domain.md §9.4), by field name."""
        return safety_descriptions(self.body.safety)

    @property
    def draft(self) -> bool:
        return self.analysis.status != "ingediend"

    def title_of(self, slug: str) -> str:
        return self.titles.get(slug, slug)


def build_report(
    current: AnalysisOut,
    previous: AnalysisOut | None,
    titles: Mapping[str, str],
    today: dt.date,
) -> Report:
    """The report of `current`, with the changes since `previous` (the submitted one before)."""
    body = current.body
    statements = body.assessment.statements
    return Report(
        analysis=current,
        previous=previous,
        titles=titles,
        today=today,
        children=[
            ChildWords(
                c.ref,
                child_age(c.birth_year, current.evaluated_on),
                c.heard,
                c.heard_by,
                c.own_words,
            )
            for c in body.children
        ],
        facts=[s for s in statements if s.kind == "feit"],
        opinions=[s for s in statements if s.kind == "mening"],
        body_changes=body_changes(previous.body, body, titles) if previous else [],
        advice_changes=(
            advice_changes(previous.recommendation, current.recommendation, titles)
            if previous
            else []
        ),
    )


def pdf_filename(analysis: AnalysisOut) -> str:
    """A file name without the case number: a download folder is no place for case data."""
    return f"conflictanalyse-{analysis.id}-versie-{analysis.version}.pdf"


# --- What changed -------------------------------------------------------------------------------


def _show(field_name: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, list):
        return ", ".join(code_label(field_name, v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return code_label(field_name, value)


def _fields(prefix: str, pattern: str, data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for name, value in data.items():
        label = FIELD_LABELS.get(f"{pattern}.{name}", name)
        yield f"{prefix}{label}", _show(name, value)


def _flatten(body: AnalysisBody, titles: Mapping[str, str]) -> dict[str, str]:
    """Every field of a body under a label a judge can read, keyed by pseudonym where it can be."""
    data = body.model_dump(mode="python")
    flat: dict[str, str] = {}
    for section in ("case", "safety", "conflict"):
        flat.update(_fields(f"{FIELD_LABELS[section]}: ", section, data[section]))
    # What changed in the safety findings reads as the report's details do: a suspicion stays
    # a suspicion in the "before" column too.
    for name, described in safety_descriptions(body.safety).items():
        flat[f"{FIELD_LABELS['safety']}: {FIELD_LABELS['safety.' + name]}"] = described
    for child in data["children"]:
        contacts = child.pop("contact")
        flat.update(_fields(f"Kind {child['ref']}: ", "children.*", child))
        for contact in contacts:
            reason = contact.get("refusal_reason")
            text = code_label("status", contact["status"])
            flat[f"Kind {child['ref']}: contact met ouder {contact['parent']}"] = (
                f"{text} ({code_label('refusal_reason', reason).lower()})" if reason else text
            )
    for parent in data["parents"]:
        ref = parent.pop("ref")
        flat.update(_fields(f"Ouder {ref}: ", "parents.*", parent))
    for tried in data["interventions_tried"]:
        flat[f"Hulp: {titles.get(tried['slug'], tried['slug'])}"] = code_label(
            "outcome", tried["outcome"]
        )
    for factor in data["factors"]:
        flat[f"Factor: {factor['text']}"] = (
            f"{code_label('kind', factor['kind'])}, gewicht {factor['weight']}, "
            f"bron: {factor['source']}"
        )
    assessment = data["assessment"]
    for name in ("child_interest_at_stake", "summary"):
        flat[f"Afweging: {FIELD_LABELS['assessment.' + name]}"] = _show(name, assessment[name])
    for statement in assessment["statements"]:
        flat[f"Uitspraak: {statement['text']}"] = (
            f"{code_label('statement_kind', statement['kind'])}, bron: {statement['source']}, "
            f"wederhoor: {_responded(statement['other_side_responded'])}"
        )
    deviation = assessment.get("deviation") or {}
    flat["Afwijking: eigen advies"] = _show("advice", deviation.get("advice"))
    flat["Afwijking: reden"] = _show("reason", deviation.get("reason"))
    return flat


def _responded(value: bool | None) -> str:
    return {True: "ja", False: "nee", None: "onbekend"}[value]


def _compare(before: Mapping[str, str], after: Mapping[str, str]) -> list[Change]:
    labels = list(after) + [label for label in before if label not in after]
    return [
        Change(label, before.get(label, EMPTY), after.get(label, EMPTY))
        for label in labels
        if before.get(label, EMPTY) != after.get(label, EMPTY)
    ]


def body_changes(
    before: AnalysisBody, after: AnalysisBody, titles: Mapping[str, str]
) -> list[Change]:
    """Field by field, what the investigator changed between two versions."""
    return _compare(_flatten(before, titles), _flatten(after, titles))


def _advice_fields(rec: Recommendation, titles: Mapping[str, str]) -> dict[str, str]:
    curator = rec.curator
    flat = {
        "Veiligheid": SAFETY_LEVEL_LABELS[rec.safety.level],
        "Uitgesloten aanpakken": _show("contraindication", rec.safety.excluded_contraindications),
        "Berekend advies bijzondere curator": ADVICE_LABELS[curator.advice],
        "Advies van de raadsonderzoeker": ADVICE_LABELS[curator.final_advice],
        "Profiel van de curator": _show("profile", curator.profile),
        "Aanbevolen hulp": ", ".join(titles.get(m.slug, m.title) for m in rec.interventions)
        or EMPTY,
    }
    for signal in rec.safety.signals:
        flat[f"Veiligheidssignaal: {signal}"] = PRESENT
    for reason in curator.reasons:
        flat[f"Reden ({reason.strength}): {reason.text}"] = PRESENT
    return flat


def advice_changes(
    before: Recommendation, after: Recommendation, titles: Mapping[str, str]
) -> list[Change]:
    """What changed in the computed advice: the level, the advice, each reason, the help."""
    return _compare(_advice_fields(before, titles), _advice_fields(after, titles))
