"""The section's content: sourced, legal pages citing their article or ruling, readable for its
level; `summary_jongeren` in the entries; and `kb check` refusing what breaks any of that."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.interventions.loader import load_entries
from kb.readability import EASY_FOR_YOUNG_PEOPLE, flesch_douma
from kb.youth.schemas import LEVELS
from kb.youth.service import load_youth_pages
from tests.helpers import CONTENT, kb_check

LIBRARY = load_youth_pages(CONTENT, {e.slug for e in load_entries(CONTENT)})


@pytest.mark.parametrize("page", list(LIBRARY), ids=lambda p: p.path)
def test_each_page_reads_at_its_levels_target(page) -> None:  # type: ignore[no-untyped-def]
    assert page.readability >= page.level.readability_min, (page.path, page.readability)


@pytest.mark.parametrize("page", list(LIBRARY), ids=lambda p: p.path)
def test_each_page_has_sources_and_rights_cite_the_law(page) -> None:  # type: ignore[no-untyped-def]
    assert page.front.sources
    if page.front.legal:
        cited = " ".join(s.cites or "" for s in page.front.sources)
        # An article of a code (art. … BW / Rv) or a ruling by its ECLI.
        assert "art." in cited or "ECLI:NL:" in cited


def test_pages_about_rights_are_marked_as_such() -> None:
    """The pages that tell a child about a right in the procedure must cite it (the issue's rule)."""
    for code in LEVELS:
        for slug in ("scheiden-bij-de-rechter", "praten-met-de-rechter", "bijzondere-curator"):
            page = LIBRARY.get(code, slug)
            assert page is not None and page.front.legal, (code, slug)


def test_the_entries_young_people_need_have_their_own_summary() -> None:
    entries = {e.slug: e for e in load_entries(CONTENT)}
    for slug in (
        "kindgesprek",
        "informele-rechtsingang",
        "bijzondere-curator",
        "kinder-en-jongerenrechtswinkel",
        "kindertelefoon",
        "veilig-thuis",
        "villa-pinedo",
    ):
        text = entries[slug].summary_jongeren
        assert text and flesch_douma(text) >= EASY_FOR_YOUNG_PEOPLE, slug


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


HARD = (
    "Overeenkomstig de toepasselijke wettelijke bepalingen inzake de procesrechtelijke positie van "
    "minderjarigen dient de rechterlijke instantie, alvorens een beschikking te geven, de "
    "belanghebbende minderjarige in de gelegenheid te stellen zijn zienswijze kenbaar te maken."
)


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        pytest.param(
            "jongeren/12-18/bijzondere-curator.md",
            "    cites: art. 1:250 Burgerlijk Wetboek (BW)\n",
            "",
            None,
            id="legal-page-without-any-citation",
        ),
        pytest.param(
            "jongeren/8-11/de-raad.md",
            "related: [raadsonderzoek-gezag-en-omgang, raadsadvies-ter-zitting]",
            "related: [raadsonderzoek-gezag-en-omgang, bestaat-niet]",
            "'bestaat-niet' staat niet in de kennisbank",
            id="unknown-related-entry",
        ),
        pytest.param(
            "jongeren/8-11/de-raad.md",
            "Soms vraagt de rechter hulp",
            HARD + " " + HARD + " Soms vraagt de rechter hulp",
            "leesbaarheid",
            id="too-hard-for-the-level",
        ),
        pytest.param(
            "interventions/masic.md",
            "audience:",
            "summary_jongeren: Bel ons.\naudience:",
            "hoort alleen bij een item voor kinderen",
            id="young-summary-on-an-entry-not-for-children",
        ),
        pytest.param(
            "interventions/kies.md",
            "audience:",
            f"summary_jongeren: {HARD}\naudience:",
            "summary_jongeren: leesbaarheid",
            id="young-summary-too-hard",
        ),
    ],
)
def test_kb_check_refuses(
    capsys: pytest.CaptureFixture[str],
    content_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    file: str,
    old: str,
    new: str,
    expected: str | None,
) -> None:
    path = content_copy / file
    if expected is None:
        # Take every citation out, so the page tells of a right without naming its law.
        text = path.read_text(encoding="utf-8")
        path.write_text(
            "\n".join(line for line in text.splitlines() if "cites:" not in line) + "\n",
            encoding="utf-8",
        )
        expected = "legal: true"
    else:
        _replace(path, old, new)
    code, output = kb_check(capsys, content_copy, monkeypatch)
    assert code == 1
    assert f"content/{file}" in output or file.split("/")[-1] in output
    assert expected in output, output
