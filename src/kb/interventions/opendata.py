"""The knowledge base as open data: every entry as JSON, the entries and their ratings as CSV, and
a Frictionless data package that describes the CSV files (types, codes, keys, licence, the day).

The same bytes are served under `/api/v1/export/…` and written by `kb export DIR`, built from one
catalogue on one day: the headline evidence depends on the date (expired ratings no longer
count), so every file says which day it is a snapshot of.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from kb.interventions.catalogue import Catalogue
from kb.interventions.schemas import Entry
from kb.vocabulary import KINDS, RATING_STATE_LABELS, SCHEME_LABELS, STATUSES

__all__ = [
    "EXPORT_FILES",
    "LICENCES",
    "Licence",
    "Snapshot",
    "write_export",
]

PACKAGE_NAME = "kennisbank-scheiding-en-kind"
# Several values in one CSV cell (codes, names, web addresses): none of them contains a bar.
LIST_DELIMITER = "|"


@dataclass(frozen=True)
class Licence:
    name: str
    title: str
    path: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title, "path": self.path}


# The open licences the data may be published under (KB_OPEN_DATA_LICENCE). CC0 is the default:
# public data of a public body, reusable without conditions, so a court or desk that takes the
# entries into its own systems need not carry an attribution clause along. Each entry's sources
# stay in the data, so the origin of every fact remains traceable all the same.
LICENCES: dict[str, Licence] = {
    "CC0-1.0": Licence(
        "CC0-1.0",
        "Creative Commons Zero v1.0 Universal",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "CC-BY-4.0": Licence(
        "CC-BY-4.0",
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
}

FieldType = Literal["string", "integer", "boolean", "date", "list"]


@dataclass(frozen=True)
class Column:
    """One CSV column and its Table Schema field: name, type, description, constraints, and how
    its value is taken from the record."""

    name: str
    type: FieldType
    description: str
    value: Callable[[Any], Any]
    constraints: dict[str, Any] | None = None
    item_type: str = "string"

    def field(self) -> dict[str, Any]:
        field: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "description": self.description,
        }
        if self.type == "list":
            field |= {"delimiter": LIST_DELIMITER, "itemType": self.item_type}
        if self.constraints:
            field["constraints"] = self.constraints
        return field

    def cell(self, record: Any) -> str:
        value = self.value(record)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return LIST_DELIMITER.join(str(v) for v in value)
        return str(value)


@dataclass(frozen=True)
class Snapshot:
    """The knowledge base as on one day, with the licence and the site's address for links."""

    catalogue: Catalogue
    licence: Licence
    site_url: str

    @property
    def day(self) -> dt.date:
        return self.catalogue.day

    def entry_url(self, slug: str) -> str:
        return f"{self.site_url.rstrip('/')}/interventies/{slug}"

    # --- JSON -----------------------------------------------------------------------------------

    def entries_json(self) -> bytes:
        """Every entry as the detail API gives it, its evidence as on the snapshot's day."""
        items = [self._entry(entry) for entry in self.catalogue.by_title()]
        document = {
            "title": "Kennisbank Scheiding & Kind",
            "licence": self.licence.as_json(),
            "snapshot_date": self.day.isoformat(),
            "generation": self.catalogue.generation,
            "count": len(items),
            "items": items,
        }
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"

    def _entry(self, entry: Entry) -> dict[str, Any]:
        data = entry.model_dump(mode="json")
        data["evidence"] = entry.evidence_on(self.day).model_dump(mode="json")
        data["stale"] = entry.next_review < self.day
        data["url"] = self.entry_url(entry.slug)
        return data

    # --- CSV ------------------------------------------------------------------------------------

    def entries_csv(self) -> bytes:
        return _csv(self._entry_columns(), self.catalogue.by_title())

    def ratings_csv(self) -> bytes:
        rows = [
            (entry, index, rating, state)
            for entry in self.catalogue.by_title()
            for index, (rating, state) in enumerate(entry.rating_states(self.day))
        ]
        return _csv(RATING_COLUMNS, rows)

    def _entry_columns(self) -> list[Column]:
        day = self.day
        return [
            *ENTRY_COLUMNS,
            Column(
                "evidence_level",
                "integer",
                "Bewijsniveau 0–5 volgens de op de peildatum geldige beoordelingen (het laagste bij "
                "tegenstrijdige oordelen)",
                lambda e: e.evidence_on(day).level,
                {"required": True, "minimum": 0, "maximum": 5},
            ),
            Column(
                "evidence_label", "string", "Het bewijsniveau in woorden",
                lambda e: e.evidence_on(day).label,
            ),
            Column(
                "evidence_flags", "list", "Vlaggen van alle beoordelingen (ook verlopen): "
                "onder_voorbehoud, niet_erkend, geen_effect, schadelijk",
                lambda e: e.evidence_on(day).flags,
            ),
            Column(
                "evidence_valid_until", "date", "Tot wanneer het bewijsniveau geldt",
                lambda e: e.evidence_on(day).valid_until,
            ),
            Column(
                "evidence_disputed", "boolean", "Geldige oordelen verschillen van niveau",
                lambda e: e.evidence_on(day).disputed,
            ),
            Column(
                "stale", "boolean", "next_review ligt vóór de peildatum",
                lambda e: e.next_review < day,
            ),
            Column(
                "url", "string", "De pagina van het item",
                lambda e: self.entry_url(e.slug),
                {"required": True},
            ),
        ]  # fmt: skip

    # --- The data package -----------------------------------------------------------------------

    def datapackage(self) -> dict[str, Any]:
        return {
            "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
            "name": PACKAGE_NAME,
            "title": "Kennisbank Scheiding & Kind",
            "description": (
                "Hulp voor kinderen in een (vecht)scheiding in Nederland: interventies, pilots, "
                "richtlijnen, instrumenten en voorzieningen, met hun gepubliceerde beoordelingen. "
                f"Momentopname van {self.day.isoformat()}: het bewijsniveau telt alleen "
                "beoordelingen die op die dag geldig zijn. Alle velden, ook aanbieders en bronnen, "
                "staan in interventions.json."
            ),
            "homepage": self.site_url,
            "licenses": [self.licence.as_json()],
            "snapshot_date": self.day.isoformat(),
            "generation": self.catalogue.generation,
            "resources": [
                _resource(
                    "interventions",
                    "Items van de kennisbank, één per regel",
                    self._entry_columns(),
                    {"primaryKey": ["slug"]},
                ),
                _resource(
                    "ratings",
                    "Gepubliceerde beoordelingen, één per regel, met hun stand op de peildatum",
                    RATING_COLUMNS,
                    {
                        "primaryKey": ["slug", "position"],
                        "foreignKeys": [
                            {
                                "fields": ["slug"],
                                "reference": {"resource": "interventions", "fields": ["slug"]},
                            }
                        ],
                    },
                ),
            ],
        }

    def datapackage_json(self) -> bytes:
        return json.dumps(self.datapackage(), ensure_ascii=False, indent=1).encode("utf-8") + b"\n"

    def files(self) -> dict[str, bytes]:
        """Every file of the export by its name, as served and as `kb export` writes them."""
        return {name: build(self) for name, build in EXPORT_FILES.items()}


def _codes(values: Iterable[str]) -> dict[str, Any]:
    return {"enum": list(values)}


ENTRY_COLUMNS: list[Column] = [
    Column("slug", "string", "Vaste naam van het item (ook in de webadressen)",
           lambda e: e.slug, {"required": True, "unique": True}),
    Column("title", "string", "Naam", lambda e: e.title, {"required": True}),
    Column("kind", "string", "Soort", lambda e: e.kind, {"required": True, **_codes(KINDS)}),
    Column("status", "string", "Status", lambda e: e.status,
           {"required": True, **_codes(STATUSES)}),
    Column("summary", "string", "Samenvatting voor professionals", lambda e: e.summary,
           {"required": True}),
    Column("summary_b1", "string", "Samenvatting voor ouders (taalniveau B1)",
           lambda e: e.summary_b1),
    Column("aliases", "list", "Andere namen", lambda e: e.aliases),
    Column("audience", "list", "Voor wie (codes)", lambda e: e.audience),
    Column("age_min", "integer", "Leeftijd van het kind, vanaf", lambda e: e.age_min,
           {"minimum": 0, "maximum": 25}),
    Column("age_max", "integer", "Leeftijd van het kind, tot en met", lambda e: e.age_max,
           {"minimum": 0, "maximum": 25}),
    Column("glasl_phases", "list", "Conflictfasen (Glasl) 1–3; leeg: niet fasegebonden",
           lambda e: e.glasl_phases, item_type="integer"),
    Column("format", "list", "Vorm (codes)", lambda e: e.format),
    Column("route", "list", "Toegang (codes)", lambda e: e.route),
    Column("contraindications", "list", "Contra-indicaties (codes)",
           lambda e: e.contraindications),
    Column("national", "boolean", "Landelijk beschikbaar", lambda e: e.national),
    Column("available_in_nl", "boolean", "In Nederland te krijgen", lambda e: e.available_in_nl),
    Column("arrondissements", "list", "Arrondissementen waar aanbieders zitten of werken",
           lambda e: e.arrondissements),
    Column("providers", "list", "Namen van aanbieders", lambda e: [p.name for p in e.providers]),
    Column("owner", "string", "Eigenaar of ontwikkelaar", lambda e: e.owner),
    Column("sources", "list", "Webadressen van de bronnen", lambda e: [str(s.url) for s in e.sources]),
    Column("verified", "boolean", "Elk feit heeft een primaire bron", lambda e: e.verified),
    Column("last_reviewed", "date", "Laatst door de redactie gecontroleerd",
           lambda e: e.last_reviewed, {"required": True}),
    Column("next_review", "date", "Volgende controle", lambda e: e.next_review,
           {"required": True}),
]  # fmt: skip

RATING_COLUMNS: list[Column] = [
    Column("slug", "string", "Het item (interventions.slug)", lambda r: r[0].slug,
           {"required": True}),
    Column("position", "integer", "Volgorde van de beoordeling binnen het item, vanaf 0",
           lambda r: r[1], {"required": True, "minimum": 0}),
    Column("scheme", "string", "Wie beoordeelde (codes)", lambda r: r[2].scheme,
           {"required": True, **_codes(SCHEME_LABELS)}),
    Column("label", "string", "Het oordeel zoals gepubliceerd", lambda r: r[2].label,
           {"required": True}),
    Column("level", "integer", "Het oordeel als niveau 0–5", lambda r: r[2].level,
           {"required": True, "minimum": 0, "maximum": 5}),
    Column("date", "date", "Datum van het oordeel", lambda r: r[2].date),
    Column("valid_until", "date", "Geldig tot en met", lambda r: r[2].valid_until),
    Column("state", "string", "Stand op de peildatum", lambda r: r[3],
           {"required": True, **_codes(RATING_STATE_LABELS)}),
    Column("flags", "list", "Vlaggen", lambda r: r[2].flags),
    Column("committee", "string", "Commissie", lambda r: r[2].committee),
    Column("source_url", "string", "De pagina van het register of de bron",
           lambda r: str(r[2].source_url) if r[2].source_url else None),
]  # fmt: skip


def _resource(
    name: str, title: str, columns: Sequence[Column], keys: dict[str, Any]
) -> dict[str, Any]:
    return {
        "name": name,
        "type": "table",
        "title": title,
        "path": f"{name}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": [c.field() for c in columns], **keys},
    }


def _csv(columns: Sequence[Column], records: Iterable[Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    for record in records:
        writer.writerow([c.cell(record) for c in columns])
    return out.getvalue().encode("utf-8")


EXPORT_FILES: dict[str, Callable[[Snapshot], bytes]] = {
    "interventions.json": Snapshot.entries_json,
    "interventions.csv": Snapshot.entries_csv,
    "ratings.csv": Snapshot.ratings_csv,
    "datapackage.json": Snapshot.datapackage_json,
}


def write_export(snapshot: Snapshot, folder: Path) -> list[Path]:
    """Write every file of the export into `folder` (made when missing); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in snapshot.files().items():
        path = folder / name
        path.write_bytes(content)
        written.append(path)
    return written
