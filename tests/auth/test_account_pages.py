"""The beheerder's account pages: the list, the form with its error summary, creating."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag
from httpx import Response
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.auth.models import AuditEntry
from kb.vocabulary import COURTS, ROLES
from tests.helpers import AppUnderTest, csrf_token


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _post_new(client: TestClient[Litestar], **fields: str) -> Response:
    data = {"_csrf_token": csrf_token(client, "/beheer/accounts/nieuw"), **fields}
    return client.post("/beheer/accounts", data=data, follow_redirects=False)


def test_the_form_offers_every_role_and_the_eleven_courts(shared_app: AppUnderTest) -> None:
    client = shared_app.client(shared_app.person("beheerder"))
    soup = _soup(client.get("/beheer/accounts/nieuw").text)
    form = soup.find("form", attrs={"action": "/beheer/accounts"})
    assert isinstance(form, Tag)
    roles = [o["value"] for o in form.select("select[name=role] option") if o["value"]]
    courts = [o["value"] for o in form.select("select[name=court] option") if o["value"]]
    assert roles == list(ROLES) and courts == list(COURTS) and len(courts) == 11
    for control in form.find_all(["input", "select"]):
        if control.get("type") == "hidden":
            continue
        assert soup.find("label", attrs={"for": control["id"]}) is not None, control["name"]


def test_errors_are_summarised_at_the_top_with_links_to_the_fields(
    shared_app: AppUnderTest,
) -> None:
    client = shared_app.client(shared_app.person("beheerder"))
    response = _post_new(
        client, username="Met Spatie", role="rechter", office="Raad Utrecht", password="kort"
    )
    assert response.status_code == 422
    soup = _soup(response.text)
    assert soup.title is not None and soup.title.get_text().startswith("Fout:")
    links = [(a["href"], a.get_text(strip=True)) for a in soup.select("div[role=alert] a")]
    assert [href for href, _ in links] == [
        "#account-username",
        "#account-court",
        "#account-office",
    ]
    for href, _ in links:
        field = soup.find(id=href[1:])
        assert isinstance(field, Tag) and field.get("aria-invalid") == "true"
        assert f"{href[1:]}-fout" in str(field.get("aria-describedby"))
    # What was typed stays; there is no password to type (the user chooses it, finding 4).
    username = soup.find("input", attrs={"name": "username"})
    assert isinstance(username, Tag) and username["value"] == "Met Spatie"
    assert soup.find("input", attrs={"type": "password"}) is None


def test_inviting_an_account(shared_app: AppUnderTest) -> None:
    admin = shared_app.person("beheerder")
    client = shared_app.client(admin)
    response = _post_new(
        client, username="m.bakker", role="raadsonderzoeker", office="Raad Rotterdam"
    )
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    link = _soup(response.text).find("input", id="activeringslink")
    assert isinstance(link, Tag) and "/activeren/" in str(link["value"])
    soup = _soup(client.get("/beheer/accounts").text)
    row = next(tr for tr in soup.select("tbody tr") if "m.bakker" in tr.get_text())
    assert [td.get_text(" ", strip=True) for td in row.find_all("td")][:3] == [
        "Raadsonderzoeker",
        "Raad Rotterdam",
        "Uitgenodigd",
    ]
    with Session(shared_app.engine) as session:
        entry = session.execute(
            select(AuditEntry).where(
                AuditEntry.action == "account.invite", AuditEntry.object_id == "m.bakker"
            )
        ).scalar_one()
    assert (entry.actor, entry.role) == (admin.username, "beheerder")

    again = _post_new(client, username="m.bakker", role="redacteur")
    assert again.status_code == 409
    assert "bestaat al" in again.text
