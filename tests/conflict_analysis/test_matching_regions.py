"""Matching over the real knowledge base, on both databases (domain.md §9.2): a case or a parent
never gets help that cannot be had in the Netherlands or that is bound to another region, and
help available there or nationally comes first."""

from __future__ import annotations

import datetime as dt

import pytest

from kb.conflict_analysis.matching import (
    arrondissement_of_court,
    match_interventions,
    suitable,
)
from kb.conflict_analysis.rules import EXCLUDED_WHEN_UNSAFE, safety_gate
from kb.desk.schemas import GuideAnswers
from kb.desk.service import DeskService, held_back_when
from kb.interventions.catalogue import Catalogue
from kb.interventions.places import reaches_arrondissement, region_bound
from kb.vocabulary import COURTS
from tests.factories import build, child

TODAY = dt.date(2026, 11, 30)
ZEELAND_DESK = "kind-in-scheiding-zeeland"
FOREIGN_ONLY = "new-beginnings-program"
# Young and teenage children, so every age-bound entry is in play.
CHILDREN = [child("K1", 2022), child("K2", 2016), child("K3", 2010)]


def _all_fits(catalogue: Catalogue, arrondissement: str | None, step: int) -> list[str]:
    body = build(children=CHILDREN, conflict={"glasl_step": step})
    fits = suitable(
        catalogue.candidates,
        [TODAY.year - c.birth_year for c in body.children],
        (step - 1) // 3 + 1,
        safety_gate(body.safety).excluded_contraindications,
        lambda entry: reaches_arrondissement(entry, arrondissement),
    )
    return [f.entry.slug for f in fits]


def test_the_real_content_has_a_foreign_only_programme_and_a_regional_desk(
    kb_catalogue: Catalogue,
) -> None:
    """The tests below mean something only while these two entries are what they were."""
    assert not kb_catalogue.get(FOREIGN_ONLY).available_in_nl
    assert region_bound(kb_catalogue.get(ZEELAND_DESK))


@pytest.mark.parametrize("step", [2, 5, 8], ids=lambda s: f"glasl-{s}")
@pytest.mark.parametrize("court", COURTS)
def test_a_case_never_gets_foreign_only_or_other_regions_help(
    kb_catalogue: Catalogue, court: str, step: int
) -> None:
    body = build(children=CHILDREN, conflict={"glasl_step": step}, case={"court": court})
    arrondissement = arrondissement_of_court(court)
    matched = match_interventions(
        body, safety_gate(body.safety), kb_catalogue.candidates, arrondissement, today=TODAY
    )
    # Each match says its entry's status: the report calls only a `lopend` pilot a running one.
    assert all(m.status == kb_catalogue.get(m.slug).status for m in matched)
    for slug in [m.slug for m in matched] + _all_fits(kb_catalogue, arrondissement, step):
        entry = kb_catalogue.get(slug)
        assert entry.available_in_nl, slug
        assert not region_bound(entry) or arrondissement in entry.arrondissements, slug


def test_a_case_at_rechtbank_amsterdam_never_gets_a_foreign_only_programme(
    kb_catalogue: Catalogue,
) -> None:
    for step in range(1, 10):
        assert FOREIGN_ONLY not in _all_fits(kb_catalogue, "Amsterdam", step)
        assert ZEELAND_DESK not in _all_fits(kb_catalogue, "Amsterdam", step)


def test_a_case_in_zeeland_west_brabant_can_get_zeelands_desk(kb_catalogue: Catalogue) -> None:
    assert ZEELAND_DESK in _all_fits(kb_catalogue, "Zeeland-West-Brabant", 8)
    assert ZEELAND_DESK not in _all_fits(kb_catalogue, "Rotterdam", 8)


def test_help_available_in_the_arrondissement_or_nationally_comes_first(
    kb_catalogue: Catalogue,
) -> None:
    slugs = _all_fits(kb_catalogue, "Zeeland-West-Brabant", 8)
    reached = [reaches_arrondissement(kb_catalogue.get(s), "Zeeland-West-Brabant") for s in slugs]
    assert reached == sorted(reached, reverse=True)
    assert any(reached) and not all(reached)


def _guide(catalogue: Catalogue, municipality: str) -> set[str]:
    answers = GuideAnswers.parse(
        {
            "leeftijden": "4, 10, 16",
            "omgang": "geen_contact",
            "veiligheid": "nee",
            "gemeente": municipality,
        }
    )
    result = DeskService(catalogue).guide(answers)
    return {m.item.slug for m in [*result.matches, *result.also_local]}


@pytest.mark.parametrize("municipality", ["Rotterdam", "Breda", "Utrecht", "Zwolle", "Urk"])
def test_a_parent_elsewhere_never_gets_zeelands_desk(
    kb_catalogue: Catalogue, municipality: str
) -> None:
    found = _guide(kb_catalogue, municipality)
    assert ZEELAND_DESK not in found
    assert FOREIGN_ONLY not in found


def test_a_parent_in_middelburg_gets_zeelands_desk(kb_catalogue: Catalogue) -> None:
    assert ZEELAND_DESK in _guide(kb_catalogue, "Middelburg")


def _analysis_fits(catalogue: Catalogue, safety: dict[str, str]) -> set[str]:
    body = build(children=CHILDREN, conflict={"glasl_step": 5}, safety=safety)
    fits = suitable(
        catalogue.candidates,
        [TODAY.year - c.birth_year for c in body.children],
        2,
        safety_gate(body.safety).excluded_contraindications,
        lambda entry: reaches_arrondissement(entry, "Amsterdam"),
    )
    return {f.entry.slug for f in fits}


def _desk_fits(catalogue: Catalogue, safety: str) -> set[str]:
    answers = GuideAnswers.parse(
        {
            "leeftijden": "4, 10, 16",
            "omgang": "moeizaam",
            "veiligheid": safety,
            "gemeente": "Amsterdam",
        }
    )
    ages, phase = answers.ages, answers.glasl_phase
    fits = suitable(
        catalogue.candidates,
        ages,
        phase,
        held_back_when(answers),
        lambda entry: reaches_arrondissement(entry, "Amsterdam"),
    )
    return {f.entry.slug for f in fits}


def test_joint_formats_are_held_back_alike_by_the_desk_and_the_analysis(
    kb_catalogue: Catalogue,
) -> None:
    joint = {
        e.slug
        for e in kb_catalogue.candidates
        if "dwingende_controle" in e.contraindications
        and (not region_bound(e) or reaches_arrondissement(e, "Amsterdam"))
    }
    assert joint
    assert joint <= _analysis_fits(kb_catalogue, {"partner_violence": "geen"})
    assert joint <= _desk_fits(kb_catalogue, "nee")
    unsafe_analysis = _analysis_fits(kb_catalogue, {"partner_violence": "dwingende_controle"})
    unsafe_desk = _desk_fits(kb_catalogue, "ja")
    assert not joint & unsafe_analysis
    assert not joint & unsafe_desk
    # Apart from what the unsafe situation rules out, both recommend from the same candidates.
    ruled_out = {
        e.slug
        for e in kb_catalogue.candidates
        if set(e.contraindications) & set(EXCLUDED_WHEN_UNSAFE)
    }
    assert joint <= ruled_out
    safe_analysis = _analysis_fits(kb_catalogue, {"partner_violence": "geen"})
    assert unsafe_analysis == safe_analysis - ruled_out
    assert unsafe_desk == _desk_fits(kb_catalogue, "nee") - ruled_out
