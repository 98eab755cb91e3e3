"""PDFs: the app's own print font on every machine, and nothing fetched from outside /static/."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from kb.web.pdf import _fetch_static, render_pdf

PAGE = """<!doctype html><html lang="nl"><head><title>Proef</title></head>
<body><h1>Kop</h1><p>Gewone tekst, <strong>vet</strong> en <em>schuin</em>.</p></body></html>"""


def _fonts(pdf: bytes) -> set[str]:
    found = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            found.add(str(font.get_object().get("/BaseFont")).split("+")[-1])
    return found


def test_a_pdf_is_set_in_the_font_that_comes_with_the_app() -> None:
    """Line breaks, and so what fits on the report's first page, must not depend on the fonts
    a server happens to have installed."""
    assert _fonts(render_pdf(PAGE)) >= {
        "Liberation-Sans",
        "Liberation-Sans-Bold",
        "Liberation-Sans-Italic",
    }


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("https://example.org/x.css", id="another-site"),
        pytest.param("file:///etc/passwd", id="a-file"),
        pytest.param("https://kennisbank.invalid/static/../../settings.py", id="out-of-static"),
    ],
)
def test_a_pdf_fetches_nothing_outside_static(url: str) -> None:
    with pytest.raises(ValueError):
        _fetch_static(url)


def test_a_pdf_fetches_the_stylesheet_and_fonts_from_static() -> None:
    css, css_type = _fetch_static("https://kennisbank.invalid/static/kb.css")
    font, font_type = _fetch_static(
        "https://kennisbank.invalid/static/fonts/LiberationSans-Regular.ttf"
    )
    assert css_type == "text/css" and b"@font-face" in css
    assert font_type == "font/ttf" and len(font) > 100_000
