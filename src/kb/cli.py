"""The `kb` command line: serve, index, check, accounts (`kb users`), the audit log, the
editors' reports (`kb report content`), the retention purge (`kb purge`), backups
(`kb backup`, `kb restore`) and the open data (`kb export`)."""

from __future__ import annotations

import argparse
import errno
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kb.errors import ContentError, InvalidInputError, KbError, StartupRefusedError
from kb.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kb.auth.service import AccountService

__all__ = ["main"]


def _check(settings: Settings) -> int:
    from kb.interventions.loader import load_entries
    from kb.search.config import load_search_config
    from kb.youth.service import load_youth_pages

    problems = []
    entries = []
    youth_pages = 0
    try:
        entries = load_entries(settings.content_dir)
    except ContentError as exc:
        problems.extend(exc.problems)
    try:
        known = {entry.slug for entry in entries} if entries else None
        youth_pages = len(load_youth_pages(settings.content_dir, known))
    except ContentError as exc:
        problems.extend(exc.problems)
    try:
        load_search_config(settings.search_dir)
    except ContentError as exc:
        problems.extend(exc.problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} probleem/problemen gevonden.", file=sys.stderr)
        return 1
    print(
        f"OK: {len(entries)} items en {youth_pages} pagina's voor jongeren in "
        f"{settings.content_dir}, zoekinstellingen in {settings.search_dir}."
    )
    return 0


_NOTHING_CHANGED = "Niets gewijzigd: de vorige gegevens en zoekindex blijven staan."
_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
_DISK_FULL_WORDS = ("no space left", "file too large", "disk is full", "quota exceeded")


def _disk_full(exc: BaseException | None) -> bool:
    """Whether `exc` (or what caused it) says the disk or the allowed file size is full; the
    search engine and the database drivers report it in words rather than an errno."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in _DISK_FULL_ERRNOS:
            return True
        if any(word in str(exc).lower() for word in _DISK_FULL_WORDS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _disk_full_message(settings: Settings) -> str:
    return (
        f"De schijf is vol: de zoekindex of de database kon niet worden geschreven "
        f"(gegevensmap {settings.data_dir}). {_NOTHING_CHANGED} Maak ruimte vrij en start "
        "het indexeren opnieuw."
    )


def _index(settings: Settings) -> int:
    from kb.db import make_engine, migrate
    from kb.interventions.catalogue import GenerationSignal
    from kb.interventions.indexing import rebuild
    from kb.search.select import choose_backend

    engine = make_engine(settings)
    try:
        migrate(engine)
        report = rebuild(
            engine,
            choose_backend(settings),
            settings.content_dir,
            settings.search_dir,
            # Running servers of this installation switch at their next request.
            signal=GenerationSignal(settings.generation_file),
        )
    except ContentError as exc:
        print(exc, file=sys.stderr)
        print(_NOTHING_CHANGED, file=sys.stderr)
        return 1
    except Exception as exc:
        if not _disk_full(exc):
            raise
        print(_disk_full_message(settings), file=sys.stderr)
        return 1
    print(f"Geïndexeerd: {report.entries} items.")
    return 0


def _export(settings: Settings, folder: Path) -> int:
    """`kb export DIR`: the open data as the API serves it today, from the indexed database."""
    from kb.db import make_engine, migrate
    from kb.interventions.catalogue import CatalogueStore
    from kb.interventions.opendata import LICENCES, Snapshot, write_export

    engine = make_engine(settings)
    try:
        migrate(engine)
        catalogue = CatalogueStore(engine).current()
    finally:
        engine.dispose()
    if not catalogue.generation:
        print("De database is nog niet gevuld: voer eerst `kb index` uit.", file=sys.stderr)
        return 1
    snapshot = Snapshot(catalogue, LICENCES[settings.open_data_licence], settings.public_url)
    written = write_export(snapshot, folder)
    print(
        f"Open data geschreven naar {folder}: {len(catalogue)} items, peildatum "
        f"{snapshot.day.isoformat()}, licentie {snapshot.licence.name} "
        f"({', '.join(p.name for p in written)})."
    )
    return 0


def _report_content(settings: Settings, output: Path) -> int:
    from kb.clock import today
    from kb.interventions.loader import load_entries
    from kb.interventions.report import content_report

    try:
        entries = load_entries(settings.content_dir)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    report = content_report(entries, today())
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report.markdown(), encoding="utf-8")
    t = report.totals
    print(
        f"Inhoudsrapport geschreven naar {output}: {t.entries} items, {t.sourced} met bron, "
        f"{t.verified} geverifieerd, beoordelingen geldig {t.ratings['geldig']}, "
        f"verlopen {t.ratings['verlopen']}, betwist {t.ratings['betwist']}, "
        f"lopende pilots {t.pilots_running}."
    )
    return 0


def _serve(settings: Settings, host: str, port: int, workers: int) -> int:
    from kb.operations.running import hold_server_lock

    # Held as long as this process runs, so that `kb restore` refuses meanwhile; the workers'
    # PostgreSQL connections carry the server's name for restores on other hosts to see.
    try:
        server_lock = hold_server_lock(settings)
    except StartupRefusedError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        return _serve_holding_the_lock(settings, host, port, workers)
    finally:
        server_lock.release()


def _serve_holding_the_lock(settings: Settings, host: str, port: int, workers: int) -> int:
    from kb.operations.running import name_server_connections

    name_server_connections()
    metrics_dir = _metrics_before_imports(settings)
    try:
        return _prepare_and_run(settings, host, port, workers)
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _prepare_and_run(settings: Settings, host: str, port: int, workers: int) -> int:
    import uvicorn

    from kb.logs import configure_logging, logging_config

    configure_logging(settings.log_level)
    # Once, before any worker starts, so that they do not race to build the index. With several
    # workers this process only watches them: preparing in a child process keeps the
    # application's imports (some 100 MB) out of it.
    status = _prepare_in_child() if workers > 1 else _prepare(settings)
    if status:
        return status
    print(f"Kennisbank Scheiding & Kind draait op http://{host}:{port}/", flush=True)
    if settings.demo:
        _print_demo_accounts()
    uvicorn.run(
        "kb.cli:worker_app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        log_config=logging_config(settings.log_level),  # each worker logs JSON lines too
        access_log=False,  # the application writes one line per request itself
        # The application alone decides whose forwarding headers to believe (KB_TRUSTED_PROXIES);
        # uvicorn's default believes anyone connecting from 127.0.0.1.
        proxy_headers=False,
    )
    return 0


def _metrics_before_imports(settings: Settings) -> str | None:
    """With KB_METRICS_PORT: every process of this server counts into files of one fresh folder
    (prometheus-client's multiprocess mode, which must be chosen before it is imported), and
    this process serves their sum with the installation's state."""
    if settings.metrics_port is None:
        return None
    import os
    import tempfile

    folder = tempfile.mkdtemp(prefix="kb-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    from kb.operations.state import start_metrics_server

    start_metrics_server(settings, settings.metrics_port)
    print(
        f"Metrics voor Prometheus op http://{settings.metrics_host}:{settings.metrics_port}/metrics",
        flush=True,
    )
    return folder


def _prepare(settings: Settings) -> int:
    from kb.app import prepare

    try:
        engine, _ = prepare(settings)
    except (ContentError, StartupRefusedError) as exc:
        print(exc, file=sys.stderr)
        return 1
    except Exception as exc:
        if not _disk_full(exc):
            raise
        print(_disk_full_message(settings), file=sys.stderr)
        return 1
    engine.dispose()
    return 0


def _prepare_from_environment() -> None:
    sys.exit(_prepare(Settings()))


def _prepare_in_child() -> int:
    import multiprocessing

    child = multiprocessing.get_context("spawn").Process(
        target=_prepare_from_environment, name="kb-prepare"
    )
    child.start()
    child.join()
    return 0 if child.exitcode == 0 else 1


def _print_demo_accounts() -> None:
    from kb.auth.startup import DEMO_ACCOUNTS, DEMO_PASSWORD
    from kb.vocabulary import ROLE_LABELS

    print(f"DEMO: meld u aan op /aanmelden met wachtwoord {DEMO_PASSWORD!r} en een van:")
    for account in DEMO_ACCOUNTS:
        scope = account.court or account.office or account.municipality
        role = ROLE_LABELS[account.role].lower()
        print(f"  {account.username:<18} {role}{f' ({scope})' if scope else ''}")
    print(flush=True)


@contextmanager
def _database(settings: Settings) -> Iterator[Session]:
    """A session on the migrated database; commits when the command got through."""
    from sqlalchemy.orm import Session

    from kb.db import make_engine, migrate

    engine = make_engine(settings)
    migrate(engine)
    try:
        with Session(engine) as session:
            yield session
            session.commit()
    finally:
        engine.dispose()


def _invite(service: AccountService, settings: Settings, args: argparse.Namespace) -> None:
    """`kb users invite`: print the one-time activation link; the user chooses the password."""
    from kb.auth.schemas import parse_invitation

    fields = ("role", "court", "office", "municipality", "display_name", "email")
    values = {name: getattr(args, name) for name in fields}
    new = parse_invitation({"username": args.name, **values})
    invitation = service.invite(new, by=None, link_base=settings.public_url)
    account = invitation.account
    until = f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC"
    print(f"Uitnodiging voor {account.username} ({account.role_label.lower()}).")
    print(f"Activeringslink (één keer te gebruiken, tot {until}):")
    print(invitation.activation_url)
    if account.needs_confirmation:
        print("Na de activering moet een beheerder het account bevestigen (/beheer/accounts).")


def _users(settings: Settings, args: argparse.Namespace) -> int:
    from kb.auth.schemas import parse_new_account
    from kb.auth.service import AccountService, AuthConfig

    with _database(settings) as session:
        service = AccountService(session, AuthConfig.from_settings(settings))
        try:
            if args.users_command == "add":
                password = sys.stdin.read().rstrip("\r\n")
                new = parse_new_account(
                    {
                        "username": args.name,
                        "role": args.role,
                        "court": args.court,
                        "office": args.office,
                        "municipality": args.municipality,
                        "password": password,
                    }
                )
                created = service.create(new, by=None)
                print(f"Account {created.username} aangemaakt ({created.role_label.lower()}).")
            elif args.users_command == "invite":
                _invite(service, settings, args)
            elif args.users_command == "disable":
                disabled = service.disable(args.name, by=None)
                print(f"Account {disabled.username} is uitgeschakeld.")
            else:
                for account in service.accounts():
                    scope = account.court or account.office or account.municipality or "-"
                    status = account.status_label.lower()
                    demo = " demo" if account.demo else ""
                    print(f"{account.username}\t{account.role}\t{scope}\t{status}{demo}")
        except InvalidInputError as exc:
            print(exc.detail, file=sys.stderr)
            for error in exc.errors:
                print(f"  {error.loc[-1]}: {error.msg}", file=sys.stderr)
            return 1
        except KbError as exc:
            print(exc.detail, file=sys.stderr)
            return 1
    return 0


def _notify(settings: Settings) -> int:
    """`kb notify`: e-mail everyone with a deadline on their work list (run daily)."""
    if not settings.smtp_url:
        print("KB_SMTP_URL is niet ingesteld: er is niets verstuurd.", file=sys.stderr)
        return 1
    import smtplib

    from kb.clock import today, utcnow
    from kb.conflict_analysis.reminders import due_reminders, remember
    from kb.interventions.catalogue import load_catalogue
    from kb.mail import Mailer

    mailer = Mailer(settings.smtp_url, settings.mail_from)
    day = today()
    with _database(settings) as session:
        catalogue = load_catalogue(session).on(day)
        reminders = due_reminders(session, catalogue, day, settings.public_url)
        try:
            sent = mailer.send([reminder.notice for reminder in reminders])
        except (OSError, smtplib.SMTPException) as exc:
            # Nothing is remembered as sent: the next run tries again.
            print(
                f"De mailserver weigerde of antwoordde niet: {type(exc).__name__}", file=sys.stderr
            )
            return 1
        remember(session, reminders, utcnow())
    print(
        f"{sent} {'melding' if sent == 1 else 'meldingen'} verstuurd "
        "(alleen wie sinds de vorige melding iets nieuws op de werklijst heeft)."
    )
    return 0


def _audit_verify(settings: Settings) -> int:
    from kb.auth import audit

    with _database(settings) as session:
        result = audit.verify(session)
    if result.ok:
        print(f"OK: {result.checked} regels gecontroleerd; laatste hash {result.head_hash}.")
        return 0
    print(
        f"Auditlog gebroken bij regel {result.first_broken_id}: {result.reason}. "
        f"({result.checked} regels daarvoor zijn in orde.)",
        file=sys.stderr,
    )
    return 1


def _backup(settings: Settings, target: Path) -> int:
    from kb.errors import OperationRefusedError
    from kb.operations import backup

    try:
        report = backup(settings, target)
    except OperationRefusedError as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    print(
        f"Back-up geschreven naar {report.path}: {report.database}, schema {report.revision}, "
        f"{report.rows} rijen, {report.files} bestanden uit content/ en search/."
    )
    return 0


def _restore(settings: Settings, source: Path) -> int:
    from kb.errors import OperationRefusedError
    from kb.operations import restore

    try:
        report = restore(settings, source)
    except (OperationRefusedError, ContentError) as exc:
        print(exc.detail if isinstance(exc, KbError) else exc, file=sys.stderr)
        return 1
    print(
        f"Hersteld uit {source} (gemaakt {report.made_at}): {report.database}, schema "
        f"{report.backup_revision} → {report.revision}; zoekindex opnieuw gebouwd, "
        f"{report.entries} items. Controleer het auditlog met kb audit verify."
    )
    return 0


def _purge(settings: Settings, dry_run: bool) -> int:
    """`kb purge`: closed cases past `KB_RETENTION_DAYS` are deleted; their outcomes stay."""
    from kb.monitor.retention import purge

    with _database(settings) as session:
        report = purge(session, settings.retention_days, dry_run=dry_run)
        if dry_run:
            session.rollback()
    before = f"{report.closed_before:%Y-%m-%d}"
    if dry_run:
        print(
            f"Proefdraai: {report.cases} afgesloten zaken ({report.versions} versies), afgesloten "
            f"vóór {before}, zouden worden verwijderd. Er is niets verwijderd."
        )
    else:
        print(
            f"Verwijderd: {report.cases} afgesloten zaken met {report.versions} versies "
            f"(afgesloten vóór {before}, bewaartermijn {settings.retention_days} dagen). "
            "Hun uitkomsten blijven in de monitor, zonder verwijzing naar de zaak."
        )
    return 0


def app_factory() -> object:
    """For `uvicorn kb.cli:app_factory --factory`: prepares database and index, builds the app."""
    from kb.app import create_app
    from kb.logs import configure_logging
    from kb.operations.running import hold_server_lock, name_server_connections

    settings = Settings()
    _HELD.append(hold_server_lock(settings))  # for the life of the process: no restore under it
    name_server_connections()
    configure_logging(settings.log_level)
    return create_app(settings)


_HELD: list[object] = []

# How long a starting worker waits between tries while the database or Redis is away.
WORKER_RETRY_FIRST_S = 0.5
WORKER_RETRY_LONGEST_S = 5.0


def _worker_app(settings: Settings) -> object:
    """The worker's app, once the database and Redis answer.

    uvicorn restarts a worker that died, and stops the whole server when a worker fails to
    start: a worker restarted during a database outage must therefore wait for the database,
    not fail, or a short outage becomes downtime. Meanwhile the other workers answer 503.
    Anything but an unreachable dependency still fails the start.
    """
    import logging
    import time

    from kb.app import create_app, open_prepared
    from kb.web.errors import is_outage

    pause = WORKER_RETRY_FIRST_S
    while True:
        engine, backend = open_prepared(settings)
        try:
            return create_app(settings, engine, backend)
        except Exception as exc:
            engine.dispose()
            if not is_outage(exc):
                raise
            logging.getLogger(__name__).warning(
                "Worker start waits for the database or Redis (again in %.1f s): %s", pause, exc
            )
        time.sleep(pause)
        pause = min(WORKER_RETRY_LONGEST_S, pause * 2)


def worker_app_factory() -> object:
    """For the workers of `kb serve`: each builds its app from the environment's settings, over
    the database and index `kb serve` prepared before starting them."""
    import gc

    settings = Settings()
    app = _worker_app(settings)
    # The application's ~170,000 objects live as long as the process: frozen, the collector
    # stops walking them on every full collection (tens of milliseconds each, mid-request).
    gc.collect()
    gc.freeze()
    return app


def _analytics(settings: Settings, days: int, limit: int) -> int:
    import datetime as dt

    from sqlalchemy.orm import Session

    from kb.db import make_engine, migrate
    from kb.interventions.analytics import top_queries, zero_result_queries

    engine = make_engine(settings)
    migrate(engine)
    since = dt.date.today() - dt.timedelta(days=days)
    with Session(engine) as session:
        for heading, rows in (
            (f"Meest gezocht (laatste {days} dagen)", top_queries(session, since, limit)),
            (
                f"Zonder resultaat (laatste {days} dagen)",
                zero_result_queries(session, since, limit),
            ),
        ):
            print(heading)
            for row in rows:
                print(f"  {row.searches:6d}  {row.zero_results:6d} zonder  {row.query}")
            if not rows:
                print("  (geen)")
    engine.dispose()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="Kennisbank Scheiding & Kind")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="valideer content/ en search/")
    commands.add_parser("index", help="bouw database-rijen en zoekindex opnieuw op uit content/")
    serve = commands.add_parser("serve", help="start de website en de API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)

    users = commands.add_parser("users", help="accounts beheren")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    add = users_commands.add_parser("add", help="maak een account aan")
    add.add_argument("name", help="gebruikersnaam")
    add.add_argument("--role", required=True, help="rechter, raadsonderzoeker, …, beheerder")
    add.add_argument("--court", help="rechtbank (voor een rechter)")
    add.add_argument("--office", help="vestiging van de Raad (onderzoeker, gedragsdeskundige)")
    add.add_argument("--municipality", help="gemeente (voor een loketmedewerker)")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="lees het wachtwoord van standaardinvoer (nooit als argument: dat blijft zichtbaar)",
    )
    invite = users_commands.add_parser(
        "invite", help="nodig iemand uit: een account met een eenmalige activeringslink"
    )
    invite.add_argument("name", help="gebruikersnaam")
    invite.add_argument("--role", required=True, help="rechter, raadsonderzoeker, …, beheerder")
    invite.add_argument("--court", help="rechtbank (voor een rechter)")
    invite.add_argument("--office", help="vestiging van de Raad (onderzoeker, gedragsdeskundige)")
    invite.add_argument("--municipality", help="gemeente (voor een loketmedewerker)")
    invite.add_argument(
        "--display-name", help="naam zoals rapporten die tonen, bijvoorbeeld 'mr. J. de Vries'"
    )
    invite.add_argument("--email", help="e-mailadres voor meldingen (niet verplicht)")
    users_commands.add_parser("list", help="toon alle accounts")
    disable = users_commands.add_parser("disable", help="schakel een account uit")
    disable.add_argument("name", help="gebruikersnaam")

    commands.add_parser(
        "notify",
        help="e-mail wie een herijking of curatorrapport binnen twee weken heeft (dagelijks; KB_SMTP_URL)",
    )
    audit = commands.add_parser("audit", help="het auditlog")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_commands.add_parser("verify", help="controleer de hashketen van het auditlog")
    purge = commands.add_parser(
        "purge",
        help="verwijder afgesloten zaken na de bewaartermijn (KB_RETENTION_DAYS); "
        "de uitkomsten voor de monitor blijven",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="tel alleen wat verwijderd zou worden"
    )
    analytics = commands.add_parser(
        "analytics", help="zoekopdrachten: meest gezocht en zonder resultaat (voor de redactie)"
    )
    analytics.add_argument("--days", type=int, default=30, help="periode in dagen (standaard 30)")
    analytics.add_argument("--limit", type=int, default=20, help="aantal regels per lijst")
    backup = commands.add_parser(
        "backup", help="back-up van de hele database en van content/ en search/ in één bestand"
    )
    backup.add_argument("file", type=Path, help="het back-upbestand (.tar.gz)")
    restore = commands.add_parser(
        "restore",
        help="herstel een back-up (weigert een nieuwer schema en een draaiende server)",
    )
    restore.add_argument("file", type=Path, help="het back-upbestand van kb backup")
    export = commands.add_parser(
        "export", help="schrijf de kennisbank als open data (JSON, CSV, Frictionless data package)"
    )
    export.add_argument("folder", type=Path, metavar="DIR", help="de map voor de bestanden")
    report = commands.add_parser("report", help="rapporten voor de redactie")
    report_commands = report.add_subparsers(dest="report_command", required=True)
    content = report_commands.add_parser(
        "content", help="per item bronnen, verificatie, beoordelingen met geldigheid; totalen"
    )
    content.add_argument(
        "--output",
        type=Path,
        default=Path("docs/content-report.md"),
        help="het Markdown-bestand (standaard docs/content-report.md)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    if args.command == "check":
        return _check(settings)
    if args.command == "index":
        return _index(settings)
    if args.command == "serve":
        return _serve(settings, args.host, args.port, args.workers)
    if args.command == "users":
        return _users(settings, args)
    if args.command == "audit":
        return _audit_verify(settings)
    if args.command == "purge":
        return _purge(settings, args.dry_run)
    if args.command == "notify":
        return _notify(settings)
    if args.command == "analytics":
        return _analytics(settings, args.days, args.limit)
    if args.command == "report":
        return _report_content(settings, args.output)
    if args.command == "backup":
        return _backup(settings, args.file)
    if args.command == "restore":
        return _restore(settings, args.file)
    if args.command == "export":
        return _export(settings, args.folder)
    return 2


if __name__ == "__main__":
    sys.exit(main())
