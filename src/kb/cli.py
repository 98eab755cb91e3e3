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
    print(f"OK: {len(entries)} items in {settings.content_dir}, zoekinstellingen in {settings.search_dir}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="Kennisbank Scheiding & Kind")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="valideer content/ en search/")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    if args.command == "check":
        return _check(settings)
    return 2


if __name__ == "__main__":
    sys.exit(main())
