"""Open data: `/api/v1/export/…` and `kb export DIR` give the same files, and the Frictionless
framework finds the data package valid (types, codes, keys), and invalid once a value is not."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import frictionless
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kb.cli import main
from kb.clock import today
from kb.interventions.catalogue import Catalogue
from kb.interventions.opendata import EXPORT_FILES
from kb.settings import Settings

Client = TestClient[Litestar]


def _download(client: Client, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in EXPORT_FILES:
        response = client.get(f"/api/v1/export/{name}")
        assert response.status_code == 200, name
        (folder / name).write_bytes(response.content)
    return folder


def _errors(report: frictionless.Report) -> list[list[str]]:
    return report.flatten(["type", "fieldName"])  # type: ignore[no-any-return]


def test_the_export_is_a_valid_data_package(
    client: Client, kb_catalogue: Catalogue, tmp_path: Path
) -> None:
    folder = _download(client, tmp_path / "http")
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, _errors(report)
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC0-1.0"
    assert package["snapshot_date"] == today().isoformat()
    assert [r["name"] for r in package["resources"]] == ["interventions", "ratings"]
    rows = list(csv.DictReader(io.StringIO((folder / "interventions.csv").read_text("utf-8"))))
    assert sorted(r["slug"] for r in rows) == sorted(e.slug for e in kb_catalogue)
    knel = next(r for r in rows if r["slug"] == "kinderen-uit-de-knel")
    entry = kb_catalogue.get("kinderen-uit-de-knel")
    assert int(knel["evidence_level"]) == entry.evidence.level
    assert knel["audience"].split("|") == entry.audience
    ratings = list(csv.DictReader(io.StringIO((folder / "ratings.csv").read_text("utf-8"))))
    assert len(ratings) == sum(len(e.ratings) for e in kb_catalogue)
    document = json.loads((folder / "interventions.json").read_text(encoding="utf-8"))
    assert (document["count"], document["licence"]["name"]) == (len(kb_catalogue), "CC0-1.0")
    assert document["snapshot_date"] == today().isoformat()
    assert {i["slug"] for i in document["items"]} == set(kb_catalogue.by_slug)


def test_frictionless_refuses_a_broken_file(client: Client, tmp_path: Path) -> None:
    """The validation above can fail: an unknown kind, a level of 9 and a dangling rating."""
    folder = _download(client, tmp_path / "broken")
    entries = (folder / "interventions.csv").read_text(encoding="utf-8")
    (folder / "interventions.csv").write_text(
        entries.replace(",interventie,", ",wondermiddel,", 1), encoding="utf-8"
    )
    ratings = list(csv.reader(io.StringIO((folder / "ratings.csv").read_text("utf-8"))))
    header = ratings[0]
    ratings[1][header.index("level")] = "9"
    ratings[2][header.index("slug")] = "bestaat-niet"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(ratings)
    (folder / "ratings.csv").write_text(out.getvalue(), encoding="utf-8")
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert not report.valid
    found = {tuple(e) for e in _errors(report)}
    assert ("constraint-error", "kind") in found
    assert ("constraint-error", "level") in found
    assert any(kind == "foreign-key" for kind, _ in found)


def test_kb_export_writes_the_same_files(
    client: Client, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = _download(client, tmp_path / "http")
    for name, value in {
        "KB_DATA_DIR": settings.data_dir,
        "KB_DATABASE_URL": settings.resolved_database_url,
        "KB_CONTENT_DIR": settings.content_dir,
        "KB_SEARCH_DIR": settings.search_dir,
    }.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.chdir(tmp_path)  # no stray .env
    written = tmp_path / "kb-export"
    assert main(["export", str(written)]) == 0
    for name in EXPORT_FILES:
        assert (written / name).read_bytes() == (served / name).read_bytes(), name


def test_kb_export_refuses_an_empty_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["export", str(tmp_path / "out")]) == 1
    assert "kb index" in capsys.readouterr().err


def test_the_licence_is_a_setting(corpus_app: Litestar, tmp_path: Path) -> None:
    settings: Settings = corpus_app.state.settings
    path = "/api/v1/export/datapackage.json"
    with TestClient(app=corpus_app) as client:
        before = client.get(path).headers["etag"]
        corpus_app.state.settings = settings.model_copy(update={"open_data_licence": "CC-BY-4.0"})
        try:
            response = client.get(path, headers={"If-None-Match": before})
            package = response.json()
            entries = client.get("/api/v1/export/interventions.csv")
            unchanged = client.get(path, headers={"If-None-Match": response.headers["etag"]})
        finally:
            corpus_app.state.settings = settings
    # Another licence is another document; the same one again is not sent again.
    assert (response.status_code, unchanged.status_code) == (200, 304)
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "title": "Creative Commons Attribution 4.0 International",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        }
    ]
    assert entries.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(entries.text)))
    # The hand-counted corpus: its harmful entry keeps its flag, its strongest is level 4.
    by_slug = {r["slug"]: r for r in rows}
    assert by_slug["epsilon-schadelijk"]["evidence_flags"] == "schadelijk"
    assert by_slug["alpha-groep"]["evidence_level"] == "4"
    assert [by_slug[s]["glasl_phases"] for s in ("alpha-groep", "delta-loket")] == ["1|2", ""]
