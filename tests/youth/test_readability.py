"""The Flesch-Douma reading ease, counted by hand on small texts."""

from __future__ import annotations

import pytest

from kb.readability import Readability, flesch_douma, plain_text


def test_counts_of_a_simple_text() -> None:
    # "Je mag bel-len." 3 words, 4 syllables; "Het is gra-tis." 3 words, 4 syllables.
    found = Readability("Je mag bellen. Het is gratis.")
    assert (found.sentences, found.words, found.syllables) == (2, 6, 8)
    expected = 206.84 - 0.77 * (100 * 8 / 6) - 0.93 * (6 / 2)
    assert found.score == pytest.approx(expected)


def test_long_words_and_sentences_read_harder() -> None:
    easy = "Je ouders gaan uit elkaar. De rechter luistert naar jou."
    hard = (
        "De rechterlijke beslissing aangaande de hoofdverblijfplaats van de minderjarige wordt "
        "genomen na zorgvuldige belangenafweging door de kinderrechter."
    )
    assert flesch_douma(easy) > 80 > 40 > flesch_douma(hard)


def test_markdown_is_read_as_a_reader_sees_it() -> None:
    text = plain_text(
        "## Wat doet de Raad\n\nDe Raad [praat](/x) met je.\n\n- Bel **112**.\n- Of chat.\n"
    )
    assert text.splitlines() == [
        "Wat doet de Raad",
        "De Raad praat met je.",
        "Bel 112.",
        "Of chat.",
    ]
    # A heading and each list item count as a sentence of their own.
    assert Readability(text).sentences == 4
