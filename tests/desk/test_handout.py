"""What every handout holds (domain §5): how to get each kind of help even where the entry names
no route, the national numbers from their sourced entries, and the desk's own details."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kb.desk.helplines import HELPLINES
from kb.desk.service import ASK_THE_DESK, contacts, how_to_get
from kb.interventions.schemas import Entry
from kb.vocabulary import ROUTE_FOR_PARENTS
from tests.desk.test_pages import get, pdf_text, text

Client = TestClient[Litestar]
NOT_KNOWN = "Niet bekend in de kennisbank"


def entry_text(entry: Entry) -> str:
    """Everything an entry says in words: summaries, providers and body."""
    providers = " ".join(f"{p.name} {p.cost or ''} {p.url or ''}" for p in entry.providers)
    return " ".join([entry.summary, entry.summary_b1 or "", providers, entry.body_html])


@pytest.mark.parametrize("line", HELPLINES, ids=lambda line: line.slug)
def test_each_national_number_is_what_its_entry_says(
    kb_items: Mapping[str, Entry], line: object
) -> None:
    entry = kb_items[line.slug]  # type: ignore[attr-defined]
    said = entry_text(entry)
    assert line.phone in said  # type: ignore[attr-defined]
    assert line.name.removeprefix("Het ").removeprefix("De ") in entry.title  # type: ignore[attr-defined]
    if line.url:  # type: ignore[attr-defined]
        sites = {str(p.url) for p in entry.providers if p.url} | {str(s.url) for s in entry.sources}
        assert line.url in sites  # type: ignore[attr-defined]


def test_every_handout_has_the_three_national_numbers(client: Client) -> None:
    handout = text(get(client, "/folder?slug=dappere-dinos").select_one("article.handout"))
    for line in HELPLINES:
        assert f"{line.name}: {line.phone}" in handout
    content, pages = pdf_text(client, ["dappere-dinos"])
    assert pages == 1
    for line in HELPLINES:
        assert line.phone in content


def test_no_entry_on_a_handout_reads_only_not_known(
    client: Client, kb_items: Mapping[str, Entry]
) -> None:
    """The cause of issue 13's "Niet bekend" for every route: the handout read only `route`,
    which most entries leave empty; their providers say where to go."""
    without_route = sorted(s for s, e in kb_items.items() if not e.route)
    with_providers = {s for s in without_route if kb_items[s].providers}
    assert len(without_route) >= 10 and with_providers
    for start in range(0, len(without_route), 4):
        slugs = without_route[start : start + 4]
        page = get(client, "/folder?" + "&".join(f"slug={s}" for s in slugs))
        handout = text(page.select_one("article.handout"))
        assert NOT_KNOWN not in handout
        expected = len(with_providers.intersection(slugs))
        assert handout.count("Meld u aan bij een aanbieder.") == expected
        assert handout.count("Weet u niet hoe? Vraag ernaar bij") == len(slugs)


@pytest.mark.parametrize(
    ("slug", "desk", "expected"),
    [
        pytest.param(
            "kenniscentrum-kind-en-scheiding-haaglanden",
            None,
            [ROUTE_FOR_PARENTS["vrij_toegankelijk"]],
            id="route-known",
        ),
        pytest.param(
            "dappere-dinos",
            None,
            ["Meld u aan bij een aanbieder.", f"Weet u niet hoe? Vraag ernaar bij {ASK_THE_DESK}."],
            id="providers-no-route",
        ),
        pytest.param(
            "dappere-dinos",
            "Loket Ede",
            ["Meld u aan bij een aanbieder.", "Weet u niet hoe? Vraag ernaar bij Loket Ede."],
            id="providers-the-desks-name",
        ),
    ],
)
def test_how_to_get(
    kb_items: Mapping[str, Entry], slug: str, desk: str | None, expected: list[str]
) -> None:
    assert how_to_get(kb_items[slug], desk) == expected


def test_national_entry_without_route_or_provider_says_so(kb_items: Mapping[str, Entry]) -> None:
    entry = kb_items["dappere-dinos"].model_copy(update={"providers": [], "national": True})
    assert how_to_get(entry)[0] == "U kunt dit overal in Nederland krijgen."
    bare = entry.model_copy(update={"national": False})
    assert how_to_get(bare) == [f"Weet u niet hoe? Vraag ernaar bij {ASK_THE_DESK}."]


def test_providers_sharing_a_site_share_one_line(kb_items: Mapping[str, Entry]) -> None:
    entry = kb_items["kinderen-uit-de-knel"]
    lines = contacts(entry)
    assert sum(len(c.names) for c in lines) == len(entry.providers)
    assert len({c.url for c in lines}) == len(lines)  # one line per site
    assert len(lines) < len(entry.providers)


def test_help_cards_say_how_to_get_help_too(client: Client) -> None:
    page = get(client, "/hulp-in-de-buurt?gemeente=Ede")
    routes = [text(r) for r in page.select(".help-card__route")]
    assert routes and not any(NOT_KNOWN in r for r in routes)
    assert all(re.search(r"Hoe komt u eraan\? \S", r) for r in routes)


def test_the_handout_says_u_to_parents_throughout(client: Client) -> None:
    """A handout for parents uses "u"; "je" crept in where a child's helpline was described."""
    handout = text(get(client, "/folder?slug=ouderschap-blijft").select_one("article.handout"))
    words = set(re.findall(r"\w+", handout.lower()))
    assert not words & {"je", "jij", "jouw"}
