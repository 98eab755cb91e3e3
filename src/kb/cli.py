"""The `kb` command line: serve, index, check (and accounts and audit, later)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kb.errors import ContentError
from kb.settings import Settings

__all__ = ["main"]


def _check(settings: Settings) -> int:
    from kb.interventions.loader import load_entries
    from kb.search.config import load_search_config

    problems = []
    entries = []
    try:
        entries = load_entries(settings.content_dir)
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
        f"OK: {len(entries)} items in {settings.content_dir}, zoekinstellingen in {settings.search_dir}."
    )
    return 0


def _index(settings: Settings) -> int:
    from kb.db import make_engine, migrate
    from kb.interventions.indexing import rebuild
    from kb.search.select import choose_backend

    engine = make_engine(settings)
    migrate(engine)
    try:
        report = rebuild(
            engine, choose_backend(settings), settings.content_dir, settings.search_dir
        )
    except ContentError as exc:
        print(exc, file=sys.stderr)
        print("Niets gewijzigd: de vorige gegevens en zoekindex blijven staan.", file=sys.stderr)
        return 1
    print(f"Geïndexeerd: {report.entries} items.")
    return 0


def _serve(settings: Settings, host: str, port: int, workers: int) -> int:
    import uvicorn

    from kb.app import prepare

    try:
        prepare(settings)  # once, before workers start, so they do not race to build the index
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Kennisbank Scheiding & Kind draait op http://{host}:{port}/", flush=True)
    uvicorn.run(
        "kb.cli:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )
    return 0


def app_factory() -> object:
    """Entry point for uvicorn workers: each builds its app from the environment's settings."""
    from kb.app import create_app

    return create_app(Settings())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="Kennisbank Scheiding & Kind")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="valideer content/ en search/")
    commands.add_parser("index", help="bouw database-rijen en zoekindex opnieuw op uit content/")
    serve = commands.add_parser("serve", help="start de website en de API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
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
    return 2


if __name__ == "__main__":
    sys.exit(main())
