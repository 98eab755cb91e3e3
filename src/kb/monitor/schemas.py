"""The monitor's shapes: the outcome a closing case records, and the indicators it is counted in.

Declared once here: the six indicators (code, Dutch label, what is counted), which the service,
the API, the CSV, the charts and the pages all read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

__all__ = [
    "INDICATORS",
    "INDICATOR_CODES",
    "NATIONAL",
    "SMALL",
    "Count",
    "IndicatorCode",
    "IndicatorDefinition",
    "IndicatorFigure",
    "MonitorReport",
    "OutcomeIn",
    "OutcomeOut",
    "TrendPoint",
]

# A count under the threshold is shown as this text, everywhere (domain.md §8).
SMALL = "<5"
# The label of the figures of all courts together.
NATIONAL = "Landelijk"

IndicatorCode = Literal[
    "procedure_over_one_year",
    "settled_by_mediation",
    "curator_appointed",
    "municipal_support",
    "curator_disciplinary",
    "interventions_effective",
]


@dataclass(frozen=True)
class IndicatorDefinition:
    """One indicator: its code (contracts.md), its Dutch label, and what its numerator and
    denominator count, in words for the page."""

    code: IndicatorCode
    label: str
    numerator: str
    denominator: str


INDICATORS: tuple[IndicatorDefinition, ...] = (
    IndicatorDefinition(
        "procedure_over_one_year",
        "Scheidingen langer dan een jaar in procedure",
        "zaken waarin de procedure langer dan 365 dagen duurde",
        "afgesloten zaken waarvan begin en einde van de procedure bekend zijn",
    ),
    IndicatorDefinition(
        "settled_by_mediation",
        "Geschil beslecht via mediation",
        "zaken beslecht via mediation",
        "afgesloten zaken waarvan dit bekend is",
    ),
    IndicatorDefinition(
        "curator_appointed",
        "Kind bijgestaan door een bijzondere curator",
        "zaken met een bijzondere curator",
        "afgesloten zaken waarvan dit bekend is",
    ),
    IndicatorDefinition(
        "municipal_support",
        "Ouders kregen (preventieve) gemeentelijke ondersteuning",
        "zaken waarin de ouders gemeentelijke ondersteuning kregen",
        "afgesloten zaken waarvan dit bekend is",
    ),
    IndicatorDefinition(
        "curator_disciplinary",
        "Curatoren met een tuchtprocedure",
        "zaken waarin tegen de bijzondere curator een tuchtprocedure liep",
        "afgesloten zaken met een bijzondere curator waarvan dit bekend is",
    ),
    IndicatorDefinition(
        "interventions_effective",
        "Interventies effectief volgens onderzoek",
        "actieve of lopende interventies met bewijskrachtniveau 3 of hoger (vandaag)",
        "actieve of lopende interventies in de kennisbank (vandaag)",
    ),
)
INDICATOR_CODES: tuple[IndicatorCode, ...] = tuple(d.code for d in INDICATORS)

# An int, or "<5" for a count under five; None when a larger count is withheld because it would
# give a small one away (its complement, or a difference with a published total).
Count = int | Literal["<5"] | None


class IndicatorFigure(BaseModel):
    """One indicator for one court (or the country) and year, as published."""

    code: IndicatorCode
    label: str
    numerator: Count
    denominator: Count
    value: float | None = Field(
        description="Het percentage (0–100), of null als het is afgeschermd"
    )
    suppressed: Literal["klein_aantal", "complement", "verschil"] | None = Field(
        default=None,
        description=(
            "Waarom de telling is afgeschermd: klein_aantal (minder dan 5), complement (de rest "
            "is minder dan 5) of verschil (af te leiden uit een totaal)"
        ),
    )


class MonitorReport(BaseModel):
    """contracts.md: the indicators of one court (null: the whole country) and year."""

    court: str | None
    year: int
    indicators: list[IndicatorFigure]
    synthetic: bool = Field(
        default=False, description="Waar: de cijfers bevatten verzonnen demo-uitkomsten"
    )


class TrendPoint(BaseModel):
    """One year of one indicator, for a chart and its table."""

    year: int
    figure: IndicatorFigure


# --- The outcome a closing case records ---------------------------------------------------------

MaybeBool = StrictBool | None


class OutcomeIn(BaseModel):
    """contracts.md: `POST …/{id}/outcome`. A boolean may be null: unknown, and not counted."""

    model_config = ConfigDict(extra="forbid")

    closed_on: dt.date
    procedure_ended_on: dt.date | None = None
    settled_by_mediation: MaybeBool = None
    curator_appointed: MaybeBool = None
    municipal_support: MaybeBool = None
    curator_disciplinary: MaybeBool = None


Days = Annotated[int, Field(ge=0)]


class OutcomeOut(BaseModel):
    """The outcome of a closed case, as its investigator recorded it."""

    analysis_id: int
    version: int
    court: str
    closed_on: dt.date
    procedure_ended_on: dt.date | None
    procedure_days: Days | None
    settled_by_mediation: bool | None
    curator_appointed: bool | None
    municipal_support: bool | None
    curator_disciplinary: bool | None
    closed_at: dt.datetime
    retained_until: dt.date = Field(description="Na deze datum wordt de zaak verwijderd (kb purge)")
