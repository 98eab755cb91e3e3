"""HTTP for the monitor: its API and CSV (contracts.md, Monitor), its page with charts, and
closing a case with its outcome (`POST /api/v1/conflict-analyses/{id}/outcome` and the page
`/analyses/{id}/afsluiten`). Pages and API call the same service methods.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from kb.access import Caller
from kb.errors import ConflictError, InvalidInputError
from kb.interventions.catalogue import Catalogue
from kb.monitor.charts import describe, trend_svg
from kb.monitor.schemas import INDICATORS, NATIONAL, MonitorReport, OutcomeOut
from kb.monitor.service import MonitorConfig, MonitorService, OutcomeService
from kb.web.auth import requires
from kb.web.operations import operation
from kb.web.pages import (
    NO_STORE,
    AnyRequest,
    FormData,
    alternate,
    first_values,
    page,
    redirect_with_notice,
    take_notice,
)

__all__ = ["MONITOR_ROUTES", "MonitorApi", "MonitorPages", "OutcomeApi", "OutcomePages"]

API_PATH = "/api/v1/monitor"
CSV_TYPE = "text/csv; charset=utf-8"


def provide_monitor(
    db_session: NamedDependency[Session],
    catalogue: NamedDependency[Catalogue],
    caller: NamedDependency[Caller],
    monitor_config: NamedDependency[MonitorConfig],
) -> MonitorService:
    return MonitorService(
        db_session,
        catalogue,
        caller.user,
        include_synthetic=monitor_config.include_synthetic,
        cache=monitor_config.cache,
    )


def provide_outcomes(
    db_session: NamedDependency[Session],
    caller: NamedDependency[Caller],
    monitor_config: NamedDependency[MonitorConfig],
) -> OutcomeService:
    return OutcomeService(db_session, caller, monitor_config.retention_days)


Monitor = NamedDependency[MonitorService]
Outcomes = NamedDependency[OutcomeService]
CourtQuery = Annotated[
    str | None,
    QueryParameter(max_length=100, description="Een rechtbank; leeg: uw eigen, of landelijk"),
]
YearQuery = Annotated[
    int | None, QueryParameter(ge=1990, le=2100, description="Een kalenderjaar; leeg: het laatste")
]
OutcomeData = Annotated[
    Any,
    Body(
        title="Uitkomst",
        description="closed_on, procedure_ended_on en vier ja/nee-velden (null: onbekend)",
    ),
]

READ = operation(
    'De indicatoren van één rechtbank (of landelijk) en jaar; aantallen onder 5 als "<5"',
    403,
    422,
    action="monitor.read",
    texts={403: "Een rechtbank buiten uw werkgebied (rechter en Raad: alleen de eigen)."},
)
CSV = operation(
    "Alle rechtbanken en jaren die u mag zien, als CSV", action="monitor.read", media_type=CSV_TYPE
)
CLOSE = operation(
    "Sluit de zaak af met haar uitkomst; de bewaartermijn begint",
    *(400, 403, 404, 409, 422),
    action="analysis.close",
    texts={409: "De laatste versie is niet ingediend, of de zaak is al afgesloten."},
)


def monitor_csv(monitor: MonitorService) -> str:
    """Every court and year the caller may see, one indicator a row; "<5" as in the API."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "rechtbank",
            "jaar",
            "indicator",
            "omschrijving",
            "teller",
            "noemer",
            "percentage",
            "afgeschermd",
            "verzonnen",
        ]
    )
    for report in monitor.table():
        for figure in report.indicators:
            writer.writerow(
                [
                    report.court or NATIONAL,
                    report.year,
                    figure.code,
                    figure.label,
                    "" if figure.numerator is None else figure.numerator,
                    "" if figure.denominator is None else figure.denominator,
                    "" if figure.value is None else figure.value,
                    figure.suppressed or "",
                    "ja" if report.synthetic else "nee",
                ]
            )
    return out.getvalue()


def _csv_response(monitor: MonitorService) -> Response[str]:
    return Response(
        monitor_csv(monitor),
        media_type=CSV_TYPE,
        headers={"Content-Disposition": 'attachment; filename="monitor.csv"', **NO_STORE},
    )


MONITOR_DEPENDENCIES = {
    "monitor": Provide(provide_monitor, sync_to_thread=False),
    "outcomes": Provide(provide_outcomes, sync_to_thread=False),
}


class MonitorApi(Controller):
    """contracts.md, Monitor: aggregates only, per court and year."""

    path = "/api/v1"
    tags = ["Monitor"]
    dependencies = MONITOR_DEPENDENCIES

    @get("/monitor", **READ)
    def report(
        self, monitor: Monitor, court: CourtQuery = None, year: YearQuery = None
    ) -> MonitorReport:
        return monitor.report(*monitor.choose(court, year))

    @get("/monitor.csv", **CSV)
    def csv(self, monitor: Monitor) -> Response[str]:
        return _csv_response(monitor)


class OutcomeApi(Controller):
    """contracts.md, Conflict analyses, added: closing a case with its outcome."""

    path = "/api/v1/conflict-analyses"
    tags = ["Conflictanalyse"]
    dependencies = MONITOR_DEPENDENCIES

    @post("/{analysis_id:int}/outcome", **CLOSE)
    def close(
        self, outcomes: Outcomes, analysis_id: FromPath[int], data: OutcomeData
    ) -> Response[OutcomeOut]:
        return Response(outcomes.record(analysis_id, data), status_code=201, headers=NO_STORE)


def _page_for(**more: Any) -> dict[str, Any]:
    return {"guards": [requires("monitor.read")], "sync_to_thread": True} | more


class MonitorPages(Controller):
    """`/monitor`: the indicators of a court (or the country) and year, the courts side by side
    for those who see them all, and each indicator's trend as a chart with its table."""

    path = "/monitor"
    include_in_schema = False
    dependencies = MONITOR_DEPENDENCIES

    @get("/", **_page_for())
    def overview(
        self,
        monitor: Monitor,
        rechtbank: CourtQuery = None,
        jaar: YearQuery = None,
    ) -> Template:
        court, year = monitor.choose(rechtbank, jaar)
        report = monitor.report(court, year)
        place = court or NATIONAL
        trends = [
            {
                "trend": trend,
                "svg": trend_svg(f"trend-{trend.code}", trend.label, place, trend.points),
                "text": describe(trend.label, place, trend.points),
            }
            for trend in monitor.trends(court)
        ]
        courts = (
            [(c, monitor.report(c, year)) for c in monitor.scope.courts]
            if monitor.scope.national
            else []
        )
        query = f"?court={court or ''}&year={year}"
        return page(
            "monitor/monitor.html",
            headers=alternate(f"{API_PATH}{query}") | NO_STORE,
            report=report,
            place=place,
            scope=monitor.scope,
            years=monitor.years(),
            trends=trends,
            courts=courts,
            synthetic=monitor.synthetic(court) or any(r.synthetic for _, r in courts),
            definitions=INDICATORS,
        )

    @get("/monitor.csv", **_page_for())
    def csv(self, monitor: Monitor) -> Response[str]:
        return _csv_response(monitor)


# --- Closing a case on its page -------------------------------------------------------------------

_ANSWERS = {"ja": True, "nee": False}
BOOLEAN_FIELDS = (
    ("settled_by_mediation", "Is het geschil beslecht via mediation?"),
    ("curator_appointed", "Is het kind bijgestaan door een bijzondere curator?"),
    ("municipal_support", "Kregen de ouders (preventieve) ondersteuning van de gemeente?"),
    (
        "curator_disciplinary",
        "Liep er een tuchtprocedure tegen de bijzondere curator?",
    ),
)


def outcome_from_form(values: dict[str, str]) -> dict[str, Any]:
    """The form's text as the API's body: ja/nee/onbekend as true/false/null, empty dates null."""
    data: dict[str, Any] = {
        "closed_on": values.get("closed_on") or None,
        "procedure_ended_on": values.get("procedure_ended_on") or None,
    }
    for name, _ in BOOLEAN_FIELDS:
        data[name] = _ANSWERS.get(values.get(name, ""))
    return data


class OutcomePages(Controller):
    """`/analyses/{id}/afsluiten`: the investigator records the outcome; others read it."""

    path = "/analyses"
    include_in_schema = False
    dependencies = MONITOR_DEPENDENCIES

    @get("/{analysis_id:int}/afsluiten", guards=[requires("analysis.read")], sync_to_thread=True)
    def show(self, request: AnyRequest, outcomes: Outcomes, analysis_id: FromPath[int]) -> Template:
        version, outcome = outcomes.read(analysis_id)
        return _outcome_page(
            outcomes,
            analysis_id,
            version.case_number,
            outcome,
            values={},
            errors=[],
            notice=take_notice(request),
        )

    @post("/{analysis_id:int}/afsluiten", guards=[requires("analysis.close")], sync_to_thread=True)
    def close(
        self, request: AnyRequest, outcomes: Outcomes, analysis_id: FromPath[int], data: FormData
    ) -> Template | Redirect:
        values = first_values(data)
        try:
            outcomes.record(analysis_id, outcome_from_form(values))
        except InvalidInputError as exc:
            version, _ = outcomes.read(analysis_id)
            return _outcome_page(
                outcomes,
                analysis_id,
                version.case_number,
                None,
                values=values,
                errors=[e.as_dict() for e in exc.errors],
                status_code=422,
            )
        except ConflictError as exc:
            return redirect_with_notice(request, f"/analyses/{analysis_id}/afsluiten", exc.detail)
        return redirect_with_notice(
            request,
            f"/analyses/{analysis_id}/afsluiten",
            "De zaak is afgesloten en de uitkomst is vastgelegd.",
        )


def _outcome_page(
    outcomes: OutcomeService,
    analysis_id: int,
    case_number: str,
    outcome: OutcomeOut | None,
    *,
    values: dict[str, str],
    errors: list[dict[str, Any]],
    status_code: int = 200,
    notice: str | None = None,
) -> Template:
    return page(
        "monitor/outcome.html",
        status_code,
        NO_STORE,
        analysis_id=analysis_id,
        case_number=case_number,
        outcome=outcome,
        may_close=outcome is None and outcomes.may_close(analysis_id),
        values=values,
        errors=errors,
        fields=BOOLEAN_FIELDS,
        notice=notice,
    )


MONITOR_ROUTES = [MonitorApi, OutcomeApi, MonitorPages, OutcomePages]
