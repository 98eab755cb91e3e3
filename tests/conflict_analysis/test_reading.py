"""Reading an analysis (`kb.conflict_analysis.reading`): one statement once the contents are
kept, and never a kept version's contents after it changed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event

from kb.conflict_analysis import service as service_module
from kb.conflict_analysis.reading import ChangedWhileReading, contents, heads
from kb.search.base import SearchBackend
from tests.conflict_analysis.helpers import API, Direct, Raad


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


def _summary(case: dict[str, Any], text: str) -> dict[str, Any]:
    return {**case, "assessment": {**case["assessment"], "summary": text}}


def test_a_version_changed_between_its_two_statements_is_read_again(
    case: dict[str, Any], direct: Direct, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = direct(lambda s: s.create(case))
    calls = 0

    def heads_then_someone_saves(connection: Any, analysis_id: int) -> Any:
        nonlocal calls
        calls += 1
        found = heads(connection, analysis_id)
        if calls == 1:  # another request saves right after this read's first statement
            direct(lambda s: s.save(made.id, _summary(case, "Intussen bewaard."), (made.etag,)))
        return found

    monkeypatch.setattr(service_module, "heads", heads_then_someone_saves)
    read = direct(lambda s: s.read(made.id))
    assert calls == 2
    assert (read.revision, read.body.assessment.summary) == (2, "Intussen bewaard.")


def test_contents_refuse_a_head_that_is_no_longer_current(
    case: dict[str, Any], direct: Direct
) -> None:
    made = direct(lambda s: s.create(case))
    with direct.engine.connect() as connection:
        found = heads(connection, made.id)
    assert found is not None
    direct(lambda s: s.save(made.id, case, (made.etag,)))
    with direct.engine.connect() as connection, pytest.raises(ChangedWhileReading):
        contents(connection, found[1][0])


def test_no_such_analysis_has_no_heads(prepared: tuple[Engine, SearchBackend]) -> None:
    # Ids beyond the database's integers never get here: the web edge answers them (finding 5).
    with prepared[0].connect() as connection:
        assert heads(connection, 987_654_321) is None


def test_reads_during_saves_always_show_the_contents_of_their_own_revision(
    case: dict[str, Any], direct: Direct
) -> None:
    """Saves and reads at once: every read's body is the one saved at the revision (ETag) the
    read reports, never a kept body of another revision."""
    made = direct(lambda s: s.create(_summary(case, "Opslag 1.")))  # revision 1 holds save 1
    saves, seen = 15, []
    done = threading.Event()

    def save_all() -> None:
        etag = made.etag
        for n in range(2, saves + 1):
            body = _summary(case, f"Opslag {n}.")
            etag = direct(lambda s, body=body, etag=etag: s.save(made.id, body, (etag,))).etag
            # Two more reads before the next save: one of them began after this commit.
            wanted = len(seen) + 2
            deadline = time.monotonic() + 30
            while len(seen) < wanted and time.monotonic() < deadline:
                time.sleep(0.001)
        done.set()

    def read_until_done() -> None:
        while not done.is_set():
            read = direct(lambda s: s.read(made.id))
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
