"""Builders of valid test data, shared by every test module: analysis bodies, knowledge-base
entries, catalogues and search documents. Each returns a fresh object, so a test may change what
it gets."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

from kb.conflict_analysis.schemas import AnalysisBody
from kb.interventions.catalogue import Catalogue
from kb.interventions.indexing import index_documents
from kb.interventions.loader import load_entries
from kb.interventions.schemas import Entry
from kb.search.base import IndexDocument

# The evaluation date of the rule tables: bodies built here are valid on it.
TODAY = dt.date(2026, 1, 15)
OFFICE = "Raad Amsterdam"
COURT = "Rechtbank Amsterdam"
SOURCE = "https://example.org/bron"

# --- Analysis bodies --------------------------------------------------------------------------


def child(ref: str = "K1", born: int = 2016, **changes: Any) -> dict[str, Any]:
    """A child who is doing well: heard, no signals, normal contact with both parents."""
    data = {
        "ref": ref,
        "birth_year": born,
        "heard": True,
        "heard_by": ["raad"],
        "wants_representation": False,
        "loyalty_conflict": "geen",
        "stress_signals": [],
        "development_threatened": "nee",
        "contact": [{"parent": "A", "status": "normaal"}, {"parent": "B", "status": "normaal"}],
    }
    return data | changes


def parent(ref: str, **changes: Any) -> dict[str, Any]:
    data = {
        "ref": ref,
        "has_authority": True,
        "concerns": [],
        "accepts_help": True,
        "supports_other_parent": True,
    }
    return data | changes


# An office holds one open analysis per case number (domain.md §9.5): each case made here is
# its own case, numbered on from the realistic one's 25-5120.
_CASE_NUMBERS = itertools.count(5120)


def case_number() -> str:
    """A case number not used before in this test run."""
    return f"C/13/745123 / FA RK 25-{next(_CASE_NUMBERS)}"


def another_case(body: dict[str, Any]) -> dict[str, Any]:
    """The same facts as another case (its own case number), for a second analysis in an office."""
    return body | {"case": body["case"] | {"case_number": case_number()}}


def calm_data() -> dict[str, Any]:
    """A calm case: Glasl 2, the child heard, no signals, no failed help, two months in procedure."""
    return {
        "case": {
            "case_number": case_number(),
            "court": "Rechtbank Amsterdam",
            "topics": ["omgang", "hoofdverblijf"],
            "procedure_started_on": "2025-11-15",
            "earlier_procedures": 0,
            "separated_on": "2025-06-01",
        },
        "safety": {
            "partner_violence": "geen",
            "violence_forms": [],
            "child_abuse": "geen",
            "child_witnessed_violence": False,
            "veilig_thuis_reports": 0,
            "police_involved": False,
            "protective_measures": [],
            "lethality_indicators": [],
            "acute_danger": False,
        },
        "conflict": {
            "glasl_step": 2,
            "pattern": "wederzijds",
            "child_drawn_in": False,
            "network_escalates": False,
            "communication": "direct",
            "agreements_kept": "ja",
        },
        "children": [child()],
        "parents": [parent("A"), parent("B")],
        "interventions_tried": [],
        "assessment": {"child_interest_at_stake": "nee", "summary": "Ouders overleggen zelf."},
    }


def build(**sections: Any) -> AnalysisBody:
    """The calm case with some sections changed: dicts update a section, lists replace it."""
    data = calm_data()
    for name, change in sections.items():
        if isinstance(change, dict):
            data[name] = data[name] | change
        else:
            data[name] = change
    return AnalysisBody.model_validate(data, context={"today": TODAY})


def realistic_case() -> dict[str, Any]:
    """A high-conflict case at Glasl step 6: coercive control suspected, one child refusing
    contact, two earlier procedures, help that failed. Valid on any date until 2034."""
    return {
        "case": {
            "case_number": "C/13/745123 / FA RK 25-5120",
            "court": COURT,
            "topics": ["omgang", "hoofdverblijf"],
            "procedure_started_on": "2024-09-01",
            "earlier_procedures": 2,
            "separated_on": "2024-03-01",
        },
        "safety": {
            "partner_violence": "dwingende_controle",
            "violence_forms": ["psychisch", "dwingende_controle"],
            "child_abuse": "geen",
            "child_witnessed_violence": False,
            "veilig_thuis_reports": 1,
            "police_involved": False,
            "protective_measures": [],
            "lethality_indicators": [],
            "acute_danger": False,
        },
        "conflict": {
            "glasl_step": 6,
            "pattern": "eenzijdig",
            "child_drawn_in": True,
            "network_escalates": True,
            "communication": "via_derden",
            "agreements_kept": "nee",
        },
        "children": [
            {
                "ref": "K1",
                "birth_year": 2015,
                "heard": True,
                "heard_by": ["raad"],
                "own_words": "Ik wil gewoon dat ze ophouden met ruzie maken.",
                "wants_representation": False,
                "loyalty_conflict": "duidelijk",
                "stress_signals": ["slapen", "school"],
                "development_threatened": "mogelijk",
                "contact": [
                    {"parent": "A", "status": "normaal"},
                    {"parent": "B", "status": "weigering", "refusal_reason": "onduidelijk"},
                ],
            },
            {
                "ref": "K2",
                "birth_year": 2020,
                "heard": False,
                "heard_by": [],
                "wants_representation": False,
                "loyalty_conflict": "vermoed",
                "stress_signals": [],
                "development_threatened": "nee",
                "contact": [
                    {"parent": "A", "status": "normaal"},
                    {"parent": "B", "status": "weerstand"},
                ],
            },
        ],
        "parents": [
            {
                "ref": "A",
                "has_authority": True,
                "concerns": [],
                "accepts_help": True,
                "supports_other_parent": True,
            },
            {
                "ref": "B",
                "has_authority": True,
                "concerns": ["psychisch"],
                "accepts_help": False,
                "supports_other_parent": False,
            },
        ],
        "interventions_tried": [{"slug": "ouderschap-blijft", "outcome": "voortijdig_gestopt"}],
        "factors": [
            {
                "kind": "beschermend",
                "text": "Grootmoeder van moederskant is een stabiele steunfiguur",
                "weight": 2,
                "source": "gesprek met K1",
            },
            {
                "kind": "belemmerend",
                "text": "Ouder B zet het netwerk in tegen ouder A",
                "weight": 3,
                "source": "gesprekken met beide ouders",
            },
        ],
        "assessment": {
            "child_interest_at_stake": "ja",
            "summary": "K1 zit klem tussen de ouders; de veiligheid vraagt eerst aandacht.",
            "statements": [
                {
                    "text": "K1 weigert sinds maart het contact met ouder B.",
                    "kind": "feit",
                    "source": "omgangsregistratie",
                    "other_side_responded": True,
                },
                {
                    "text": "Ouder B lijkt K1 onder druk te zetten.",
                    "kind": "mening",
                    "source": "raadsonderzoeker",
                    "other_side_responded": False,
                },
            ],
        },
    }


# --- Knowledge-base entries -------------------------------------------------------------------


def entry(
    slug: str,
    *,
    evidence_level: int = 2,
    flags: tuple[str, ...] = (),
    arrondissements: tuple[str, ...] = (),
    **fields: Any,
) -> Entry:
    """A recommendable entry for every age and phase, available nowhere in particular, unless
    told otherwise; its evidence comes from one sourced rating and its availability from one
    provider per arrondissement, as in a content file."""
    # A recognition, dated from its register page, valid well beyond any day the tests use.
    rating = {
        "scheme": "nji",
        "label": "beoordeeld",
        "level": evidence_level,
        "flags": list(flags),
        "date": "2025-01-01",
        "valid_until": "2099-12-31",
        "source_url": SOURCE,
    }
    data: dict[str, Any] = {
        "slug": slug,
        "title": slug.replace("-", " ").title(),
        "kind": "interventie",
        "status": "actief",
        "summary": f"Over {slug}.",
        "ratings": [rating],
        "sources": [{"title": "Bron", "url": SOURCE}],
        "last_reviewed": "2026-01-01",
        "next_review": "2027-01-01",
        "body_html": "<p>Tekst.</p>",
        "providers": [{"name": f"Aanbieder in {a}", "arrondissement": a} for a in arrondissements],
    }
    if fields.get("kind") == "pilot":
        data["pilot"] = {"start": 2025, "locations": ["Utrecht"]}
    return Entry.model_validate(data | fields)


def catalogue(*entries: Entry) -> Catalogue:
    return Catalogue(entries)


def index_document(slug: str, **fields: Any) -> IndexDocument:
    """A search document of an active intervention whose title, summary and body are its slug,
    with no rating, age, phase, code or place unless told otherwise."""
    data: dict[str, Any] = {
        "slug": slug,
        "title": slug,
        "aliases": (),
        "summary": slug,
        "body": slug,
        "kind": "interventie",
        "status": "actief",
        "evidence_level": 0,
        "flags": (),
        "audience": (),
        "age_min": None,
        "age_max": None,
        "glasl_phases": (),
        "route": (),
        "format": (),
        "contraindications": (),
        "municipalities": (),
        "arrondissements": (),
        "national": False,
        "default_rank": 0,
        "payload": {"slug": slug},
    }
    return IndexDocument(**(data | fields))


def documents_from(content_dir: Path) -> list[IndexDocument]:
    """The search engines' documents for a content folder, as `kb index` makes them."""
    return index_documents(Catalogue(tuple(load_entries(content_dir))))
