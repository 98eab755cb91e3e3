"""PDFs of pages: WeasyPrint renders the same HTML the browser prints, with the same stylesheet."""

from __future__ import annotations

import atexit
import functools
import threading
from pathlib import Path
from typing import Any

from litestar import Request, Response
from litestar.response import Template

from kb.web.pages import NO_STORE, render

__all__ = ["STATIC_DIR", "pdf_response", "render_pdf"]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# Relative links in the page (`/static/kb.css`) resolve against this made-up origin, so the
# fetcher below can recognise them; nothing is ever fetched from the network.
_BASE_URL = "https://kennisbank.invalid/"
_MEDIA_TYPES = {".css": "text/css", ".ttf": "font/ttf"}


def _fetch_static(url: str) -> tuple[bytes, str]:
    """Serves `/static/…` from the package and refuses every other address."""
    prefix = _BASE_URL + "static/"
    if not url.startswith(prefix):
        raise ValueError(f"Een PDF haalt geen bestanden van buiten op: {url}")
    path = (STATIC_DIR / url.removeprefix(prefix).split("?")[0]).resolve()
    if STATIC_DIR not in path.parents or not path.is_file():
        raise ValueError(f"Geen statisch bestand: {url}")
    return path.read_bytes(), _MEDIA_TYPES.get(path.suffix, "application/octet-stream")


@functools.cache
def _fetcher() -> Any:
    # WeasyPrint is imported with the first PDF: it adds some 30 MB to every server process,
    # and most processes never render one.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no type hints
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            body, media_type = _fetch_static(url)
            return URLFetcherResponse(url, body, {"Content-Type": media_type})

    return StaticFetcher()


# The site's stylesheet, which a page rendered for a PDF leaves out (`for_pdf`): it is applied here.
STYLESHEET = STATIC_DIR / "kb.css"
# Keyed by thread, not in a threading.local: at exit the configurations are dropped while
# WeasyPrint's font library is still loaded (dropped later, their finalizer fails noisily).
# A thread id reused after its thread ended takes over a configuration no one else uses.
_per_thread: dict[int, tuple[Any, Any]] = {}
atexit.register(_per_thread.clear)


def _typesetting() -> tuple[Any, Any]:
    """This thread's font configuration and parsed stylesheet, made with its first PDF.

    Building the fonts and parsing the stylesheet were a third of every PDF's time; WeasyPrint's
    fonts are not made to be shared between threads, so each worker thread keeps its own.
    """
    kept = _per_thread.get(threading.get_ident())
    if kept is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        # Parsed as if fetched from /static/, so its fonts come through the same fetcher.
        stylesheet = CSS(
            string=STYLESHEET.read_text(encoding="utf-8"),
            base_url=_BASE_URL + "static/kb.css",
            url_fetcher=_fetcher(),
            font_config=fonts,
        )
        kept = _per_thread[threading.get_ident()] = (fonts, stylesheet)
    return kept


# The longest report the analysis's limits allow takes some 6 s and 70 MB to lay out: two at a
# time per process at most, so that many asked at once wait their turn rather than pile up.
_RENDERING = threading.BoundedSemaphore(2)


def render_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1: structure, language and title for screen readers) of `html`, a
    page rendered for a PDF: without the site's stylesheet, which is applied here."""
    from weasyprint import HTML

    with _RENDERING:
        fonts, stylesheet = _typesetting()
        document = HTML(string=html, base_url=_BASE_URL, url_fetcher=_fetcher())
        pdf: bytes = document.write_pdf(
            pdf_variant="pdf/ua-1", stylesheets=[stylesheet], font_config=fonts
        )
    return pdf


def pdf_response(
    request: Request[Any, Any, Any], document: Template, filename: str
) -> Response[bytes]:
    """`document` rendered as a PDF, shown in the browser (not stored in a shared cache)."""
    document.context["for_pdf"] = True
    return Response(
        render_pdf(render(request, document)),
        media_type="application/pdf",
        headers=NO_STORE | {"Content-Disposition": f'inline; filename="{filename}"'},
    )
