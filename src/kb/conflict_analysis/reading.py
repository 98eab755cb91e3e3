"""Reading an analysis cheaply: who may see which version, in one query, and its contents once.

A judge's read is the most frequent request on a case, and each one is audited, so it must cost
little besides its audit row. Two things made it costly: loading the analysis, its versions and
the accounts named on them through the ORM (five statements), and parsing the stored body and
advice back into their schemas on every read.

- `heads` answers the access question and everything but the contents in one statement: the
  analysis, each of its versions without the JSON columns, and the names of the author and the
  approver. `CaseHead` and `VersionHead` have the attribute names of the ORM objects they stand
  for, so the rules and the output read either.
- `contents` gives a version's parsed body, advice, missing fields and comments. Parsed contents
  are kept per database, keyed by the version's id, revision and last change: every change of a
  version raises its revision in the same transaction (a save, a status change, a returning
  comment), so a key never names two different contents. A submitted version never changes at
  all. The contents come from one statement that also reads the revision, so what is kept is
  exactly what that revision held.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection, Engine, Row, bindparam, select
from sqlalchemy.orm import Session, aliased

from kb.auth.models import Account
from kb.conflict_analysis.models import Analysis, AnalysisComment, AnalysisVersion
from kb.conflict_analysis.responses import Comment, Missing
from kb.conflict_analysis.schemas import AnalysisBody, DraftBody, Recommendation
from kb.db import standalone
from kb.recent import Recent

__all__ = [
    "CaseHead",
    "ChangedWhileReading",
    "Contents",
    "Person",
    "VersionHead",
    "contents",
    "contents_of",
    "head_of",
    "heads",
    "reading",
    "version_head_of",
]

# How many versions' parsed contents each database keeps: a court's open cases many times over;
# a version's contents are some tens of kilobytes once parsed.
CACHE_SIZE = 256
# What names a version's contents as they stand: its id, revision and last change.
_Key = tuple[int, int, dt.datetime]


@dataclass(frozen=True)
class Person:
    """An account as an analysis names it: the author or the approver."""

    username: str
    display_name: str | None
    role: str


@dataclass(frozen=True)
class CaseHead:
    """An `Analysis` without its versions."""

    id: int
    office: str
    author_id: int
    demo: bool
    closed_on: dt.date | None
    author: Person


@dataclass(frozen=True)
class VersionHead:
    """An `AnalysisVersion` without its JSON columns and comments."""

    id: int
    version: int
    revision: int
    status: str
    case_number: str
    court: str
    final_advice: str
    deviation_reason: str | None
    complete: bool
    evaluated_on: dt.date
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    approver: Person | None

    @property
    def etag(self) -> str:
        return f'"{self.version}-{self.revision}"'

    @property
    def key(self) -> _Key:
        """What names this version's contents as they stand (see the module)."""
        return (self.id, self.revision, self.updated_at)


@dataclass(frozen=True)
class Contents:
    """A version's contents, parsed: shared between requests, so never changed."""

    body: AnalysisBody
    recommendation: Recommendation | None
    missing: tuple[Missing, ...]
    comments: tuple[Comment, ...]


# A version's own columns in its head: every field of `VersionHead` but the approver's name.
_VERSION_COLUMNS = tuple(f.name for f in fields(VersionHead) if f.name != "approver")
_AUTHOR = aliased(Account, name="author")
_APPROVER = aliased(Account, name="approver")
_HEADS = (
    select(
        Analysis.id.label("analysis_id"),
        Analysis.office,
        Analysis.author_id,
        Analysis.demo,
        Analysis.closed_on,
        _AUTHOR.username.label("author_username"),
        _AUTHOR.display_name.label("author_display_name"),
        _AUTHOR.role.label("author_role"),
        *(getattr(AnalysisVersion, name) for name in _VERSION_COLUMNS),
        _APPROVER.username.label("approver_username"),
        _APPROVER.display_name.label("approver_display_name"),
        _APPROVER.role.label("approver_role"),
    )
    .join(_AUTHOR, _AUTHOR.id == Analysis.author_id)
    .join(AnalysisVersion, AnalysisVersion.analysis_id == Analysis.id)
    .outerjoin(_APPROVER, _APPROVER.id == AnalysisVersion.approved_by)
    .where(Analysis.id == bindparam("analysis_id"))
    .order_by(AnalysisVersion.version)
)
# The contents with every comment, one row per comment (or one without): one statement, so the
# comments belong to the revision read with them.
_CONTENTS = (
    select(
        AnalysisVersion.revision,
        AnalysisVersion.updated_at,
        AnalysisVersion.body,
        AnalysisVersion.recommendation,
        AnalysisVersion.missing,
        AnalysisComment.at.label("comment_at"),
        AnalysisComment.role.label("comment_role"),
        AnalysisComment.text.label("comment_text"),
    )
    .outerjoin(AnalysisComment, AnalysisComment.version_id == AnalysisVersion.id)
    .where(AnalysisVersion.id == bindparam("version_id"))
    .order_by(AnalysisComment.at, AnalysisComment.id)
)


@contextmanager
def reading(session: Session) -> Iterator[Connection]:
    """A connection for the statements of a read, each of which stands alone (`contents`
    checks the revision it reads): the session's own once it has begun a transaction, else one
    without a transaction (`kb.db.standalone`)."""
    if session.in_transaction():
        yield session.connection()
        return
    engine = session.get_bind()
    assert isinstance(engine, Engine), "an analysis session is bound to an engine"
    with standalone(engine) as connection:
        yield connection


def heads(connection: Connection, analysis_id: int) -> tuple[CaseHead, list[VersionHead]] | None:
    """The analysis and all its versions in version order; None when there is no such
    analysis."""
    rows = connection.execute(_HEADS, {"analysis_id": analysis_id}).all()
    if not rows:
        return None
    first = rows[0]
    author = Person(first.author_username, first.author_display_name, first.author_role)
    case = CaseHead(
        first.analysis_id, first.office, first.author_id, first.demo, first.closed_on, author
    )
    return case, [_version_head(row) for row in rows]


def _version_head(row: Row[Any]) -> VersionHead:
    approver = None
    if row.approver_username is not None:
        approver = Person(row.approver_username, row.approver_display_name, row.approver_role)
    return _head(row, approver)


def _head(version: Row[Any] | AnalysisVersion, approver: Person | None) -> VersionHead:
    """A version's head from a row of `_HEADS` or an ORM object: their names are the same."""
    return VersionHead(
        **{name: getattr(version, name) for name in _VERSION_COLUMNS}, approver=approver
    )


def head_of(analysis: Analysis) -> CaseHead:
    """The head of an analysis the ORM has loaded (the writes' path)."""
    return CaseHead(
        analysis.id,
        analysis.office,
        analysis.author_id,
        analysis.demo,
        analysis.closed_on,
        _person(analysis.author),
    )


def version_head_of(version: AnalysisVersion) -> VersionHead:
    """The head of a version the ORM has loaded (the writes' path)."""
    approver = version.approver
    return _head(version, _person(approver) if approver is not None else None)


def _person(account: Account) -> Person:
    return Person(account.username, account.display_name, account.role)


# One store per database: tests and tools open several, whose ids and revisions coincide.
_KEPT: weakref.WeakKeyDictionary[Engine, Recent[_Key, Contents]] = weakref.WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def _kept(engine: Engine) -> Recent[_Key, Contents]:
    with _KEPT_LOCK:
        kept = _KEPT.get(engine)
        if kept is None:
            kept = _KEPT[engine] = Recent(CACHE_SIZE)
        return kept


class ChangedWhileReading(Exception):
    """The version changed between reading its head and its contents: read again."""


def contents_of(version: AnalysisVersion) -> Contents:
    """The contents of a write's own version, perhaps not committed yet: parsed, never kept."""
    parsed = _parse(version.body, version.recommendation, version.missing, version)
    return _with_comments(parsed, [Comment.model_validate(c) for c in version.comments])


def contents(connection: Connection, version: VersionHead) -> Contents:
    """The version's parsed contents, as of its head's revision; kept for the next read.

    Raises:
        ChangedWhileReading: another request changed the version after `version` was read.
    """
    kept = _kept(connection.engine)
    known = kept.get(version.key)
    if known is not None:
        return known
    rows = connection.execute(_CONTENTS, {"version_id": version.id}).all()
    if not rows or (rows[0].revision, rows[0].updated_at) != (version.revision, version.updated_at):
        raise ChangedWhileReading
    first = rows[0]
    found = _parse(first.body, first.recommendation, first.missing, version)
    comments = [
        Comment(at=row.comment_at, role=row.comment_role, text=row.comment_text)
        for row in rows
        if row.comment_at is not None
    ]
    found = _with_comments(found, comments)
    kept.put(version.key, found)
    return found


def _parse(
    body: dict[str, Any],
    recommendation: dict[str, Any],
    missing: list[dict[str, Any]] | None,
    version: VersionHead | AnalysisVersion,
) -> Contents:
    # A stored body is read back against the day it was evaluated (models.AnalysisVersion).
    model = AnalysisBody if version.complete else DraftBody
    parsed = model.model_validate(body, context={"today": version.evaluated_on})
    advice = Recommendation.model_validate(recommendation) if version.complete else None
    return Contents(parsed, advice, tuple(Missing.model_validate(m) for m in missing or []), ())


def _with_comments(found: Contents, comments: list[Comment]) -> Contents:
    return Contents(found.body, found.recommendation, found.missing, tuple(comments))
