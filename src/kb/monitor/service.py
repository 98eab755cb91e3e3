"""Recording a case's outcome when it closes, and the monitor's figures for one caller.

`OutcomeService.record` closes a case (contracts.md `POST …/{id}/outcome`): its own investigator,
once the last version is `ingediend`; the outcome is checked against the case (dates within the
procedure, a disciplinary case only with a curator) and written as a de-identified
`CaseOutcome` with the case's `CaseClosure`, audited with metadata only.

`MonitorService` counts the outcomes per court and year in one grouped query and publishes them
through `kb.monitor.indicators` (small counts as "<5"). Who reads what (contracts.md): a judge
their own court, the Raad their office's court, editors and the beheerder every court and the
country. Nothing here knows about HTTP.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from kb.access import (
    AnalysisFacts,
    Caller,
    CurrentUser,
    ensure,
    may_close_analysis,
    may_read_analysis,
)
from kb.auth import audit
from kb.clock import today, utcnow
from kb.conflict_analysis.models import Analysis, AnalysisVersion
from kb.conflict_analysis.service import OBJECT_TYPE, REFUSED
from kb.db import read_meta, write_meta
from kb.errors import (
    ConflictError,
    FieldError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    dutch_field_errors,
)
from kb.interventions.catalogue import Catalogue
from kb.monitor.indicators import (
    OUTCOME_CODES,
    CellCounts,
    OutcomeCounts,
    YearTable,
    knowledge_base_figure,
    publish_year,
)
from kb.monitor.models import CaseClosure, CaseOutcome
from kb.monitor.schemas import (
    INDICATORS,
    IndicatorCode,
    IndicatorFigure,
    MonitorReport,
    OutcomeIn,
    OutcomeOut,
    TrendPoint,
)
from kb.regions import register
from kb.vocabulary import ARRONDISSEMENTS, COURTS

__all__ = [
    "OUTCOMES_KEY",
    "MonitorCache",
    "MonitorConfig",
    "MonitorScope",
    "MonitorService",
    "OutcomeService",
    "Trend",
    "office_court",
    "outcomes_changed",
]

_NOT_FOUND = "Deze analyse bestaat niet of u heeft er geen toegang toe."
CLOSE = "analysis.close"
PROCEDURE_YEAR_DAYS = 365


# `kb_meta` key whose value changes (a new random token) whenever outcomes are added: the
# counts a process keeps are good for as long as it is the same (`MonitorCache`).
OUTCOMES_KEY = "monitor_outcomes"


def outcomes_changed(session: Session) -> None:
    """Mark that outcomes were added, in the same transaction as the rows. A random token, not a
    counter, so two concurrent writers never leave the same value a reader already cached."""
    write_meta(session, OUTCOMES_KEY, uuid.uuid4().hex)


class MonitorCache:
    """One process's published tables, kept until outcomes change.

    Counting scans every outcome (100,000 cases: a few hundred milliseconds on a busy machine);
    outcomes change only when a case closes, so every other request reads them from here after
    one primary-key lookup of the token `outcomes_changed` writes. Purges change no outcome.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[bool, tuple[str, Any]] = {}

    def get(self, include_synthetic: bool, token: str) -> Any | None:
        with self._lock:
            kept = self._kept.get(include_synthetic)
        return kept[1] if kept is not None and kept[0] == token else None

    def put(self, include_synthetic: bool, token: str, counted: Any) -> None:
        with self._lock:
            self._kept[include_synthetic] = (token, counted)


@dataclass(frozen=True)
class MonitorConfig:
    """What the monitor's routes need: the retention period (`KB_RETENTION_DAYS`), whether
    invented demo outcomes count (only in demo mode), and the process's cache of counts."""

    retention_days: int = 730
    include_synthetic: bool = False
    cache: MonitorCache = dataclasses.field(default_factory=MonitorCache)


# --- Recording the outcome ------------------------------------------------------------------------


class OutcomeService:
    """Close a case by recording its outcome, and read it back, for one caller.

    Args:
        session: The request's session; the caller commits (the route's 2xx) or rolls back.
        caller: Who asks: every read and write is theirs in the audit log.
        retention_days: How long a closed case is kept (`KB_RETENTION_DAYS`).
    """

    def __init__(self, session: Session, caller: Caller, retention_days: int) -> None:
        self.session = session
        self.caller = caller
        self.retention_days = retention_days

    def record(self, analysis_id: int, data: Any) -> OutcomeOut:
        """Close the case with its outcome: 404 unseen, 403 not its investigator, 409 when its
        last version is not `ingediend` or it is already closed, 422 for a bad outcome."""
        analysis = self._readable(analysis_id, CLOSE)
        latest = analysis.versions[-1]
        facts = dataclasses.replace(_facts(analysis, latest), status="ingediend")
        try:
            ensure(may_close_analysis, self.caller.user, facts, hide=False)
        except PermissionDeniedError:
            self._refused(analysis_id, latest.version, CLOSE)
            raise
        if latest.status != "ingediend":
            raise ConflictError(
                f"Versie {latest.version} is nog niet ingediend. Een zaak sluit u af met de "
                "uitkomst zodra de laatste versie is ingediend."
            )
        if self._closure(analysis_id) is not None:
            raise ConflictError("Deze zaak is al afgesloten; de uitkomst is vastgelegd.")
        outcome = _parse(data)
        started = _procedure_started_on(latest)
        _check_dates(outcome, started, today())
        fact = CaseOutcome(
            court=latest.court,
            year=outcome.closed_on.year,
            procedure_days=(outcome.procedure_ended_on - started).days
            if outcome.procedure_ended_on and started
            else None,
            settled_by_mediation=outcome.settled_by_mediation,
            curator_appointed=outcome.curator_appointed,
            municipal_support=outcome.municipal_support,
            curator_disciplinary=outcome.curator_disciplinary,
            synthetic=False,
        )
        self.session.add(fact)
        self.session.flush()
        closure = CaseClosure(
            analysis_id=analysis.id,
            outcome_id=fact.id,
            version=latest.version,
            closed_on=outcome.closed_on,
            procedure_ended_on=outcome.procedure_ended_on,
            closed_at=utcnow(),
            closed_by=self.caller.user.id,
        )
        self.session.add(closure)
        # The case number is free again for a new analysis, and the closed one takes no new
        # version (AnalysisService refuses any change to a closed analysis).
        analysis.open_case = None
        analysis.closed_on = outcome.closed_on
        outcomes_changed(self.session)
        self.session.flush()
        # Metadata only: the outcome itself is case content and stays out of the log.
        audit.record(self.session, **self._event(CLOSE, analysis_id, latest.version))
        return self._out(closure, fact)

    def read(self, analysis_id: int) -> tuple[AnalysisVersion, OutcomeOut | None]:
        """The case's newest readable version and its outcome (None: still open); audited."""
        analysis = self._readable(analysis_id, "analysis.read")
        readable = [
            v for v in analysis.versions if may_read_analysis(self.caller.user, _facts(analysis, v))
        ]
        latest = readable[-1]
        closure = self._closure(analysis_id)
        event = self._event("analysis.read", analysis_id, latest.version)
        event["detail"]["purpose"] = "uitkomst"
        audit.record_read(self.session, **event)
        if closure is None:
            return latest, None
        fact = self.session.get(CaseOutcome, closure.outcome_id)
        assert fact is not None  # a closure always names its outcome (foreign key)
        return latest, self._out(closure, fact)

    def may_close(self, analysis_id: int) -> bool:
        """Whether the caller may record this case's outcome now (for the page's link)."""
        analysis = self.session.get(Analysis, analysis_id)
        if analysis is None or not analysis.versions:
            return False
        latest = analysis.versions[-1]
        return may_close_analysis(self.caller.user, _facts(analysis, latest)) and (
            self._closure(analysis_id) is None
        )

    def _readable(self, analysis_id: int, asked: str) -> Analysis:
        analysis = self.session.scalar(
            select(Analysis)
            .where(Analysis.id == analysis_id)
            .options(selectinload(Analysis.versions))
        )
        user = self.caller.user
        if analysis is None or not any(
            may_read_analysis(user, _facts(analysis, v)) for v in analysis.versions
        ):
            self._refused(analysis_id, None, asked)
            raise NotFoundError(_NOT_FOUND)
        return analysis

    def _closure(self, analysis_id: int) -> CaseClosure | None:
        return self.session.get(CaseClosure, analysis_id)

    def _event(self, action: str, analysis_id: int, version: int | None) -> dict[str, Any]:
        return {
            "user": self.caller.user,
            "action": action,
            "object_type": OBJECT_TYPE,
            "object_id": analysis_id,
            "version": version,
            "address": self.caller.address,
            "detail": {"via": self.caller.via},
        }

    def _refused(self, analysis_id: int, version: int | None, asked: str) -> None:
        event = self._event(REFUSED, analysis_id, version)
        event["detail"]["asked"] = asked
        audit.record_read(self.session, **event)

    def _out(self, closure: CaseClosure, fact: CaseOutcome) -> OutcomeOut:
        return OutcomeOut(
            analysis_id=closure.analysis_id,
            version=closure.version,
            court=fact.court,
            closed_on=closure.closed_on,
            procedure_ended_on=closure.procedure_ended_on,
            procedure_days=fact.procedure_days,
            settled_by_mediation=fact.settled_by_mediation,
            curator_appointed=fact.curator_appointed,
            municipal_support=fact.municipal_support,
            curator_disciplinary=fact.curator_disciplinary,
            closed_at=closure.closed_at,
            retained_until=closure.closed_at.date() + dt.timedelta(days=self.retention_days),
        )


def _facts(analysis: Analysis, version: AnalysisVersion) -> AnalysisFacts:
    return AnalysisFacts(
        court=version.court,
        office=analysis.office,
        author_id=analysis.author_id,
        status=version.status,  # type: ignore[arg-type]
    )


def _parse(data: Any) -> OutcomeIn:
    try:
        return OutcomeIn.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(
            "De uitkomst is niet volledig of niet juist ingevuld.", dutch_field_errors(exc)
        ) from None


def _procedure_started_on(version: AnalysisVersion) -> dt.date | None:
    """The start of the procedure as the submitted version records it (raw JSON: a stored body
    is read as it was written, whatever the form's rules are today)."""
    case_data = version.body.get("case") if isinstance(version.body, dict) else None
    raw = case_data.get("procedure_started_on") if isinstance(case_data, dict) else None
    try:
        return dt.date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _check_dates(outcome: OutcomeIn, started: dt.date | None, now: dt.date) -> None:
    """The outcome fits the case: dates not in the future, not before the procedure began, the
    procedure ended by the time the case closed, a disciplinary case only with a curator."""
    problems: list[FieldError] = []
    since = f" ({started.isoformat()})" if started else ""

    def check(name: str, value: dt.date | None) -> None:
        if value is None:
            return
        if value > now:
            problems.append(FieldError((name,), "Mag niet in de toekomst liggen."))
        elif started is not None and value < started:
            problems.append(
                FieldError((name,), f"Kan niet vóór het begin van de procedure{since} liggen.")
            )

    check("closed_on", outcome.closed_on)
    check("procedure_ended_on", outcome.procedure_ended_on)
    ended = outcome.procedure_ended_on
    if ended is not None and ended > outcome.closed_on:
        problems.append(
            FieldError(("procedure_ended_on",), "Kan niet na de datum van afsluiten liggen.")
        )
    if outcome.curator_disciplinary is not None and outcome.curator_appointed is False:
        problems.append(
            FieldError(
                ("curator_disciplinary",),
                "Alleen in te vullen als er een bijzondere curator was; laat leeg (onbekend).",
            )
        )
    if problems:
        raise InvalidInputError("De uitkomst past niet bij de zaak.", problems)


# --- The monitor ----------------------------------------------------------------------------------


def office_court(office: str | None) -> str | None:
    """The court of a Raad office, from the place in its name: "Raad Amsterdam" is
    Rechtbank Amsterdam, "Raad Middelburg" Rechtbank Zeeland-West-Brabant (the municipality's
    arrondissement); None when the name names no known place."""
    if not office:
        return None
    place = office.strip()
    for prefix in ("Raad voor de Kinderbescherming", "Raad"):
        if place.casefold().startswith(prefix.casefold()):
            place = place[len(prefix) :].strip(" ,-")
            break
    for arrondissement in ARRONDISSEMENTS:
        if place.casefold() == arrondissement.casefold():
            return f"Rechtbank {arrondissement}"
    municipality = register().lookup(place) if place else None
    return municipality.court if municipality is not None else None


@dataclass(frozen=True)
class MonitorScope:
    """What one caller may see: these courts, and (editors, beheerder) the whole country."""

    courts: tuple[str, ...]
    national: bool

    @property
    def default_court(self) -> str | None:
        return None if self.national else self.courts[0]


def scope_of(user: CurrentUser) -> MonitorScope:
    """contracts.md, Monitor: who reads which courts' figures."""
    if user.role in ("redacteur", "beheerder"):
        return MonitorScope(COURTS, national=True)
    court = user.court if user.role == "rechter" else office_court(user.office)
    if user.role in ("rechter", "raadsonderzoeker", "gedragsdeskundige") and court:
        return MonitorScope((court,), national=False)
    if user.role in ("raadsonderzoeker", "gedragsdeskundige"):
        raise PermissionDeniedError(
            "Uit de naam van uw vestiging blijkt niet bij welke rechtbank zij hoort; vraag de "
            "beheerder die als 'Raad <plaats>' in te stellen."
        )
    if user.role == "rechter":
        raise PermissionDeniedError(
            "Uw account hoort bij geen rechtbank; vraag de beheerder dat in te stellen."
        )
    raise PermissionDeniedError("Uw rol geeft geen toegang tot de monitor.")


@dataclass(frozen=True)
class Trend:
    """One indicator over the years, for one court or the country: a chart and its table."""

    code: IndicatorCode
    label: str
    points: Sequence[TrendPoint]


@dataclass(frozen=True)
class _Counted:
    """Every year's published table, and which (year, court) cells hold invented outcomes."""

    tables: dict[int, YearTable]
    synthetic: frozenset[tuple[int, str]]


class MonitorService:
    """The monitor's figures for one caller.

    Args:
        session: A database session (reads only).
        catalogue: The knowledge base today, for `interventions_effective`.
        user: Who asks; decides the courts (`scope_of`).
        include_synthetic: Count the invented outcomes of demo mode (only a demo installation).
        cache: The process's counts, reused while no outcome was added (`MonitorCache`).
    """

    def __init__(
        self,
        session: Session,
        catalogue: Catalogue,
        user: CurrentUser,
        include_synthetic: bool = False,
        cache: MonitorCache | None = None,
    ) -> None:
        self.session = session
        self.catalogue = catalogue
        self.scope = scope_of(user)
        self.include_synthetic = include_synthetic
        self.cache = cache
        self._counted: _Counted | None = None
        self._knowledge_base: IndicatorFigure | None = None

    # --- What the pages and the API ask --------------------------------------------------------

    def choose(self, court: str | None, year: int | None) -> tuple[str | None, int]:
        """The court (None: the country) and year asked, checked against the caller's scope;
        without a court the caller's own (or the country), without a year the latest counted."""
        if court in (None, ""):
            court = self.scope.default_court
        elif court not in COURTS:
            raise InvalidInputError(
                "Onbekende rechtbank.",
                [FieldError(("query", "court"), f"Kies een van: {', '.join(COURTS)}.")],
            )
        elif court not in self.scope.courts:
            raise PermissionDeniedError("U kunt alleen de cijfers van uw eigen rechtbank inzien.")
        return court, year if year is not None else self.latest_year()

    def report(self, court: str | None, year: int) -> MonitorReport:
        """contracts.md: the six indicators of one court (None: the country) and year."""
        counted = self._count()
        figures = self._figures(counted, court, year)
        return MonitorReport(
            court=court,
            year=year,
            indicators=[*figures, self.knowledge_base()],
            synthetic=self._synthetic(counted, court, [year]),
        )

    def trends(self, court: str | None) -> list[Trend]:
        """Each outcome indicator over every counted year, for one court or the country."""
        counted = self._count()
        years = self.years()
        by_year = {year: self._figures(counted, court, year) for year in years}
        return [
            Trend(
                code=code,
                label=definition.label,
                points=[TrendPoint(year=year, figure=by_year[year][i]) for year in years],
            )
            for i, (code, definition) in enumerate(
                (d.code, d) for d in INDICATORS if d.code in OUTCOME_CODES
            )
        ]

    def table(self) -> list[MonitorReport]:
        """Every court and year the caller may see (the country first, for those who see it):
        what the CSV holds."""
        courts: list[str | None] = [None] if self.scope.national else []
        courts.extend(self.scope.courts)
        return [self.report(court, year) for court in courts for year in self.years()]

    def years(self) -> list[int]:
        """Every year from the first counted to the last (gaps included), or this year alone."""
        tables = self._count().tables
        if not tables:
            return [today().year]
        return list(range(min(tables), max(tables) + 1))

    def latest_year(self) -> int:
        return self.years()[-1]

    def synthetic(self, court: str | None) -> bool:
        """Whether any figure of this court (None: the country) counts invented outcomes."""
        return self._synthetic(self._count(), court, self.years())

    def knowledge_base(self) -> IndicatorFigure:
        """`interventions_effective`: among current interventions (kind `interventie`, status
        `actief` or `lopend`), those with evidence level 3 or higher today and no finding of no
        effect or of harm. The knowledge base keeps no history, so every year shows today's."""
        if self._knowledge_base is None:
            current = [
                e
                for e in self.catalogue
                if e.kind == "interventie" and e.status in ("actief", "lopend")
            ]
            effective = [
                e
                for e in current
                if (evidence := e.evidence).level >= 3
                and not {"geen_effect", "schadelijk"} & set(evidence.flags)
            ]
            self._knowledge_base = knowledge_base_figure(len(effective), len(current))
        return self._knowledge_base

    # --- Counting -------------------------------------------------------------------------------

    def _figures(self, counted: _Counted, court: str | None, year: int) -> list[IndicatorFigure]:
        table = counted.tables.get(year) or publish_year(year, {}, COURTS)
        if court is None:
            return list(table.national)
        return list(table.courts.get(court) or publish_year(year, {}, [court]).courts[court])

    def _synthetic(self, counted: _Counted, court: str | None, years: Iterable[int]) -> bool:
        return any(
            (year, c) in counted.synthetic
            for year in years
            for c in (self.scope.courts if court is None else (court,))
        )

    def _count(self) -> _Counted:
        """One grouped query over every outcome, published per year; kept for this service, and
        in the process's cache until outcomes change."""
        if self._counted is not None:
            return self._counted
        # Read before counting: a count may then see more than the token, never less.
        token = read_meta(self.session, OUTCOMES_KEY) or ""
        kept = self.cache.get(self.include_synthetic, token) if self.cache else None
        if kept is None:
            kept = _published(self._raw_counts())
            if self.cache:
                self.cache.put(self.include_synthetic, token, kept)
        self._counted = kept
        return kept

    def _raw_counts(self) -> Sequence[Any]:
        o = CaseOutcome
        known = func.count
        yes = _count_true
        with_curator = o.curator_appointed.is_(True)
        query = select(
            o.year,
            o.court,
            known(o.procedure_days).label("procedure_known"),
            yes(o.procedure_days > PROCEDURE_YEAR_DAYS).label("procedure_long"),
            known(o.settled_by_mediation).label("mediation_known"),
            yes(o.settled_by_mediation.is_(True)).label("mediation"),
            known(o.curator_appointed).label("curator_known"),
            yes(with_curator).label("curator"),
            known(o.municipal_support).label("support_known"),
            yes(o.municipal_support.is_(True)).label("support"),
            yes(with_curator & o.curator_disciplinary.is_not(None)).label("disciplinary_known"),
            yes(with_curator & o.curator_disciplinary.is_(True)).label("disciplinary"),
            yes(o.synthetic.is_(True)).label("synthetic"),
        ).group_by(o.year, o.court)
        if not self.include_synthetic:
            query = query.where(o.synthetic.is_(False))
        return self.session.execute(query).all()


def _count_true(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


_COLUMNS: dict[IndicatorCode, tuple[str, str]] = {
    "procedure_over_one_year": ("procedure_long", "procedure_known"),
    "settled_by_mediation": ("mediation", "mediation_known"),
    "curator_appointed": ("curator", "curator_known"),
    "municipal_support": ("support", "support_known"),
    "curator_disciplinary": ("disciplinary", "disciplinary_known"),
}


def _published(rows: Sequence[Any]) -> _Counted:
    """The grouped rows as every year's published table."""
    counts: dict[int, dict[str, OutcomeCounts]] = {}
    courts = set(COURTS)
    synthetic: set[tuple[int, str]] = set()
    for row in rows:
        mapping = row._mapping
        counts.setdefault(row.year, {})[row.court] = {
            code: CellCounts(int(mapping[num]), int(mapping[den]))
            for code, (num, den) in _COLUMNS.items()
        }
        courts.add(row.court)
        if mapping["synthetic"]:
            synthetic.add((row.year, row.court))
    ordered = sorted(courts, key=lambda c: (c not in COURTS, c))
    tables = {year: publish_year(year, by_court, ordered) for year, by_court in counts.items()}
    return _Counted(tables, frozenset(synthetic))
