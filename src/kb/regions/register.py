"""The municipality register (domain.md §9.1): look a place up by name, by prefix or despite a
typo, and find the municipalities a provider's area covers. No web framework here.

The list and its sources are package data (`data/municipalities.csv`, `data/aliases.csv`); both say
where each line comes from. Names are compared folded: without case, accents, apostrophes or
punctuation, so "sudwest fryslan", "Súdwest-Fryslân" and "SUDWEST-FRYSLAN" are one name.
"""

from __future__ import annotations

import csv
import difflib
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from kb.errors import UnknownNameError

__all__ = [
    "MAX_RESULTS",
    "Municipality",
    "Register",
    "data_dir",
    "fold",
    "provider_area",
    "provider_arrondissements",
    "register",
    "suggestion_text",
    "unknown_place_message",
]

MAX_RESULTS = 20
MAX_SUGGESTIONS = 5
# How alike a typed name and a known one must be (difflib's ratio) to be offered as "did you
# mean": "Utreht" → "Utrecht" is 0.92, "Breda" → "Beek" is 0.44.
SIMILAR = 0.75
# Common names of provinces that differ from the official ones the list uses.
_PROVINCE_ALIASES = {"friesland": "Fryslân"}


@dataclass(frozen=True)
class Municipality:
    """One municipality: its CBS code, official name, province and arrondissement."""

    code: str
    name: str
    province: str
    arrondissement: str

    @property
    def court(self) -> str:
        """The rechtbank of its arrondissement: each rechtbank carries its district's name."""
        return f"Rechtbank {self.arrondissement}"

    def item(self) -> dict[str, str]:
        """The API's shape (contracts.md, Regions)."""
        return {
            "name": self.name,
            "province": self.province,
            "arrondissement": self.arrondissement,
            "court": self.court,
        }


def fold(text: str) -> str:
    """A name as it is compared: lower case, no accents, words of letters and digits only.

    "'s-Hertogenbosch" → "s hertogenbosch", "Gemeente Súdwest-Fryslân" → "sudwest fryslan".
    """
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    words = "".join(c if c.isalnum() else " " for c in plain).split()
    if len(words) > 1 and words[0] == "gemeente":
        words = words[1:]
    return " ".join(words)


class Register:
    """The municipalities and every name they are known by, folded for lookup.

    Args:
        municipalities: every current municipality.
        aliases: other names (old, merged, short, spelled differently) → the municipality names
            they stand for; more than one where a municipality was divided.
    """

    def __init__(
        self, municipalities: Iterable[Municipality], aliases: dict[str, Sequence[str]]
    ) -> None:
        self.municipalities = tuple(sorted(municipalities, key=lambda m: fold(m.name)))
        by_name = {m.name: m for m in self.municipalities}
        keys: dict[str, tuple[Municipality, ...]] = {fold(m.name): (m,) for m in self}
        for alias, names in aliases.items():
            keys.setdefault(fold(alias), tuple(by_name[n] for n in names))
        self._keys = MappingProxyType(keys)
        self.by_name = MappingProxyType(by_name)
        self.provinces = tuple(sorted({m.province for m in self}))
        self.arrondissements = tuple(sorted({m.arrondissement for m in self}))

    def __iter__(self) -> Iterator[Municipality]:
        return iter(self.municipalities)

    def __len__(self) -> int:
        return len(self.municipalities)

    def aliases(self) -> list[str]:
        """Every folded name that is not a municipality's own (for tests and the docs)."""
        own = {fold(m.name) for m in self}
        return sorted(k for k in self._keys if k not in own)

    def candidates(self, name: str) -> tuple[Municipality, ...]:
        """The municipalities `name` stands for exactly: none, one, or several (a divided one)."""
        return self._keys.get(fold(name), ())

    def lookup(self, name: str) -> Municipality | None:
        """The one municipality `name` stands for, or None (unknown or ambiguous)."""
        found = self.candidates(name)
        return found[0] if len(found) == 1 else None

    def resolve(self, name: str) -> Municipality:
        """The one municipality `name` stands for; `UnknownNameError` with suggestions otherwise."""
        found = self.lookup(name)
        if found is None:
            suggestions = self.suggest(name)
            raise UnknownNameError(unknown_place_message(suggestions), suggestions)
        return found

    def suggest(self, name: str, limit: int = MAX_SUGGESTIONS) -> list[str]:
        """Names close to `name` (it may be a divided municipality's old name), best first."""
        exact = self.candidates(name)
        if exact:
            return [m.name for m in exact][:limit]
        return [m.name for m in self._similar(fold(name))][:limit]

    def search(self, query: str, limit: int = MAX_RESULTS) -> list[Municipality]:
        """Municipalities for what someone is typing: exact, then by prefix, then by a word's
        prefix, then alike despite a typo; at most `limit`."""
        folded = fold(query)
        if not folded:
            return list(self.municipalities[:limit])
        ranked: dict[str, Municipality] = {}
        tiers = (
            _by_name(m for k, ms in self._keys.items() if k == folded for m in ms),
            _by_name(m for k, ms in self._keys.items() if k.startswith(folded) for m in ms),
            _by_name(m for k, ms in self._keys.items() if f" {folded}" in f" {k}" for m in ms),
            self._similar(folded),  # already best first
        )
        for tier in tiers:
            for municipality in tier:
                ranked.setdefault(municipality.name, municipality)
        return list(ranked.values())[:limit]

    def _similar(self, folded: str) -> list[Municipality]:
        """Municipalities whose name, an alias, or the start of either is alike `folded`."""
        if len(folded) < 3:
            return []
        scored: dict[str, tuple[float, Municipality]] = {}
        matcher = difflib.SequenceMatcher(b=folded, autojunk=False)
        for key, municipalities in self._keys.items():
            score = 0.0
            for candidate in {key, key[: len(folded)]}:
                matcher.set_seq1(candidate)
                if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR:
                    score = max(score, matcher.ratio())
            if score >= SIMILAR:
                for m in municipalities:
                    if score > scored.get(m.name, (0.0, m))[0]:
                        scored[m.name] = (score, m)
        best = sorted(scored.values(), key=lambda pair: (-pair[0], fold(pair[1].name)))
        return [m for _, m in best]

    def province(self, name: str) -> str | None:
        """The official name of province `name` (also "Friesland"), or None."""
        folded = fold(name)
        by_fold = {fold(p): p for p in self.provinces}
        return by_fold.get(folded) or _PROVINCE_ALIASES.get(folded)

    def in_province(self, province: str) -> frozenset[Municipality]:
        official = self.province(province)
        return frozenset(m for m in self if m.province == official)

    def in_arrondissement(self, arrondissement: str) -> frozenset[Municipality]:
        return frozenset(m for m in self if m.arrondissement == arrondissement)


def _by_name(found: Iterable[Municipality]) -> list[Municipality]:
    return sorted(found, key=lambda m: fold(m.name))


def suggestion_text(suggestions: Sequence[str]) -> str:
    """ "Bedoelde u Utrecht?", or what to do when nothing is alike."""
    if not suggestions:
        return "Controleer de spelling of kies een gemeente uit de lijst."
    names = list(suggestions)
    choice = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} of {names[-1]}"
    return f"Bedoelde u {choice}?"


def unknown_place_message(suggestions: Sequence[str]) -> str:
    """The Dutch answer to an unknown place; the typed name itself is not repeated."""
    return f"Deze gemeente kennen wij niet. {suggestion_text(suggestions)}"


def provider_area(
    municipalities: Sequence[str], province: str | None, arrondissement: str | None
) -> frozenset[Municipality]:
    """The municipalities a provider serves, from the most precise place it names.

    Named municipalities are its area; otherwise its province; otherwise its arrondissement.
    The broader fields then only describe where those municipalities lie: Zeeland's desk names
    arrondissement Zeeland-West-Brabant too, but serves Zeeland, not Breda. Names the list does
    not know are left out here; `kb check` refuses them.
    """
    known = register()
    if municipalities:
        return frozenset(m for name in municipalities for m in known.candidates(name))
    if province:
        return known.in_province(province)
    if arrondissement:
        return known.in_arrondissement(arrondissement)
    return frozenset()


def provider_arrondissements(
    municipalities: Sequence[str], province: str | None, arrondissement: str | None
) -> set[str]:
    """The arrondissements a provider works in: the one it names, and those of its area."""
    found = {m.arrondissement for m in provider_area(municipalities, province, arrondissement)}
    if arrondissement:
        found.add(arrondissement)
    return found


def data_dir() -> Path:
    """Where the list and its aliases live (the index's fingerprint covers this folder, so a new
    list re-indexes which municipalities each entry serves)."""
    return Path(str(resources.files("kb.regions").joinpath("data")))


def _data_lines(name: str) -> list[str]:
    text = (data_dir() / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@cache
def register() -> Register:
    """The register from the package's data files, read once per process."""
    municipalities = [
        Municipality(row["code"], row["name"], row["province"], row["arrondissement"])
        for row in csv.DictReader(_data_lines("municipalities.csv"))
    ]
    aliases = {
        row["alias"]: row["municipalities"].split(";")
        for row in csv.DictReader(_data_lines("aliases.csv"))
    }
    return Register(municipalities, aliases)
