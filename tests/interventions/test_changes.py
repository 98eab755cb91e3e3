"""History and change feed over HTTP: `/api/v1/interventions/{slug}/history`, `/api/v1/changes`,
the Atom feed `/wijzigingen.atom` (read by a real feed parser), and the history on the entry
page. Each test runs an app of its own over a writable copy of the fixture corpus."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
import time_machine
from bs4 import BeautifulSoup
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from kb.app import create_app, prepare
from kb.interventions.catalogue import GenerationSignal
from kb.interventions.indexing import rebuild
from kb.search.base import SearchBackend
from kb.settings import Settings
from tests.helpers import FIXTURE_CONTENT, SEARCH

DAY = dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC)
RECHECK_SECONDS = 1.05


@dataclass
class OwnApp:
    """An app over its own copy of the fixture corpus, first indexed on DAY."""

    app: Litestar
    engine: Engine
    backend: SearchBackend
    settings: Settings

    @property
    def content(self) -> Path:
        return self.settings.content_dir

    def edit(self, slug: str, old: str, new: str) -> None:
        path = self.content / "interventions" / f"{slug}.md"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def index_elsewhere(self) -> None:
        """`kb index` in another process: the rows, the index and the signal, not this app."""
        rebuild(
            self.engine,
            self.backend,
            self.content,
            SEARCH,
            signal=GenerationSignal(self.settings.generation_file),
        )


@pytest.fixture()
def own(tmp_path: Path, empty_database: str) -> Iterator[OwnApp]:
    """An app of its own, whose content the test may change (alpha's rating ends 2027-03-01)."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=empty_database,
        content_dir=content,
        search_dir=SEARCH,
        demo=True,
        password_hashing="CHEAPEST",
        _env_file=None,  # type: ignore[call-arg]
    )
    under_test = OwnApp(None, None, None, settings)  # type: ignore[arg-type]
    under_test.edit("alpha-groep", "valid_until: 2030-06-01", "valid_until: 2027-03-01")
    with time_machine.travel(DAY, tick=False):
        engine, backend = prepare(settings)
    under_test.app = create_app(settings, engine, backend)
    under_test.engine, under_test.backend = engine, backend
    yield under_test
    engine.dispose()


def _client(app: Litestar) -> TestClient[Litestar]:
    return TestClient(app=app, raise_server_exceptions=False)


def test_history_of_an_entry_newest_first(own: OwnApp) -> None:
    own.edit("beta-bemiddeling", "status: actief", "status: gestopt")
    with time_machine.travel(DAY + dt.timedelta(days=1), tick=False):
        own.index_elsewhere()
    with _client(own.app) as client:
        response = client.get("/api/v1/interventions/beta-bemiddeling/history")
        assert response.status_code == 200
        revisions = response.json()
        assert [(r["revision"], r["kind"]) for r in revisions] == [(2, "gewijzigd"), (1, "nieuw")]
        assert revisions[0]["at"].startswith("2026-12-01T10:00:00")
        assert {"field": "status", "old": "actief", "new": "gestopt"} in revisions[0]["changes"]
        assert set(revisions[0]) >= {"revision", "at", "summary", "changes"}
        missing = client.get("/api/v1/interventions/bestaat-niet/history")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")


def test_every_worker_serves_what_another_process_indexed_at_its_next_request(
    own: OwnApp,
) -> None:
    """No waiting for a poll: the signal file tells this app's catalogue and engine at once."""
    with _client(own.app) as client:
        assert client.get("/interventies/zeta-vadergroep").status_code == 404
        beta = (own.content / "interventions" / "beta-bemiddeling.md").read_text("utf-8")
        (own.content / "interventions" / "zeta-vadergroep.md").write_text(
            beta.replace("Beta Ouderschapsbemiddeling", "Zeta Vadergroep"), encoding="utf-8"
        )
        own.index_elsewhere()
        assert client.get("/interventies/zeta-vadergroep").status_code == 200
        found = client.get("/api/v1/interventions", params={"q": "vadergroep"}).json()
        assert [item["slug"] for item in found["items"]] == ["zeta-vadergroep"]
        feed = client.get("/api/v1/changes").json()
        assert [(i["kind"], i["slug"]) for i in feed["items"]] == [("nieuw", "zeta-vadergroep")]


def test_an_expiry_is_in_the_feed_on_the_day_it_expires(own: OwnApp) -> None:
    with (
        time_machine.travel(dt.datetime(2027, 3, 1, 22, 30, tzinfo=dt.UTC), tick=False),
        _client(own.app) as client,
    ):
        # 23:30 in the Netherlands: still the last valid day.
        assert client.get("/api/v1/changes").json()["total"] == 0
    # Just after midnight in the Netherlands, without `kb index`. A worker looks at the date at
    # most once a second (the monotonic clock, which does not travel).
    time.sleep(RECHECK_SECONDS)
    with (
        time_machine.travel(dt.datetime(2027, 3, 1, 23, 5, tzinfo=dt.UTC), tick=False),
        _client(own.app) as client,
    ):
        body = client.get("/api/v1/changes").json()
        assert body["total"] == 1
        [item] = body["items"]
        assert (item["kind"], item["slug"], item["topics"]) == (
            "verlopen",
            "alpha-groep",
            ["beoordeling"],
        )
        assert {"field": "evidence.level", "old": 4, "new": 0} in item["changes"]
        search = client.get("/api/v1/interventions", params={"evidence_min": 4}).json()
        assert "alpha-groep" not in [i["slug"] for i in search["items"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"per_page": "0"}, "per_page", id="per-page-zero"),
        pytest.param({"page": "x"}, "page", id="page-not-a-number"),
        pytest.param({"kind": "hernoemd"}, "kind", id="unknown-kind"),
        pytest.param({"since": "gisteren"}, "since", id="since-not-a-date"),
    ],
)
def test_bad_feed_parameters_are_field_problems(
    own: OwnApp, params: dict[str, str], field: str
) -> None:
    with _client(own.app) as client:
        response = client.get("/api/v1/changes", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["loc"] for e in response.json()["errors"]] == [["query", field]]


def test_the_atom_feed_is_read_by_a_feed_parser(own: OwnApp) -> None:
    own.edit("alpha-groep", "title: Alpha Kindergroep", "title: Alpha & Co <kindergroep>")
    own.edit("gamma-pilot", "status: lopend", "status: afgerond")
    with time_machine.travel(DAY + dt.timedelta(days=2), tick=False):
        own.index_elsewhere()
    with _client(own.app) as client:
        response = client.get("/wijzigingen.atom")
        page = client.get("/interventies")
        # A feed reader that asks again with the ETag it has gets no body.
        again = client.get("/wijzigingen.atom", headers={"If-None-Match": response.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Kennisbank Scheiding & Kind: wijzigingen"
    assert feed.feed.updated.startswith("2026-12-02T10:00:00")
    titles = sorted(entry.title for entry in feed.entries)
    assert titles == ["Gewijzigd: Alpha & Co <kindergroep>", "Gewijzigd: Gamma Gezinspilot"]
    ids = {entry.id for entry in feed.entries}
    assert len(ids) == 2
    gamma = next(e for e in feed.entries if "Gamma" in e.title)
    assert gamma.link == "http://testserver.local/interventies/gamma-pilot#geschiedenis"
    assert gamma.summary == "Status loopt nog → afgerond."
    assert {t.term for t in gamma.tags} == {"gewijzigd", "status"}
    # Every page tells feed readers where the feed is.
    links = BeautifulSoup(page.text, "html.parser").find_all("link", type="application/atom+xml")
    assert [link["href"] for link in links] == ["/wijzigingen.atom"]


def test_the_entry_page_shows_its_history(own: OwnApp) -> None:
    own.edit("alpha-groep", "age_max: 12", "age_max: 14")
    with time_machine.travel(DAY + dt.timedelta(days=3), tick=False):
        own.index_elsewhere()
    with _client(own.app) as client:
        response = client.get("/interventies/alpha-groep")
    assert response.status_code == 200
    section = BeautifulSoup(response.text, "html.parser").find(id="geschiedenis")
    assert section is not None
    items = section.select("ol.history-list > li")
    assert [li.strong.get_text() for li in items] == ["Gewijzigd", "Nieuw"]  # type: ignore[union-attr]
    rows = [
        [c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
        for tr in items[0].select("tbody tr")
    ]
    assert rows == [["age_max", "12", "14"]]
    assert "3 december 2026" in items[0].get_text()
