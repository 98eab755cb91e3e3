"""The pages without JavaScript: the registry form with its duplicate warning before saving, and
the editors' queue, comparison, approval, edit-then-approve, rejection and 412."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.helpers import AppUnderTest, assert_no_inline_code, csrf_token

FORM = {
    "kind": "pilot",
    "status": "lopend",
    "title": "Rechter vraagt ouders eerst met de kinderen te praten",
    "summary": "Ouders voeren voor de zitting met elk kind een gesprek over het ouderschapsplan.",
    "audience": ["ouders", "kind"],
    "pilot_start": "2026",
    "pilot_locations": "Testdorp",
    "source_title_1": "Testbron",
    "source_url_1": "https://example.org/bruggesprek-testdorp",
    "body": "## Doel\n\nKinderen betrekken bij het ouderschapsplan.",
}


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _post(client, url: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post(url, data=data | {"_csrf_token": csrf_token(client, "/pilots/nieuw")})


def test_form_shows_similar_entries_before_saving(registry: AppUnderTest) -> None:
    author = registry.client(registry.person("raadsonderzoeker"))
    page = author.get("/pilots/nieuw")
    assert page.status_code == 200
    assert_no_inline_code(_soup(page.text))
    looked = _post(author, "/pilots/nieuw", FORM | {"actie": "vergelijk"})
    assert looked.status_code == 200
    links = [a["href"] for a in _soup(looked.text).select("#vergelijkbaar a")]
    assert links[0] == "/interventies/bruggesprek-rechtbank-overijssel"
    # Saving before the warning was seen shows it once more instead of saving.
    first = _post(author, "/pilots/nieuw", FORM | {"actie": "indienen"})
    assert first.status_code == 200 and "Toch indienen" in first.text
    assert _soup(first.text).find("input", attrs={"name": "gezien"}) is not None
    saved = _post(author, "/pilots/nieuw", FORM | {"actie": "indienen", "gezien": "1"})
    assert saved.status_code == 200 and "Mijn voorstellen" in saved.text
    assert "Ingediend" in saved.text


def test_form_errors_come_back_in_dutch_with_the_input(registry: AppUnderTest) -> None:
    author = registry.client(registry.person("raadsonderzoeker"))
    broken = FORM | {
        "actie": "indienen",
        "gezien": "1",
        "source_url_1": "geen adres",
        "age_min": "x",
    }
    answer = _post(author, "/pilots/nieuw", broken)
    assert answer.status_code == 422
    soup = _soup(answer.text)
    assert soup.select(".error-summary li")
    field = soup.find("input", attrs={"name": "source_url_1"})
    assert field is not None and field["aria-invalid"] == "true" and field["value"] == "geen adres"
    assert soup.find("textarea", attrs={"name": "summary"}).get_text() == FORM["summary"]


def test_similar_partial_for_typing(registry: AppUnderTest) -> None:
    author = registry.client(registry.person("loketmedewerker", municipality="Amsterdam"))
    partial = author.get(
        "/pilots/vergelijkbaar", params={"title": "vrijwilligers begeleiden de omgang"}
    )
    assert partial.status_code == 200 and "bor-humanitas" in partial.text


def test_editor_reviews_edits_and_approves(registry: AppUnderTest) -> None:
    author = registry.client(registry.person("raadsonderzoeker"))
    editor = registry.client(registry.person("redacteur"))
    _post(author, "/pilots/nieuw", FORM | {"actie": "indienen", "gezien": "1"})
    queue = editor.get("/redactie")
    assert queue.status_code == 200 and "/redactie/zoekopdrachten" in queue.text
    link = _soup(queue.text).select_one("a[href^='/redactie/voorstellen/']")
    assert link is not None
    review = editor.get(str(link["href"]))
    rows = [th.get_text() for th in _soup(review.text).select("table.diff th[scope=row]")]
    assert "Titel" in rows and "Bronnen" in rows
    edit_url = f"{link['href']}/bewerken"
    form = _soup(editor.get(edit_url).text)
    etag = form.find("input", attrs={"name": "etag"})["value"]
    changed = FORM | {"title": "Bruggesprek in Testdorp (pilot)", "etag": etag}
    # Someone else saved in between: 412, the form again with what was typed.
    saved = _post(editor, edit_url, changed | {"actie": "opslaan"})
    assert saved.status_code == 200
    stale = _post(editor, edit_url, changed | {"actie": "opslaan"})
    assert stale.status_code == 412
    assert _soup(stale.text).find("input", attrs={"name": "title"})["value"] == changed["title"]
    fresh = _soup(stale.text).find("input", attrs={"name": "etag"})["value"]
    approved = _post(editor, edit_url, changed | {"actie": "goedkeuren", "etag": fresh})
    assert approved.status_code == 200 and "goedgekeurd" in approved.text.lower()
    found = registry.client().get("/api/v1/interventions", params={"q": "Bruggesprek Testdorp"})
    assert "bruggesprek-in-testdorp-pilot" in [i["slug"] for i in found.json()["items"]]


def test_editor_rejects_and_author_sees_the_reason(registry: AppUnderTest) -> None:
    author = registry.client(registry.person("raadsonderzoeker"))
    editor = registry.client(registry.person("redacteur"))
    _post(author, "/pilots/nieuw", FORM | {"actie": "indienen", "gezien": "1"})
    link = _soup(editor.get("/redactie").text).select_one("a[href^='/redactie/voorstellen/']")
    review = _soup(editor.get(str(link["href"])).text)
    etag = review.find("input", attrs={"name": "etag"})["value"]
    rejected = _post(
        editor, f"{link['href']}/afwijzen", {"etag": etag, "reason": "Bestaat al: bruggesprek."}
    )
    assert rejected.status_code == 200
    assert "Bestaat al: bruggesprek." in author.get("/pilots").text


def test_pages_are_for_the_right_roles(registry: AppUnderTest) -> None:
    assert registry.client().get("/pilots/nieuw", follow_redirects=False).status_code in (
        302,
        303,
        401,
    )
    admin = registry.client(registry.person("beheerder"))
    assert admin.get("/pilots/nieuw").status_code == 403
    author = registry.client(registry.person("raadsonderzoeker"))
    assert author.get("/redactie").status_code == 403


def test_a_correction_starts_from_the_entry(registry: AppUnderTest) -> None:
    author = registry.client(registry.person("raadsonderzoeker"))
    entry = _soup(author.get("/interventies/regierechter").text)
    link = entry.find("a", string="Stel een correctie voor")
    assert link is not None and link["href"] == "/pilots/nieuw?over=regierechter"
    form = _soup(author.get(str(link["href"])).text)
    assert form.find("input", attrs={"name": "about"})["value"] == "regierechter"
    assert form.find("input", attrs={"name": "title"})["value"].startswith("Regierechter")
