"""The report as a PDF for the court: every page says whose case, which version, that it is
confidential and its number; links say where they lead; the people by name and role; no page
left nearly empty; tagged for screen readers. Checked in the text and in the rendered pages."""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from tests.conflict_analysis.helpers import API, Raad
from tests.factories import COURT, OFFICE

SITE = "http://testserver.local"
MM = 72 / 25.4  # PDF points per millimetre
PAGE_MARGIN_MM = 13  # @page report in kb.css: the header and the page number sit in it
LEAST_FILLED = 0.6  # a page other than the last whose text ends above this is near-empty


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture()
def named(client_as: Any) -> Raad:
    """The Raad and the court as people with a display name, as a beheerder invites them."""
    return Raad(
        investigator=client_as("raadsonderzoeker", office=OFFICE, display_name="S. de Vries"),
        expert=client_as("gedragsdeskundige", office=OFFICE, display_name="dr. A. Bakker"),
        judge=client_as("rechter", court=COURT, display_name="mr. K. Jansen"),
        make=client_as,
    )


def full_reassessment(raad: Raad, case: dict[str, Any]) -> dict[str, Any]:
    """A realistic analysis as a judge gets it after a re-assessment: three children, the
    factors and statements of a real weighing, and a version 1 to compare with."""
    made = raad.submitted(case)
    url = f"{API}/{made['id']}"
    v2 = raad.investigator.post(f"{url}/reassessments").json()
    changed = copy.deepcopy(case)
    changed["safety"]["lethality_indicators"] = ["doodsbedreiging"]
    changed["safety"]["police_involved"] = True
    changed["children"].append(
        copy.deepcopy(changed["children"][0])
        | {"ref": "K3", "birth_year": 2012, "own_words": "Ik wil bij papa én mama kunnen zijn."}
    )
    changed["children"][0]["own_words"] = "Ik wil bij mama blijven wonen, maar papa ook zien."
    changed["factors"] += [
        {
            "kind": "belemmerend",
            "text": f"Ouder B dreigde in maart de kinderen mee te nemen (melding {n}).",
            "weight": 3,
            "source": "politie",
        }
        for n in range(1, 4)
    ]
    changed["assessment"]["statements"] += [
        {
            "text": f"Ouder A meldt dat ouder B haar berichten controleert ({n}).",
            "kind": "mening",
            "source": "gesprek met ouder A",
            "other_side_responded": False,
        }
        for n in range(1, 6)
    ]
    saved = raad.investigator.put(url, json=changed, headers={"If-Match": v2["etag"]})
    assert saved.status_code == 200, saved.text
    assert raad.investigator.post(f"{url}/submit").status_code == 200
    approved = raad.expert.post(f"{url}/approve")
    assert approved.status_code == 200, approved.text
    return dict(approved.json())


@dataclass
class Printed:
    """A PDF as text per page (pypdf) and as images of its pages (PDFium)."""

    pdf: bytes

    @property
    def reader(self) -> PdfReader:
        return PdfReader(io.BytesIO(self.pdf))

    def texts(self) -> list[str]:
        return [words(page.extract_text()) for page in self.reader.pages]

    def ink(self) -> list[tuple[float, float, float]]:
        """Per page, in millimetres from the top: the first and last inked rows of the page,
        and the last inked row above the bottom margin (where the page number sits)."""
        found = []
        for page in pdfium.PdfDocument(self.pdf):
            image = page.render(scale=2).to_pil().convert("L")
            # Ink white on black, so that the bounding box of what is not black is the ink's.
            ink = image.point(lambda value: 255 if value < 160 else 0)
            per_mm = image.height / (page.get_height() / MM)
            body_end = round(image.height - PAGE_MARGIN_MM * per_mm)
            whole = ink.getbbox()
            body = ink.crop((0, 0, image.width, body_end)).getbbox()
            assert whole is not None and body is not None, "a blank page"
            found.append((whole[1] / per_mm, whole[3] / per_mm, body[3] / per_mm))
        return found


def printed(client: Any, analysis: dict[str, Any], version: int | None = None) -> Printed:
    params = {"version": version} if version else {}
    response = client.get(f"{API}/{analysis['id']}/report.pdf", params=params)
    assert response.status_code == 200, response.text
    return Printed(response.content)


def test_every_page_names_case_version_confidentiality_and_its_number(
    on_a_fixed_day: None, named: Raad, case: dict[str, Any]
) -> None:
    pdf = printed(named.judge, full_reassessment(named, case))
    texts = pdf.texts()
    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert f"Conflictanalyse zaak {case['case']['case_number']} · versie 2" in text, number
        assert "Vertrouwelijk" in text, number
        assert f"pagina {number} van {len(texts)}" in text, number
    # Rendered, the header and the page number are ink in the margins of every page.
    page_height = 297
    for first, last, _ in pdf.ink():
        assert first < PAGE_MARGIN_MM
        assert last > page_height - PAGE_MARGIN_MM


def test_no_page_but_the_last_is_nearly_empty(
    on_a_fixed_day: None, named: Raad, case: dict[str, Any]
) -> None:
    """A full analysis with what changed since version 1: each page's text runs on to near its
    bottom margin, so no page holds a stray sentence or stops halfway (issue 12)."""
    analysis = full_reassessment(named, case)
    for version in (1, 2):
        pdf = printed(named.judge, analysis, version)
        inked = pdf.ink()
        usable = 297 - 2 * PAGE_MARGIN_MM
        filled = [(body_end - PAGE_MARGIN_MM) / usable for _, _, body_end in inked[:-1]]
        assert filled and min(filled) >= LEAST_FILLED, (version, filled)


def test_the_summary_opens_the_first_page(
    on_a_fixed_day: None, named: Raad, case: dict[str, Any]
) -> None:
    made = named.submitted(case)
    first, *rest = printed(named.judge, made).texts()
    for match in made["recommendation"]["interventions"]:
        assert match["title"] in first
    assert "Aanbevolen hulp" in first and "De analyse in detail" in " ".join(rest)


def test_people_appear_by_name_and_role(
    on_a_fixed_day: None, named: Raad, case: dict[str, Any]
) -> None:
    first = printed(named.judge, named.submitted(case)).texts()[0]
    assert f"Opgesteld door: S. de Vries, raadsonderzoeker ({OFFICE})" in first
    assert "geaccordeerd door dr. A. Bakker, gedragsdeskundige" in first
    assert "raadsond-" not in first and "gedragsd-" not in first  # no usernames


def test_links_lead_to_the_site_not_to_a_bare_path(
    on_a_fixed_day: None, named: Raad, case: dict[str, Any]
) -> None:
    made = named.submitted(case)
    pdf = printed(named.judge, made)
    targets = [
        str(annotation.get_object()["/A"]["/URI"])
        for page in pdf.reader.pages
        for annotation in page.get("/Annots") or []
        if "/A" in annotation.get_object()
    ]
    slugs = [m["slug"] for m in made["recommendation"]["interventions"]]
    assert {f"{SITE}/interventies/{slug}" for slug in slugs} <= set(targets)
    assert all(t.startswith(f"{SITE}/") for t in targets), targets
    # Printed on paper, the address is written out in full.
    text = "".join(re.sub(r"\s+", "", t) for t in pdf.texts())
    assert f"({SITE}/interventies/{slugs[0]})" in text


def test_a_draft_says_so_on_every_page(named: Raad, case: dict[str, Any]) -> None:
    made = named.created(case)
    for text in printed(named.investigator, made).texts():
        assert f"Conflictanalyse zaak {case['case']['case_number']} · versie 1 · CONCEPT" in text


def test_the_pdf_is_tagged_for_screen_readers(named: Raad, case: dict[str, Any]) -> None:
    reader = printed(named.judge, named.submitted(case)).reader
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "nl"
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
