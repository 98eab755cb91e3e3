"""The desk profile (domain §5): kept by the beheerder per municipality, page and API alike,
every change audited and no change lost to another's (412), and printed on the desk's handouts."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from httpx import Response
from litestar import Litestar
from litestar.testing import TestClient
from pypdf import PdfReader

from kb.auth.models import AuditEntry
from kb.desk.models import DeskProfile
from kb.search.base import SearchBackend
from tests.desk.test_pages import get, soup, text
from tests.helpers import ClientAs, csrf_token

Client = TestClient[Litestar]
API = "/api/v1/desk-profiles"
PROFILE = {
    "name": "Scheidingsloket Zwolle (test)",
    "address": "Voorbeeldstraat 1, Zwolle",
    "opening_hours": "dinsdag 9.00 tot 12.00 uur",
    "phone": "038-123 45 67",
    "notes": "Gratis en zonder afspraak.",
}


@pytest.fixture()
def beheerder(client_as: ClientAs) -> Client:
    """A beheerder, signed in for the pages and with a token for the API."""
    return client_as("beheerder")


def test_create_read_change_and_a_stale_change_is_412(
    beheerder: Client, prepared: tuple[sa.Engine, SearchBackend]
) -> None:
    name = "Staphorst"
    created = beheerder.put(f"{API}/{name}", json=PROFILE)
    assert created.status_code == 200, created.text
    assert created.headers["etag"] == '"1"'
    assert created.json()["municipality"] == name
    read = beheerder.get(f"{API}/{name}")
    assert read.json()["phone"] == PROFILE["phone"] and read.headers["etag"] == '"1"'

    changed = beheerder.put(
        f"{API}/{name}", json={**PROFILE, "phone": "038-765 43 21"}, headers={"If-Match": '"1"'}
    )
    assert changed.status_code == 200 and changed.headers["etag"] == '"2"'

    # A second beheerder who still holds the first version does not overwrite the change.
    stale = beheerder.put(
        f"{API}/{name}", json={**PROFILE, "notes": "Oud"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert beheerder.get(f"{API}/{name}").json()["phone"] == "038-765 43 21"

    without = beheerder.put(f"{API}/{name}", json=PROFILE)
    assert without.status_code == 428

    engine = prepared[0]
    with engine.connect() as conn:
        events = conn.execute(
            sa.select(AuditEntry.action, AuditEntry.detail, AuditEntry.version)
            .where(AuditEntry.object_type == "desk_profile", AuditEntry.object_id == name)
            .order_by(AuditEntry.id)
        ).all()
    assert [(e.action, e.version) for e in events] == [
        ("desk_profile.create", 1),
        ("desk_profile.update", 2),
    ]
    assert events[1].detail == {"fields": ["phone"]}  # which field, never its text
    assert "038" not in str(events)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"name": ""}, "name", id="empty-name"),
        pytest.param({"name": "L", "phone": "bel ons maar"}, "phone", id="phone-letters"),
        pytest.param({"name": "x" * 121}, "name", id="name-too-long"),
        pytest.param({"name": "L", "kleur": "rood"}, "kleur", id="unknown-field"),
        pytest.param({"name": 5}, "name", id="not-text"),
    ],
)
def test_bad_input_is_a_dutch_field_error_and_nothing_is_written(
    beheerder: Client, prepared: tuple[sa.Engine, SearchBackend], body: object, field: str
) -> None:
    response = beheerder.put(f"{API}/Urk", json=body)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [e["loc"][-1] for e in errors] == [field]
    assert all(e["msg"] and e["msg"][0].isupper() for e in errors)
    with prepared[0].connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).where(DeskProfile.municipality == "Urk")) == 0


def test_a_body_that_is_not_an_object_is_422(beheerder: Client) -> None:
    assert beheerder.put(f"{API}/Urk", json=["naam"]).status_code == 422


def test_an_unknown_municipality_is_404_with_suggestions(beheerder: Client) -> None:
    response = beheerder.put(f"{API}/Zwole", json=PROFILE)
    assert response.status_code == 404
    assert "Zwolle" in response.json()["did_you_mean"]


def test_an_old_name_is_saved_under_the_official_one(beheerder: Client) -> None:
    response = beheerder.put(f"{API}/Den Haag", json=PROFILE)
    assert response.status_code in (200, 428)  # 428: a rerun on the same database
    assert beheerder.get(f"{API}/Den Haag").json()["municipality"] == "'s-Gravenhage"


def test_other_roles_may_not_read_or_change_profiles(client_as: ClientAs) -> None:
    desk = client_as("loketmedewerker", municipality="Zwolle")
    assert desk.get(API).status_code == 403
    assert desk.put(f"{API}/Zwolle", json=PROFILE).status_code == 403
    assert client_as(None).put(f"{API}/Zwolle", json=PROFILE).status_code == 401


# --- The beheerder's pages --------------------------------------------------------------------


def post_form(client: Client, values: dict[str, str]) -> Response:
    data = values | {"_csrf_token": csrf_token(client, "/beheer/loketten")}
    return client.post("/beheer/loketten/profiel", data=data, follow_redirects=False)


def test_the_page_lists_desks_and_saves_a_profile(
    beheerder: Client, user_factory: Callable[..., object]
) -> None:
    user_factory("loketmedewerker", municipality="Meppel")
    overview = get(beheerder, "/beheer/loketten")
    row = next(r for r in overview.select("tbody tr") if text(r.find("th")) == "Meppel")
    link = row.find("a")
    assert link is not None and "nog niet ingevuld" in text(row)

    form = get(beheerder, str(link["href"]))
    assert form.select_one("input[name=gemeente]")["value"] == "Meppel"
    saved = post_form(beheerder, {"gemeente": "Meppel", "etag": "", **PROFILE})
    assert saved.status_code == 303 and saved.headers["location"] == "/beheer/loketten"
    after = get(beheerder, "/beheer/loketten")
    assert "Het loketprofiel van Meppel is opgeslagen." in text(after.select_one(".notice"))

    again = get(beheerder, "/beheer/loketten/profiel?gemeente=Meppel")
    etag = again.select_one("input[name=etag]")["value"]
    assert etag == '"1"'
    assert again.select_one("#profiel-phone")["value"] == PROFILE["phone"]

    # Someone else saves in between: the form comes back with their input and what is saved now.
    assert post_form(beheerder, {"gemeente": "Meppel", "etag": etag, **PROFILE, "notes": "A"})
    stale = post_form(beheerder, {"gemeente": "Meppel", "etag": etag, **PROFILE, "notes": "B"})
    assert stale.status_code == 412
    page = soup(stale.text)
    assert page.select_one("#profiel-notes").get_text() == "B"
    assert "A" in text(page.select_one("#opgeslagen-kop").parent)
    assert page.select_one("input[name=etag]")["value"] == '"2"'


def test_the_form_answers_bad_input_with_the_form_again(beheerder: Client) -> None:
    response = post_form(beheerder, {"gemeente": "Meppel", "etag": "", "name": "", "phone": "?"})
    assert response.status_code == 422
    page = soup(response.text)
    links = [a["href"] for a in page.select(".error-summary a")]
    assert links == ["#profiel-name", "#profiel-phone"]
    unknown = get(beheerder, "/beheer/loketten/profiel?gemeente=Mepel", 422)
    assert "Meppel" in text(unknown.select_one(".error-summary"))


# --- On the handout ---------------------------------------------------------------------------


def test_a_desk_workers_handout_carries_the_desks_profile(
    beheerder: Client, client_as: ClientAs
) -> None:
    name = "Hardenberg"
    assert beheerder.put(f"{API}/{name}", json=PROFILE).status_code in (200, 428)
    desk = client_as("loketmedewerker", municipality=name)
    handout = text(get(desk, "/folder?slug=ouderschap-blijft").select_one("article.handout"))
    for value in PROFILE.values():
        assert value in handout
    response = desk.get("/folder.pdf?slug=ouderschap-blijft")
    pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert PROFILE["name"] in " ".join(pdf.split()) and PROFILE["phone"] in pdf

    # Someone else's handout (a parent, or a desk of another municipality) does not.
    for other in (client_as(None), client_as("loketmedewerker", municipality="Ommen")):
        assert PROFILE["name"] not in text(get(other, "/folder?slug=ouderschap-blijft"))


def test_four_long_entries_and_a_full_profile_still_fit_one_a4(
    beheerder: Client, client_as: ClientAs
) -> None:
    full = {
        "name": "Scheidingsloket Dalfsen, Ommen en Hardenberg (test)",
        "address": "Voorbeeldstraat 100, 7701 AA Dalfsen",
        "opening_hours": "maandag tot en met vrijdag 9.00 tot 17.00 uur; woensdag ook tot 20.00 uur",
        "phone": "0529-123 456",
        "notes": "Het loket is gratis. U kunt zonder afspraak binnenlopen; voor een gesprek met "
        "een jurist maakt u een afspraak. Neem uw papieren mee.",
    }
    assert beheerder.put(f"{API}/Dalfsen", json=full).status_code in (200, 428)
    desk = client_as("loketmedewerker", municipality="Dalfsen")
    longest = [
        "ouderschap-blijft",
        "kenniscentrum-kind-en-scheiding-haaglanden",
        "kinderen-uit-de-knel",
        "scheidingsspreekuur-hollands-kroon",
    ]
    response = desk.get("/folder.pdf?" + "&".join(f"slug={s}" for s in longest))
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    assert full["phone"] in reader.pages[0].extract_text()
