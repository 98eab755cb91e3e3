"""Scale the real content to N entries with realistic text, deterministically.

The first entries are the real ones (`content/interventions/*.md`, in slug order); the rest are
generated from them:

- titles from real titles and title words, with regional and named variants;
- summaries and B1 summaries recombined from real summary sentences (≤ 600 characters);
- bodies with a real entry's section structure (`## Doel`, `## Aanpak`, …), each section filled
  with real paragraphs from that same section of other entries;
- kind/status/pilot, ratings with their sources, ages, Glasl phases, format, route, audience,
  contraindications and providers each copied from a randomly drawn real entry, so every field
  follows the real distribution and stays valid (places in providers are redrawn so that
  municipality and arrondissement vary at scale).

Every generated entry passes the same validation as a content file. The result is available as
`IndexDocument`s (through the repository's own `index_documents`), as content files for `kb serve`,
and as a SQLite FTS5 database for Datasette.
"""

from __future__ import annotations

import copy
import json
import random
import re
import shutil
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kb.interventions.catalogue import Catalogue
from kb.interventions.indexing import index_documents
from kb.interventions.loader import UNSOURCED_MARKER, load_entries
from kb.interventions.schemas import Entry
from kb.regions import register
from kb.search.base import IndexDocument
from kb.vocabulary import ARRONDISSEMENTS

__all__ = [
    "GeneratedEntry",
    "entries_to_documents",
    "generate_documents",
    "generate_entries",
    "write_content",
    "write_sqlite",
]

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
DEFAULT_SEED = 20260101
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9À-Ý(\"'])")
HEADING_RE = re.compile(r"^## (.+)$", re.MULTILINE)
TITLE_WORD_RE = re.compile(r"[^\W_][\w'’.-]*", re.UNICODE)
TITLE_STOP = {"de", "het", "een", "en", "na", "bij", "uit", "van", "met", "voor", "in", "op", "of"}
MAX_SUMMARY = 600

# Places for regional variants and providers: the municipalities and regions named in the real
# content plus other Dutch municipalities, each with its arrondissement.
PLACES: dict[str, str] = {
    "Amsterdam": "Amsterdam",
    "Zaanstad": "Noord-Holland",
    "Haarlem": "Noord-Holland",
    "Hollands Kroon": "Noord-Holland",
    "Alkmaar": "Noord-Holland",
    "Den Haag": "Den Haag",
    "Delft": "Den Haag",
    "Zoetermeer": "Den Haag",
    "Westland": "Den Haag",
    "Leiden": "Den Haag",
    "Rotterdam": "Rotterdam",
    "Dordrecht": "Rotterdam",
    "Schiedam": "Rotterdam",
    "Utrecht": "Midden-Nederland",
    "Amersfoort": "Midden-Nederland",
    "Almere": "Midden-Nederland",
    "Ede": "Gelderland",
    "Arnhem": "Gelderland",
    "Nijmegen": "Gelderland",
    "Apeldoorn": "Gelderland",
    "Zwolle": "Overijssel",
    "Enschede": "Overijssel",
    "Deventer": "Overijssel",
    "Groningen": "Noord-Nederland",
    "Leeuwarden": "Noord-Nederland",
    "Assen": "Noord-Nederland",
    "Eindhoven": "Oost-Brabant",
    "'s-Hertogenbosch": "Oost-Brabant",
    "Helmond": "Oost-Brabant",
    "Tilburg": "Zeeland-West-Brabant",
    "Breda": "Zeeland-West-Brabant",
    "Middelburg": "Zeeland-West-Brabant",
    "Goes": "Zeeland-West-Brabant",
    "Maastricht": "Limburg",
    "Venlo": "Limburg",
    "Heerlen": "Limburg",
}
REGIONS = ("Haaglanden", "Hart van Brabant", "Zeeland", "Twente", "Drechtsteden", "Noord-Limburg")
TITLE_HEADS = (
    "Groepsprogramma",
    "Training",
    "Spreekuur",
    "Loket",
    "Methode",
    "Cursus",
    "Werkwijze",
    "Pilot",
    "Ondersteuning bij",
    "Begeleiding bij",
    "Hulp bij",
    "Gesprekken over",
)
TITLE_TAILS = ("Plus", "Junior", "Online", "2.0", "voor jongeren", "voor ouders", "voor kinderen")


@dataclass(frozen=True)
class GeneratedEntry:
    """One entry as a content file would hold it: slug, front matter (plain data) and body."""

    slug: str
    front: dict[str, Any]
    body: str
    real: bool = False


# --------------------------------------------------------------------------- real material


@dataclass(frozen=True)
class _Real:
    slug: str
    front: dict[str, Any]
    body: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, paragraphs)


def _split_file(text: str) -> tuple[dict[str, Any], str]:
    end = text.find("\n---\n", 4)
    front = yaml.safe_load(text[4 : end + 1])
    return front, text[end + 5 :]


def _sections(body: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    parts = HEADING_RE.split(body)
    result = []
    for heading, text in zip(parts[1::2], parts[2::2], strict=True):
        paragraphs = tuple(p.strip() for p in re.split(r"\n\s*\n", text) if p.strip())
        if paragraphs:
            result.append((heading.strip(), paragraphs))
    return tuple(result)


def _load_real(content_dir: Path) -> list[_Real]:
    real = []
    for path in sorted((content_dir / "interventions").glob("*.md")):
        front, body = _split_file(path.read_text(encoding="utf-8"))
        real.append(_Real(path.stem, front, body, _sections(body)))
    return real


class _Pools:
    """Everything the generator draws from, collected once from the real entries."""

    def __init__(self, real: Sequence[_Real]) -> None:
        self.real = list(real)
        self.titles = [r.front["title"] for r in real]
        self.bases = [re.sub(r"\s*\(.*?\)\s*", " ", t).strip() for t in self.titles]
        words: dict[str, None] = {}
        for title in self.bases:
            for word in TITLE_WORD_RE.findall(title):
                if word.lower() not in TITLE_STOP and len(word) >= 3:
                    words.setdefault(word, None)
        self.title_words = list(words)
        self.aliases = [a for r in real for a in r.front.get("aliases") or []]
        self.share_with_aliases = sum(1 for r in real if r.front.get("aliases")) / len(real)
        self.summary_sentences = [
            s for r in real for s in SENTENCE_RE.split(r.front["summary"].strip()) if s
        ]
        self.b1_sentences = [
            s
            for r in real
            if r.front.get("summary_b1")
            for s in SENTENCE_RE.split(r.front["summary_b1"].strip())
            if s
        ]
        self.share_with_b1 = sum(1 for r in real if r.front.get("summary_b1")) / len(real)
        self.paragraphs: dict[str, list[str]] = {}
        for r in real:
            for heading, paragraphs in r.sections:
                self.paragraphs.setdefault(heading, []).extend(paragraphs)
        self.structures = [tuple((h, len(p)) for h, p in r.sections) for r in real if r.sections]


# --------------------------------------------------------------------------- generation


def _slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60].strip("-") or "item"


def _title(rng: random.Random, pools: _Pools) -> str:
    roll = rng.random()
    if roll < 0.35:
        place = rng.choice([*PLACES, *REGIONS])
        base = rng.choice(pools.bases)
        return f"{base} ({place})" if rng.random() < 0.5 else f"{base} {place}"
    if roll < 0.65:
        words = rng.sample(pools.title_words, k=rng.choice((2, 2, 3)))
        title = " ".join(words)
        if rng.random() < 0.3:
            title += " " + rng.choice(TITLE_TAILS)
        return title[:1].upper() + title[1:]
    head = rng.choice(TITLE_HEADS)
    topic = rng.choice(pools.title_words)
    title = f"{head} {topic[:1].lower() + topic[1:] if topic.islower() else topic}"
    if rng.random() < 0.4:
        title += " " + rng.choice([*PLACES, *REGIONS])
    return title


def _aliases(rng: random.Random, pools: _Pools, title: str) -> list[str]:
    if rng.random() >= pools.share_with_aliases:
        return []
    words = [w for w in TITLE_WORD_RE.findall(title) if w.lower() not in TITLE_STOP]
    aliases = []
    if len(words) >= 2 and rng.random() < 0.5:
        aliases.append("".join(w[0] for w in words).upper())
    if pools.aliases:
        aliases.extend(rng.sample(pools.aliases, k=min(len(pools.aliases), rng.choice((1, 1, 2)))))
    return list(dict.fromkeys(a for a in aliases if a.strip()))


def _sentences(rng: random.Random, sentences: Sequence[str], lo: int, hi: int) -> str:
    chosen = rng.sample(list(sentences), k=min(len(sentences), rng.randint(lo, hi)))
    text = " ".join(chosen)
    while len(text) > MAX_SUMMARY and len(chosen) > 1:
        chosen.pop()
        text = " ".join(chosen)
    return text[:MAX_SUMMARY]


def _body(rng: random.Random, pools: _Pools, title: str) -> str:
    structure = rng.choice(pools.structures)
    parts = []
    for heading, count in structure:
        pool = pools.paragraphs[heading]
        paragraphs = rng.sample(pool, k=min(len(pool), max(1, count)))
        parts.append(f"## {heading}\n\n" + "\n\n".join(paragraphs))
    if rng.random() < 0.5:  # many real bodies name the entry itself
        parts[0] = parts[0].replace("\n\n", f"\n\n{title}: ", 1)
    return "\n\n".join(parts) + "\n"


def _providers(rng: random.Random, source: dict[str, Any]) -> list[dict[str, Any]]:
    providers = copy.deepcopy(source.get("providers") or [])
    for provider in providers:
        place = rng.choice(list(PLACES))
        if provider.get("municipalities"):
            provider["municipalities"] = [place]
        if provider.get("arrondissement"):
            provider["arrondissement"] = PLACES[place]
        if provider.get("province"):  # kb check wants the province where the place lies
            provider["province"] = register().resolve(place).province
        if provider.get("arrondissement") not in (None, *ARRONDISSEMENTS):
            provider["arrondissement"] = None
    return providers


def _front(rng: random.Random, pools: _Pools, title: str) -> dict[str, Any]:
    def draw() -> dict[str, Any]:
        return rng.choice(pools.real).front

    base, evidence, ages = draw(), draw(), draw()
    front: dict[str, Any] = {
        "title": title,
        "aliases": _aliases(rng, pools, title),
        "kind": base["kind"],
        "status": base["status"],
        "summary": _sentences(rng, pools.summary_sentences, 2, 3),
        "summary_b1": (
            _sentences(rng, pools.b1_sentences, 2, 4)
            if rng.random() < pools.share_with_b1
            else None
        ),
        "audience": list(draw().get("audience") or []),
        "age_min": ages.get("age_min"),
        "age_max": ages.get("age_max"),
        "glasl_phases": list(draw().get("glasl_phases") or []),
        "divorce_stage": list(draw().get("divorce_stage") or []),
        "format": list(draw().get("format") or []),
        "route": list(draw().get("route") or []),
        "contraindications": list(draw().get("contraindications") or []),
        "conditions": list(draw().get("conditions") or []),
        "owner": draw().get("owner"),
        "national": bool(draw().get("national")),
        "providers": _providers(rng, draw()),
        "ratings": copy.deepcopy(evidence.get("ratings") or []),
        "pilot": copy.deepcopy(base.get("pilot")),
        "sources": copy.deepcopy(evidence["sources"]),
        "verified": bool(evidence.get("verified", True)),
        "last_reviewed": evidence["last_reviewed"],
        "next_review": evidence["next_review"],
        "related": [],
    }
    if base["kind"] == "pilot" and not front["pilot"]:
        front["pilot"] = {"evaluation_status": "geen"}
    return front


def generate_entries(
    n: int, seed: int = DEFAULT_SEED, content_dir: Path = CONTENT
) -> list[GeneratedEntry]:
    """The real entries first (slug order), then generated ones up to `n`; same seed, same list."""
    real = _load_real(content_dir)
    entries = [GeneratedEntry(r.slug, r.front, r.body, real=True) for r in real[:n]]
    pools = _Pools(real)
    rng = random.Random(seed)
    for i in range(len(entries), n):
        title = _title(rng, pools)
        slug = f"{_slugify(title)}-{i}"
        front, body = _front(rng, pools, title), _body(rng, pools, title)
        # Texts drawn from ones that admit an unconfirmed fact cannot be verified, as `kb check`
        # requires of a real file: the body and both summaries count.
        texts = (body, str(front.get("summary") or ""), str(front.get("summary_b1") or ""))
        front["verified"] = front["verified"] and not any(UNSOURCED_MARKER in t for t in texts)
        entries.append(GeneratedEntry(slug, front, body))
    return entries


def entries_to_documents(entries: Sequence[GeneratedEntry]) -> list[IndexDocument]:
    """Validate every entry like a content file and build the engines' documents from them."""
    loaded = [
        # body_html is not indexed; rendering 100,000 bodies would only cost time.
        Entry.model_validate(e.front | {"slug": e.slug, "body_markdown": e.body, "body_html": ""})
        for e in entries
    ]
    return index_documents(Catalogue(tuple(loaded)))


def generate_documents(
    n: int, seed: int = DEFAULT_SEED, content_dir: Path = CONTENT
) -> list[IndexDocument]:
    return entries_to_documents(generate_entries(n, seed, content_dir))


def real_documents(content_dir: Path = CONTENT) -> list[IndexDocument]:
    return index_documents(Catalogue(tuple(load_entries(content_dir))))


# --------------------------------------------------------------------------- writers


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when available: much faster


def write_content(
    entries: Iterable[GeneratedEntry], target: Path, content_dir: Path = CONTENT
) -> int:
    """Write `target/interventions/<slug>.md` for every entry (real ones copied byte for byte)."""
    folder = target / "interventions"
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for entry in entries:
        path = folder / f"{entry.slug}.md"
        if entry.real:
            shutil.copyfile(content_dir / "interventions" / f"{entry.slug}.md", path)
        else:
            front = yaml.dump(
                entry.front,
                Dumper=_DUMPER,
                allow_unicode=True,
                sort_keys=False,
                width=100,
                default_flow_style=None,
            )
            path.write_text(f"---\n{front}---\n\n{entry.body}", encoding="utf-8")
        count += 1
    return count


SQLITE_TABLE = "interventions"
SQLITE_SCHEMA = f"""
CREATE TABLE {SQLITE_TABLE} (
    slug TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    aliases TEXT NOT NULL,
    summary TEXT NOT NULL,
    summary_b1 TEXT,
    body TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    evidence_level INTEGER NOT NULL,
    evidence_label TEXT NOT NULL,
    flags TEXT NOT NULL,
    audience TEXT NOT NULL,
    age_min INTEGER NOT NULL,
    age_max INTEGER NOT NULL,
    glasl_phases TEXT NOT NULL,
    glasl_match TEXT NOT NULL,
    route TEXT NOT NULL,
    format TEXT NOT NULL,
    contraindications TEXT NOT NULL,
    municipalities TEXT NOT NULL,
    arrondissements TEXT NOT NULL,
    national INTEGER NOT NULL,
    default_rank INTEGER NOT NULL
);
CREATE INDEX idx_kind ON {SQLITE_TABLE}(kind);
CREATE INDEX idx_status ON {SQLITE_TABLE}(status);
CREATE INDEX idx_evidence ON {SQLITE_TABLE}(evidence_level);
CREATE VIRTUAL TABLE {SQLITE_TABLE}_fts USING fts5(
    title, aliases, summary, body,
    content="{SQLITE_TABLE}", content_rowid="rowid",
    tokenize="unicode61 remove_diacritics 2"
);
"""


def _json(values: Iterable[Any]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def write_sqlite(documents: Sequence[IndexDocument], path: Path) -> None:
    """A SQLite database with the same fields and an FTS5 index over title/aliases/summary/body.

    As in the embedded engine, entries without ages get 0–99 (so `age_min <= a <= age_max` is the
    API's "or no ages"), and `glasl_match` holds 1–3 for entries that are not phase-specific (so
    `glasl_match` contains p is the API's glasl filter); `glasl_phases` keeps the real values for
    facet counts. Multi-valued fields are JSON arrays (Datasette's `_facet_array`).
    """
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    try:
        conn.executescript(SQLITE_SCHEMA)
        rows = (
            (
                d.slug,
                d.title,
                " | ".join(d.aliases),
                d.summary,
                d.payload.get("summary_b1"),
                d.body,
                d.kind,
                d.status,
                d.evidence_level,
                d.payload.get("evidence", {}).get("label", ""),
                _json(d.flags),
                _json(d.audience),
                0 if d.age_min is None else d.age_min,
                99 if d.age_max is None else d.age_max,
                _json(d.glasl_phases),
                _json(d.glasl_phases or (1, 2, 3)),
                _json(d.route),
                _json(d.format),
                _json(d.contraindications),
                _json(d.municipalities),
                _json(d.arrondissements),
                1 if d.national else 0,
                d.default_rank,
            )
            for d in documents
        )
        conn.executemany(f"INSERT INTO {SQLITE_TABLE} VALUES ({', '.join('?' * 23)})", rows)
        conn.execute(
            f"INSERT INTO {SQLITE_TABLE}_fts(rowid, title, aliases, summary, body) "
            f"SELECT rowid, title, aliases, summary, body FROM {SQLITE_TABLE}"
        )
        conn.execute(f"INSERT INTO {SQLITE_TABLE}_fts({SQLITE_TABLE}_fts) VALUES ('optimize')")
        conn.commit()
        conn.execute("VACUUM")
    finally:
        conn.close()
