"""The handout as PDF: WeasyPrint renders the same HTML the browser prints, with the same stylesheet."""

from __future__ import annotations

from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["STATIC_DIR", "render_pdf"]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# Relative links in the page (`/static/kb.css`) resolve against this made-up origin, so the
# fetcher below can recognise them; nothing is ever fetched from the network.
_BASE_URL = "https://kennisbank.invalid/"


class _StaticFetcher(URLFetcher):
    """Serves `/static/…` from the package and refuses every other address."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        prefix = _BASE_URL + "static/"
        if not url.startswith(prefix):
            raise ValueError(f"De folder haalt geen bestanden van buiten op: {url}")
        path = (STATIC_DIR / url.removeprefix(prefix).split("?")[0]).resolve()
        if STATIC_DIR not in path.parents or not path.is_file():
            raise ValueError(f"Geen statisch bestand: {url}")
        media_type = "text/css" if path.suffix == ".css" else "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})


def render_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1: structure, language and title for screen readers) of `html`."""
    document = HTML(string=html, base_url=_BASE_URL, url_fetcher=_StaticFetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1")
