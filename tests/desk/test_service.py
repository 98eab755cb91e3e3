"""The guide's matching is the conflict analysis's matching; local help reads only what is there."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from kb.conflict_analysis.matching import Fit, match_interventions, suitable
from kb.conflict_analysis.rules import EXCLUDED_WHEN_UNSAFE, safety_gate
from kb.conflict_analysis.schemas import AnalysisBody
from kb.desk.schemas import GuideAnswers, Place
from kb.desk.service import DeskService, held_back_when
from kb.errors import InvalidInputError
from kb.interventions.catalogue import Catalogue
from kb.interventions.schemas import Entry
from tests.factories import TODAY, calm_data, catalogue, entry

UNSAFE = set(EXCLUDED_WHEN_UNSAFE)


def suitable_entries(
    entries: list[Entry],
    ages: list[int],
    phase: int,
    excluded: tuple[str, ...],
    local: set[str] | None = None,
) -> list[Fit]:
    """What the guide ranks: the catalogue's candidates, local when in `local` or national."""
    return suitable(
        catalogue(*entries).candidates,
        ages,
        phase,
        excluded,
        lambda e: e.national or e.slug in (local or set()),
    )


def answers(**changes: Any) -> GuideAnswers:
    data = {"leeftijden": "5", "omgang": "rustig", "veiligheid": "nee", "gemeente": ""}
    return GuideAnswers.parse(data | changes)


# --- The rules, from a table of candidates ----------------------------------------------------

RULES = [
    pytest.param(entry("too-old", age_min=7, age_max=12), [5], 1, (), False, id="age-below-range"),
    pytest.param(entry("fits", age_min=4, age_max=6), [5], 1, (), True, id="age-in-range"),
    pytest.param(entry("no-ages"), [5], 1, (), True, id="no-ages-fits-every-age"),
    pytest.param(entry("one-child", age_min=7), [5, 9], 1, (), True, id="one-child-fits"),
    pytest.param(entry("phase", glasl_phases=(2, 3)), [5], 1, (), False, id="wrong-phase"),
    pytest.param(entry("no-phase"), [5], 3, (), True, id="no-phases-fits-every-phase"),
    pytest.param(
        entry("joint", contraindications=("dwingende_controle", "acute_onveiligheid")),
        [5],
        1,
        tuple(UNSAFE),
        False,
        id="joint-format-held-back-when-unsafe",
    ),
    pytest.param(
        entry("joint", contraindications=("acute_onveiligheid",)),
        [5],
        1,
        (),
        True,
        id="joint-format-fine-when-safe",
    ),
    pytest.param(entry("harm", flags=("schadelijk",)), [5], 1, (), False, id="harmful"),
    pytest.param(entry("none", flags=("geen_effect",)), [5], 1, (), False, id="no-effect"),
    pytest.param(entry("guide", kind="richtlijn"), [5], 1, (), False, id="guideline"),
    pytest.param(entry("ended", status="afgerond"), [5], 1, (), False, id="ended"),
    pytest.param(entry("pilot", kind="pilot", status="lopend"), [5], 1, (), True, id="pilot"),
]


@pytest.mark.parametrize(("candidate", "ages", "phase", "excluded", "chosen"), RULES)
def test_rules(
    candidate: Entry,
    ages: list[int],
    phase: int,
    excluded: tuple[str, ...],
    chosen: bool,
) -> None:
    found = suitable_entries([candidate], ages, phase, excluded)
    assert bool(found) is chosen


def test_order_is_availability_then_evidence_then_children_then_title() -> None:
    found = suitable_entries(
        [
            entry("b-local"),
            entry("a-far"),
            entry("strong", evidence_level=4),
            entry("both", age_min=5),
        ],
        [5, 9],
        1,
        (),
        local={"b-local"},
    )
    assert [f.entry.slug for f in found] == ["b-local", "strong", "a-far", "both"]


def test_any_sign_of_unsafety_holds_back_the_gate_s_contraindications() -> None:
    assert held_back_when(answers(veiligheid="nee")) == ()
    for answer in ("twijfel", "ja", "nu_gevaar"):
        assert set(held_back_when(answers(veiligheid=answer))) == UNSAFE


# --- Parity with the conflict analysis on the real knowledge base -----------------------------


def analysis(ages: list[int], glasl_step: int, unsafe: bool) -> AnalysisBody:
    """A minimal analysis whose children, phase and safety gate match a guide's answers."""
    calm = calm_data()
    child = {
        "heard": True,
        "wants_representation": False,
        "loyalty_conflict": "geen",
        "development_threatened": "nee",
    }
    parent = {"has_authority": True, "accepts_help": True, "supports_other_parent": True}
    data = {
        "case": {
            "case_number": "C/13/1 / FA RK 26-1",
            "court": "Rechtbank Amsterdam",
            "topics": ["omgang"],
            "procedure_started_on": "2025-12-01",
            "earlier_procedures": 0,
        },
        "safety": calm["safety"] | {"partner_violence": "dwingende_controle" if unsafe else "geen"},
        "conflict": calm["conflict"] | {"glasl_step": glasl_step},
        "children": [
            child | {"ref": f"K{i}", "birth_year": TODAY.year - age}
            for i, age in enumerate(ages, start=1)
        ],
        "parents": [parent | {"ref": "A"}, parent | {"ref": "B"}],
        "assessment": {"child_interest_at_stake": "nee"},
    }
    return AnalysisBody.model_validate(data, context={"today": TODAY})


PARITY = [
    pytest.param("5", "rustig", "nee", 2, False, id="five-year-old-calm"),
    pytest.param("5, 9", "moeizaam", "ja", 5, True, id="two-children-unsafe"),
    pytest.param("14", "geen_contact", "nu_gevaar", 8, True, id="teenager-acute"),
    pytest.param("3, 10, 16", "moeizaam", "nee", 4, False, id="three-children"),
    pytest.param("1", "geen_contact", "nee", 9, False, id="baby-lose-lose"),
]


@pytest.mark.parametrize(("ages", "talk", "safety", "step", "unsafe"), PARITY)
def test_guide_recommends_what_the_conflict_analysis_recommends(
    desk: DeskService,
    kb_catalogue: Catalogue,
    ages: str,
    talk: str,
    safety: str,
    step: int,
    unsafe: bool,
) -> None:
    guide = desk.guide(answers(leeftijden=ages, omgang=talk, veiligheid=safety))
    body = analysis(list(guide.answers.ages), step, unsafe)
    gate = safety_gate(body.safety)
    assert set(gate.excluded_contraindications) == set(guide.excluded_contraindications)
    expected = match_interventions(body, gate, kb_catalogue.candidates, None, today=TODAY)
    assert [m.item.slug for m in guide.matches] == [m.slug for m in expected]


# --- The guide on the real knowledge base -----------------------------------------------------


def test_a_five_year_old_and_a_calm_separation_get_help_for_that_age(
    desk: DeskService, kb_items: Mapping[str, Entry]
) -> None:
    result = desk.guide(answers(leeftijden="5", omgang="rustig"))
    assert result.matches
    for match in result.matches + result.also_local:
        item = kb_items[match.item.slug]
        assert item.age_min is None or item.age_min <= 5, item.slug
        assert item.age_max is None or item.age_max >= 5, item.slug
        assert not item.glasl_phases or 1 in item.glasl_phases, item.slug
    shown = {m.item.slug for m in result.matches}
    assert not shown & {"kies", "dappere-dinos", "jes-het-brugproject"}


@pytest.mark.parametrize("answer", ["twijfel", "ja", "nu_gevaar"])
@pytest.mark.parametrize("talk", ["rustig", "moeizaam", "geen_contact"])
def test_unsafe_answers_never_get_a_joint_format(
    desk: DeskService, kb_items: Mapping[str, Entry], answer: str, talk: str
) -> None:
    result = desk.guide(
        answers(leeftijden="4, 8, 13", omgang=talk, veiligheid=answer, gemeente="Rotterdam")
    )
    for match in result.matches + result.also_local:
        assert not UNSAFE & set(kb_items[match.item.slug].contraindications), match.item.slug


def test_the_knowledge_base_has_joint_formats_the_guide_holds_back(
    desk: DeskService, kb_items: Mapping[str, Entry]
) -> None:
    """Guards the test above: safe answers do get entries that unsafe answers may not."""
    result = desk.guide(answers(leeftijden="8", omgang="moeizaam"))
    joint = [m for m in result.matches if UNSAFE & set(kb_items[m.item.slug].contraindications)]
    assert joint


def test_a_municipality_marks_local_help_and_adds_the_rest_of_it(desk: DeskService) -> None:
    result = desk.guide(answers(leeftijden="5", gemeente="Rotterdam"))
    everything = result.matches + result.also_local
    local = {m.item.slug for m in everything if m.availability == "lokaal"}
    assert "scheidingsloket-rotterdam" in local
    assert all(m.availability == "lokaal" for m in result.also_local)


def test_the_guide_needs_no_database(desk: DeskService, kb_catalogue: Catalogue) -> None:
    """Nothing a parent answers can be written: the desk holds the catalogue and nothing else."""
    assert vars(desk) == {"catalogue": kb_catalogue}
    assert desk.guide(answers(veiligheid="ja")).matches


# --- Local help -------------------------------------------------------------------------------


@pytest.fixture()
def service(desk: DeskService) -> DeskService:
    """The desk service over the real content."""
    return desk


def _place(kind: str, name: str) -> Place:
    place = Place.parse({kind: name})
    assert place is not None
    return place


@pytest.mark.parametrize(
    ("kind", "name", "slug"),
    [
        pytest.param("gemeente", "rotterdam", "scheidingsloket-rotterdam", id="municipality"),
        pytest.param("provincie", "Zeeland", "kind-in-scheiding-zeeland", id="province"),
        pytest.param(
            "arrondissement",
            "Den Haag",
            "kenniscentrum-kind-en-scheiding-haaglanden",
            id="arrondissement",
        ),
        # Middelburg finds Zeeland's offers: named for the province, not for Middelburg.
        pytest.param("gemeente", "Middelburg", "kind-in-scheiding-zeeland", id="middelburg"),
        pytest.param("gemeente", "Delft", "kenniscentrum-kind-en-scheiding-haaglanden", id="delft"),
        pytest.param(
            "gemeente", "Den Haag", "kenniscentrum-kind-en-scheiding-haaglanden", id="den-haag"
        ),
    ],
)
def test_local_help_finds_what_is_offered_there(
    service: DeskService, kind: str, name: str, slug: str
) -> None:
    place = _place(kind, name)
    help = service.local_help(place)
    offers = {o.item.slug: o for o in help.local}
    assert slug in offers
    assert all(place.matches(p) for o in help.local for p in o.providers)


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        pytest.param("gemeente", "Rotterdam", id="rotterdam"),
        pytest.param("gemeente", "Breda", id="breda-same-district-other-province"),
        pytest.param("provincie", "Zuid-Holland", id="zuid-holland"),
    ],
)
def test_rotterdam_never_gets_zeelands_desk(service: DeskService, kind: str, name: str) -> None:
    local = {o.item.slug for o in service.local_help(_place(kind, name)).local}
    assert "kind-in-scheiding-zeeland" not in local


def test_local_help_shows_cost_and_national_help(service: DeskService) -> None:
    help = service.local_help(_place("gemeente", "Rotterdam"))
    loket = next(o for o in help.local if o.item.slug == "scheidingsloket-rotterdam")
    assert [p.cost for p in loket.providers] == ["gratis"]
    national = {i.slug for i in help.national}
    assert {"kindgesprek", "bijzondere-curator", "villa-pinedo"} <= national
    assert "richtlijn-scheiding" not in national  # a guideline is for professionals
    assert "Rotterdam" in help.municipalities


def test_local_help_for_an_unknown_place_is_empty_not_an_error(service: DeskService) -> None:
    help = service.local_help(Place("gemeente", "Nergenshuizen"))
    assert help.local == []
    assert help.national


def test_unknown_chosen_entries_are_a_field_error(service: DeskService) -> None:
    with pytest.raises(InvalidInputError) as caught:
        service.chosen(["kies", "bestaat-niet"])
    assert "bestaat-niet" in caught.value.errors[0].msg
