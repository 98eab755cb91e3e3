"""How easy a Dutch text is to read: the Flesch reading ease as adapted to Dutch by Douma (1960).

    score = 206.84 − 0.77 × (syllables per 100 words) − 0.93 × (words per sentence)

Higher is easier: 80–100 reads as easy (simple children's texts), 60–70 as plain newspaper
language. Syllables come from the Dutch hyphenation patterns (pyphen's `nl_NL`, the dictionary
WeasyPrint already uses to hyphenate), which split words at syllable boundaries; a word gets one
syllable more than it has hyphenation points. Markdown is reduced to its words first; headings and
list items count as sentences of their own, as a reader takes them.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyphen

__all__ = [
    "EASY_FOR_CHILDREN",
    "EASY_FOR_YOUNG_PEOPLE",
    "Readability",
    "flesch_douma",
    "plain_text",
]

# The targets for texts young people read themselves. Children of 8–11: easy (≥ 85, the band of
# simple children's books). Young people of 12–18: fairly easy (≥ 70), above plain newspaper
# language (60–70), because they read it about their own family, often under stress.
EASY_FOR_CHILDREN = 85.0
EASY_FOR_YOUNG_PEOPLE = 70.0

_WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:['’-][A-Za-zÀ-ÿ]+)*")
_SENTENCE_END = re.compile(r"[.!?:;]+(?:\s|$)|\n")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`>#]+")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+", re.MULTILINE)
_HEADING = re.compile(r"^#+\s*(.*)$", re.MULTILINE)


@lru_cache(maxsize=1)
def _hyphenator() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="nl_NL")


def plain_text(markdown: str) -> str:
    """The words of a Markdown text, one paragraph, heading or list item per line."""
    text = _LINK.sub(r"\1", markdown)
    text = _LIST_MARK.sub("\n\n", text)  # a list item is a block of its own
    text = _HEADING.sub(r"\n\n\1\n\n", text)
    text = _MARKUP.sub("", text)
    blocks = (" ".join(block.split()) for block in re.split(r"\n\s*\n", text))
    return "\n".join(block for block in blocks if block)


def _syllables(word: str) -> int:
    return len(_hyphenator().positions(word.lower())) + 1


class Readability:
    """The counts behind a score, so a page that misses its target can say why."""

    def __init__(self, text: str) -> None:
        sentences = [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]
        words = _WORD.findall(text)
        self.sentences = max(len(sentences), 1)
        self.words = max(len(words), 1)
        self.syllables = sum(_syllables(w) for w in words)

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences

    @property
    def syllables_per_word(self) -> float:
        return self.syllables / self.words

    @property
    def score(self) -> float:
        return 206.84 - 0.77 * (100 * self.syllables_per_word) - 0.93 * self.words_per_sentence


def flesch_douma(text: str) -> float:
    """The Flesch-Douma reading ease of plain `text` (see the module's docstring)."""
    return Readability(text).score
