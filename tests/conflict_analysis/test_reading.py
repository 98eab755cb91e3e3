"""Reading an analysis (`kb.conflict_analysis.reading`): one statement once the contents are
kept, and never a kept version's contents after it changed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from kb.access import Caller, CurrentUser
from kb.conflict_analysis import service as service_module
from kb.conflict_analysis.advisor import Advisor
from kb.conflict_analysis.reading import ChangedWhileReading, contents, heads
from kb.conflict_analysis.service import AnalysisService
from kb.interventions.catalogue import Catalogue
from kb.search.base import SearchBackend
from tests.conflict_analysis.helpers import API, Raad
from tests.factories import OFFICE
from tests.helpers import Person


@contextmanager
def statements_on(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent on `engine` meanwhile."""
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def _about_analyses(sent: list[str]) -> list[str]:
    return [s for s in sent if "analysis_version" in s]


def test_a_read_of_kept_contents_is_one_statement(
    raad: Raad, case: dict[str, Any], prepared: tuple[Engine, SearchBackend]
) -> None:
    made = raad.submitted(case)
    first = raad.judge.get(f"{API}/{made['id']}")
    assert first.status_code == 200, first.text
    with statements_on(prepared[0]) as sent:
        again = raad.judge.get(f"{API}/{made['id']}")
    assert again.status_code == 200 and again.json() == first.json()
    # The access facts, names and versions in one SELECT; the contents from what was kept. The
    # audit append's own transaction writes audit_log only.
    assert len(_about_analyses(sent)) == 1, sent
    assert _about_analyses(sent)[0].lstrip().upper().startswith("SELECT")


def test_every_change_of_a_draft_shows_in_the_next_read(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.created(case)
    path = f"{API}/{made['id']}"
    assert (
        raad.investigator.get(path).json()["body"]["assessment"]["summary"]
        == (case["assessment"]["summary"])
    )
    changed = {**case, "assessment": {**case["assessment"], "summary": "Na het huisbezoek."}}
    saved = raad.investigator.put(path, json=changed, headers={"If-Match": made["etag"]})
    assert saved.status_code == 200, saved.text
    read = raad.investigator.get(path).json()
    assert read["body"]["assessment"]["summary"] == "Na het huisbezoek."
    assert read["etag"] == saved.json()["etag"]
    assert raad.investigator.post(f"{path}/submit").status_code == 200
    returned = raad.expert.post(f"{path}/return", json={"comment": "Vul de gesprekken aan."})
    assert returned.status_code == 200, returned.text
    read = raad.investigator.get(path).json()
    assert (read["status"], [c["text"] for c in read["comments"]]) == (
        "concept",
        ["Vul de gesprekken aan."],
    )


def _service(
    engine: Engine, person: Person, catalogue: Catalogue
) -> Callable[[Session], AnalysisService]:
    user = CurrentUser(id=person.id, username=person.username, role=person.role, office=OFFICE)
    return lambda session: AnalysisService(session, Advisor(catalogue), Caller(user))


def test_a_version_changed_between_its_two_statements_is_read_again(
    case: dict[str, Any],
    prepared: tuple[Engine, SearchBackend],
    user_factory: Callable[..., Person],
    kb_catalogue: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine, _ = prepared
    service = _service(engine, user_factory("raadsonderzoeker", office=OFFICE), kb_catalogue)
    with Session(engine) as session:
        made = service(session).create(case)
        session.commit()
    changed = {**case, "assessment": {**case["assessment"], "summary": "Intussen bewaard."}}
    calls = 0

    def heads_then_someone_saves(connection: Any, analysis_id: int) -> Any:
        nonlocal calls
        calls += 1
        found = heads(connection, analysis_id)
        if calls == 1:  # another request saves right after this read's first statement
            with Session(engine) as other:
                service(other).save(made.id, changed, (made.etag,))
                other.commit()
        return found

    monkeypatch.setattr(service_module, "heads", heads_then_someone_saves)
    with Session(engine) as session:
        read = service(session).read(made.id)
        session.commit()
    assert calls == 2
    assert (read.revision, read.body.assessment.summary) == (2, "Intussen bewaard.")


def test_contents_refuse_a_head_that_is_no_longer_current(
    case: dict[str, Any],
    prepared: tuple[Engine, SearchBackend],
    user_factory: Callable[..., Person],
    kb_catalogue: Catalogue,
) -> None:
    engine, _ = prepared
    service = _service(engine, user_factory("raadsonderzoeker", office=OFFICE), kb_catalogue)
    with Session(engine) as session:
        made = service(session).create(case)
        session.commit()
    with engine.connect() as connection:
        found = heads(connection, made.id)
    assert found is not None
    old_head = found[1][0]
    with Session(engine) as session:
        service(session).save(made.id, case, (made.etag,))
        session.commit()
    with engine.connect() as connection, pytest.raises(ChangedWhileReading):
        contents(connection, old_head)


def test_no_such_analysis_has_no_heads(prepared: tuple[Engine, SearchBackend]) -> None:
    with prepared[0].connect() as connection:
        assert heads(connection, 2**31) is None
        assert heads(connection, 987_654_321) is None


def test_reads_during_saves_always_show_the_contents_of_their_own_revision(
    case: dict[str, Any],
    prepared: tuple[Engine, SearchBackend],
    user_factory: Callable[..., Person],
    kb_catalogue: Catalogue,
) -> None:
    """Saves and reads at once: every read's body is the one saved at the revision (ETag) the
    read reports, never a kept body of another revision."""
    engine, _ = prepared
    service = _service(engine, user_factory("raadsonderzoeker", office=OFFICE), kb_catalogue)

    def body(n: int) -> dict[str, Any]:
        return {**case, "assessment": {**case["assessment"], "summary": f"Opslag {n}."}}

    with Session(engine) as session:
        made = service(session).create(body(1))  # revision 1 holds save 1
        session.commit()
    saves, seen = 15, []
    done = threading.Event()

    def save_all() -> None:
        etag = made.etag
        for n in range(2, saves + 1):
            with Session(engine) as session:
                etag = service(session).save(made.id, body(n), (etag,)).etag
                session.commit()
            # Two more reads before the next save: one of them began after this commit.
            wanted = len(seen) + 2
            deadline = time.monotonic() + 30
            while len(seen) < wanted and time.monotonic() < deadline:
                time.sleep(0.001)
        done.set()

    def read_until_done() -> None:
        while not done.is_set():
            with Session(engine) as session:
                read = service(session).read(made.id)
                session.commit()
            seen.append((read.revision, read.body.assessment.summary))

    threads = [threading.Thread(target=save_all)] + [
        threading.Thread(target=read_until_done) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert done.is_set() and seen
    assert all(summary == f"Opslag {revision}." for revision, summary in seen), seen
    assert len({revision for revision, _ in seen}) > 1  # the reads saw the saves go by
