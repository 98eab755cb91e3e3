"""Publishing the indicators: small counts, their complements and differences with the total."""

from __future__ import annotations

import pytest

from kb.monitor.indicators import CellCounts, figure, knowledge_base_figure, publish_year
from kb.vocabulary import COURTS

A, B, C = COURTS[0], COURTS[1], COURTS[2]


@pytest.mark.parametrize(
    ("numerator", "denominator", "shown", "total", "reason"),
    [
        pytest.param(4, 20, "<5", 20, "klein_aantal", id="4 of 20: the count is small"),
        pytest.param(5, 20, 5, 20, None, id="5 of 20: published"),
        pytest.param(16, 20, None, 20, "complement", id="16 of 20: the 4 others are few"),
        pytest.param(15, 20, 15, 20, None, id="15 of 20: both 15 and 5 are enough"),
        pytest.param(4, 4, "<5", "<5", "klein_aantal", id="4 of 4: both small"),
        pytest.param(0, 30, "<5", 30, "klein_aantal", id="none of 30: a zero is small too"),
    ],
)
def test_one_court_small_counts_and_complements(
    numerator: int, denominator: int, shown: object, total: object, reason: str | None
) -> None:
    table = publish_year(
        2025, {A: {"settled_by_mediation": CellCounts(numerator, denominator)}}, [A]
    )
    cell = table.courts[A][1]
    assert cell.code == "settled_by_mediation"
    assert (cell.numerator, cell.denominator, cell.suppressed) == (shown, total, reason)
    assert (cell.value is None) == (reason is not None)
    if reason is None:
        assert cell.value == round(100 * numerator / denominator, 1)


def test_a_withheld_court_cannot_be_recovered_from_the_national_total() -> None:
    # A has 3 of 10; B and C are large enough on their own. Publishing B and C beside the
    # national total would give A's 3 back, so the smallest of them (B) is withheld as well.
    counts = {
        A: {"curator_appointed": CellCounts(3, 10)},
        B: {"curator_appointed": CellCounts(10, 30)},
        C: {"curator_appointed": CellCounts(20, 60)},
    }
    table = publish_year(2025, counts, [A, B, C])
    cells = {court: table.courts[court][2] for court in (A, B, C)}
    assert cells[A].numerator == "<5" and cells[A].suppressed == "klein_aantal"
    assert cells[B].numerator is None and cells[B].suppressed == "verschil"
    assert cells[C].numerator == 20 and cells[C].suppressed is None
    national = table.national[2]
    assert (national.numerator, national.denominator) == (33, 100)
    # What can be computed: national − C = 13 of 40 for A and B together, which passes the rule.
    hidden = CellCounts(33 - 20, 100 - 60)
    assert hidden.passes


def test_nothing_more_is_withheld_when_the_withheld_courts_together_are_large_enough() -> None:
    counts = {
        A: {"curator_appointed": CellCounts(3, 10)},
        B: {"curator_appointed": CellCounts(2, 15)},
        C: {"curator_appointed": CellCounts(20, 60)},
    }
    table = publish_year(2025, counts, [A, B, C])
    # A and B together: 5 of 25, so C's published 20 of 60 gives nothing small away.
    assert table.courts[C][2].numerator == 20
    assert {table.courts[A][2].suppressed, table.courts[B][2].suppressed} == {"klein_aantal"}


def test_a_court_without_cases_shows_small_counts_not_zeroes() -> None:
    table = publish_year(2025, {}, [A])
    assert all(f.numerator == "<5" and f.denominator == "<5" for f in table.courts[A])
    assert all(f.value is None for f in table.national)


def test_the_knowledge_base_indicator_has_only_the_small_count_rule() -> None:
    # 38 of 40 entries effective: no people behind it, so no complement rule.
    assert knowledge_base_figure(38, 40).value == 95.0
    small = knowledge_base_figure(4, 40)
    assert (small.numerator, small.value, small.suppressed) == ("<5", None, "klein_aantal")


def test_a_published_figure_carries_its_percentage_rounded_to_one_decimal() -> None:
    shown = figure("curator_appointed", CellCounts(10, 30), None)
    assert (shown.numerator, shown.denominator, shown.value) == (10, 30, 33.3)
