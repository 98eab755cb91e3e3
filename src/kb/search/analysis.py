"""Dutch text analysis shared by every engine: tokens folded, lower-cased, stop words out, stemmed."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cached_property

import tantivy

from kb.search.config import SearchConfig

__all__ = ["DutchAnalyzer", "fold", "highlight_html"]

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
MAX_QUERY_TOKENS = 32  # a pasted page of text is not a query; the first words carry the intent


def fold(text: str) -> str:
    """Lower-case and strip accents: `Coördinatie` → `coordinatie`."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class DutchAnalyzer:
    """The one definition of how Dutch text becomes search terms.

    The embedded engine registers `tantivy_analyzer` for its text fields and runs queries through
    `terms`, so documents and queries meet in the same form.
    """

    def __init__(self, config: SearchConfig) -> None:
        self.config = config

    @cached_property
    def tantivy_analyzer(self) -> tantivy.TextAnalyzer:
        builder = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(60))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
        )
        if self.config.stopwords:
            builder = builder.filter(tantivy.Filter.custom_stopword(sorted(self.config.stopwords)))
        return builder.filter(tantivy.Filter.stemmer("dutch")).build()

    def terms(self, text: str) -> list[str]:
        """The stemmed terms of `text`, in order, duplicates kept."""
        return list(self.tantivy_analyzer.analyze(text))[: MAX_QUERY_TOKENS * 2]

    def words(self, text: str) -> list[str]:
        """The folded words of `text` that are not stop words, unstemmed (for prefixes and typos)."""
        words = [fold(w) for w in _WORD_RE.findall(text)]
        return [w for w in words if w not in self.config.stopwords and len(w) <= 60][
            :MAX_QUERY_TOKENS
        ]


def highlight_html(text: str, ranges: list[tuple[int, int]]) -> str:
    """Escape `text` and wrap each (start, end) byte range in `<mark>`."""
    raw = text.encode("utf-8")
    out: list[str] = []
    position = 0
    for start, end in sorted(ranges):
        if start < position:
            continue
        out.append(html.escape(raw[position:start].decode("utf-8", "ignore")))
        out.append("<mark>" + html.escape(raw[start:end].decode("utf-8", "ignore")) + "</mark>")
        position = end
    out.append(html.escape(raw[position:].decode("utf-8", "ignore")))
    return "".join(out)
