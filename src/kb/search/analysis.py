"""Dutch text analysis shared by every engine: folding, stop words, stems, compounds, synonyms.

Documents and queries go through the same steps, so they meet in the same form:

    text → words (lower-cased, accents folded) → stop words out → compound parts added → stems

The engines differ only in how they use the result: the embedded engine indexes stems and parts
in tantivy; the Meilisearch backend precomputes them into an extra searchable field.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import tantivy

from kb.search.config import SearchConfig

__all__ = [
    "MATCHES",
    "MATCH_ALL",
    "MATCH_ANY",
    "MATCH_MOST",
    "MATCH_NONE",
    "Decompounder",
    "DutchAnalyzer",
    "Marker",
    "QueryGroup",
    "QueryPlan",
    "covered_level",
    "edit_distance",
    "fold",
    "marker",
    "match_level",
    "unique_words",
    "vocabulary",
    "words_of",
]

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
MAX_QUERY_WORDS = 32  # a pasted page of text is not a query; the first words carry the intent
MAX_WORD_LENGTH = 60
MIN_PART_LENGTH = (
    4  # shorter "parts" from the content's vocabulary split words that are not compounds
)
MIN_COMPOUND_LENGTH = 7
LINKING = (
    "s",
    "e",
    "",
)  # Dutch tussenklanken: omgang-s-regeling, kind-e-ren is not one, but ouder-e- is rare


# How well the results answer a query, from its words' point of view (the search API's `match`):
# every word found (`all`), most of them or the recognised terms (`most`), only some common
# word of it (`any`: a weak answer, counted for the editors), or nothing (`none`).
MATCH_ALL, MATCH_MOST, MATCH_ANY, MATCH_NONE = "all", "most", "any", "none"
MATCHES = (MATCH_ALL, MATCH_MOST, MATCH_ANY, MATCH_NONE)


_ACCENTS = str.maketrans("àáâãäåèéêëìíîïòóôõöùúûüýÿçñ", "aaaaaaeeeeiiiiooooouuuuyycn")


def fold(text: str) -> str:
    """Lower-case and strip accents: `Coördinatie` → `coordinatie`."""
    lowered = text.lower().translate(_ACCENTS)  # the accents of Dutch, fast
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)  # anything rarer
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_of(text: str) -> list[str]:
    """Folded words, in order."""
    # Fold word by word: only the few words with accents need the slow path.
    words = _WORD_RE.findall(text.lower())
    return [w if w.isascii() else fold(w) for w in words if len(w) <= MAX_WORD_LENGTH]


def unique_words(text: str) -> set[str]:
    """The distinct folded words of `text` (cheaper than `words_of` when order does not matter)."""
    words = set(_WORD_RE.findall(text.lower()))
    return {w if w.isascii() else fold(w) for w in words if len(w) <= MAX_WORD_LENGTH}


def vocabulary(texts: Iterable[str]) -> Counter[str]:
    """Document frequency of every folded word in `texts` (one text per document)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(unique_words(text))
    return counts


@dataclass(frozen=True)
class Marker:
    """Marks the words a query asked for in a text, for result summaries: every whole word that
    is one of `forms`, and every word that starts with `prefix` (the word being typed)."""

    forms: frozenset[str]  # lower-case
    prefix: str | None = None  # lower-case

    def mark(self, text: str) -> str | None:
        """`text` HTML-escaped, with the words found in `<mark>`; None when there are none."""
        plain = text.lower()
        # Substring searches, not a pattern: a result page marks twenty summaries per request,
        # and `str.find` with a boundary check is twice as fast as a regular expression.
        needles = [n for n in self._needles if n in plain]
        if not needles:
            return None
        if len(plain) != len(text):  # a letter whose lower case is longer (İ): rare
            return self._mark_with_pattern(text)
        spans = self._spans(plain, needles)
        if not spans:
            return None
        pieces: list[str] = []
        last = 0
        for start, end in spans:
            pieces += (html.escape(text[last:start]), "<mark>", html.escape(text[start:end]))
            pieces.append("</mark>")
            last = end
        pieces.append(html.escape(text[last:]))
        return "".join(pieces)

    @cached_property
    def _needles(self) -> tuple[str, ...]:
        return tuple(self.forms | ({self.prefix} if self.prefix else set()))

    def _spans(self, plain: str, needles: list[str]) -> list[tuple[int, int]]:
        """Start and end of each word to mark, in order."""
        ends: dict[int, int] = {}
        size = len(plain)
        for needle in needles:
            is_prefix = needle == self.prefix
            start = plain.find(needle)
            while start != -1:
                end = start + len(needle)
                if start == 0 or not plain[start - 1].isalnum():
                    if is_prefix:
                        while end < size and plain[end].isalnum():
                            end += 1
                        ends[start] = end
                    elif needle in self.forms and (end == size or not plain[end].isalnum()):
                        ends[start] = max(ends.get(start, end), end)
                start = plain.find(needle, start + 1)
        return sorted(ends.items())

    def _mark_with_pattern(self, text: str) -> str | None:
        options = sorted((re.escape(w) for w in self.forms), key=len, reverse=True)
        if self.prefix:
            options.append(re.escape(self.prefix) + r"[^\W_]*")
        pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(options) + r")(?![^\W_])", re.I)
        # Escaping first is safe: it changes only `& < > " '`, never inside a word.
        marked, count = pattern.subn(r"<mark>\g<0></mark>", html.escape(text))
        return marked if count else None


def marker(surfaces: Iterable[str], prefix: str | None = None) -> Marker | None:
    """A marker for the surface forms a query's stems take in the text, plus any word starting
    with the prefix being typed."""
    forms = frozenset(w.lower() for w in surfaces if w)
    if not forms and not prefix:
        return None
    return Marker(forms, prefix.lower() if prefix else None)


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau–Levenshtein distance (adjacent swaps cost one), stopping early above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class Decompounder:
    """Splits Dutch compounds into known words: `omgangsregeling` → `omgang`, `regeling`.

    The dictionary is the content's own vocabulary plus the curated `search/compounds.txt`; a
    word splits only when every part is in it (allowing a linking -s- or -e-), so ordinary words
    stay whole.
    """

    def __init__(self, words: Iterable[str], curated: Iterable[str] = ()) -> None:
        curated = {fold(w) for w in curated}
        self.words = frozenset({fold(w) for w in words if len(w) >= MIN_PART_LENGTH} | curated)

    def split(self, word: str) -> list[str]:
        """The parts of `word`, or `[]` when it is not a compound of known words."""
        return list(self._split(fold(word)))

    def parts_of(self, folded_words: Iterable[str]) -> list[str]:
        """The parts of every compound among already folded words."""
        parts: list[str] = []
        for word in folded_words:
            if len(word) >= MIN_COMPOUND_LENGTH:
                parts.extend(self._split(word))
        return parts

    def compounds_in(self, vocabulary: Iterable[str]) -> dict[str, str]:
        """Each compound of a vocabulary with its parts, space-separated: split once, reuse."""
        table = {}
        for word in vocabulary:
            if len(word) >= MIN_COMPOUND_LENGTH and (parts := self._split(word)):
                table[word] = " ".join(parts)
        return table

    @lru_cache(maxsize=65536)  # noqa: B019  (one instance per index generation; bounded)
    def _split(self, word: str) -> tuple[str, ...]:
        if len(word) < MIN_COMPOUND_LENGTH:
            return ()
        # Longest head first: `ouderschapsplan` is `ouderschap` + `plan`, not `ouder` + `schapsplan`.
        for cut in range(len(word) - MIN_PART_LENGTH, MIN_PART_LENGTH - 1, -1):
            head = word[:cut]
            if head not in self.words:
                continue
            for link in LINKING:
                rest = word[cut:]
                if not rest.startswith(link):
                    continue
                tail = rest[len(link) :]
                if len(tail) < MIN_PART_LENGTH:
                    continue
                if tail in self.words:
                    return (head, tail)
                deeper = self._split(tail)
                if deeper:
                    return (head, *deeper)
        return ()


@dataclass(frozen=True)
class QueryGroup:
    """One concept of a query: the alternatives that may stand for it, each a sequence of stems.

    `word` is what the user typed (folded); `alternatives[0]` is its own stem, later ones come
    from synonyms or its compound parts, with `weights` to rank them below the typed form.
    """

    word: str
    alternatives: tuple[tuple[str, ...], ...]
    weights: tuple[float, ...]
    typo_length: int  # length of the typed word: decides how many typos are forgiven
    last: bool = False  # the last word is matched as a prefix too (search as you type)
    from_synonym: bool = False
    topics: frozenset[str] = frozenset()  # what the query is about when it uses this group

    @property
    def understood(self) -> bool:
        """A phrase the synonyms know, or a word with a topic: it says what the question is."""
        return self.from_synonym and (" " in self.word or bool(self.topics))


@dataclass(frozen=True)
class _SynonymTerm:
    """A synonym term as stems, the terms it finds with their weights, and its topics."""

    stems: tuple[str, ...]
    others: tuple[tuple[str, ...], ...]
    weights: tuple[float, ...]
    topics: frozenset[str]


@dataclass(frozen=True)
class QueryPlan:
    groups: tuple[QueryGroup, ...] = field(default_factory=tuple)

    @property
    def stems(self) -> list[str]:
        return [g.alternatives[0][0] for g in self.groups if g.alternatives and g.alternatives[0]]

    @property
    def topics(self) -> frozenset[str]:
        return frozenset(topic for g in self.groups for topic in g.topics)


def match_level(plan: QueryPlan, matched: Sequence[int]) -> str:
    """How well results that match the groups at positions `matched` answer `plan`.

    Half of the groups or more is `most`, and so is a recognised phrase ("niet zien",
    "huiselijk geweld") or a word about safety: that is the question understood. Fewer words
    is `any`, the weak answer.
    """
    asked = len(plan.groups)
    if not matched:
        return MATCH_ANY
    if len(matched) == asked:
        return MATCH_ALL
    if 2 * len(matched) >= asked or any(plan.groups[i].understood for i in matched):
        return MATCH_MOST
    return MATCH_ANY


def covered_level(plan: QueryPlan, document_stems: frozenset[str] | set[str]) -> str:
    """How well a document, given as the stems of its text, answers `plan` (see `match_level`).

    For an engine that does not say which words a result matched (Meilisearch): a group is
    covered when all stems of one of its alternatives are among the document's.
    """
    if not plan.groups:
        return MATCH_NONE
    matched = [
        i
        for i, group in enumerate(plan.groups)
        if any(
            alternative and set(alternative) <= document_stems for alternative in group.alternatives
        )
    ]
    return match_level(plan, matched)


class DutchAnalyzer:
    """The one definition of how Dutch text becomes search terms."""

    def __init__(self, config: SearchConfig, decompounder: Decompounder | None = None) -> None:
        self.config = config
        self.decompounder = decompounder or Decompounder((), config.compounds)

    def with_vocabulary(self, words: Iterable[str]) -> DutchAnalyzer:
        """A copy whose compound dictionary also holds `words` (the content's vocabulary)."""
        return DutchAnalyzer(self.config, Decompounder(words, self.config.compounds))

    @cached_property
    def tantivy_analyzer(self) -> tantivy.TextAnalyzer:
        builder = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(MAX_WORD_LENGTH))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
        )
        if self.config.stopwords:
            builder = builder.filter(tantivy.Filter.custom_stopword(sorted(self.config.stopwords)))
        return builder.filter(tantivy.Filter.stemmer("dutch")).build()

    def stem(self, word: str) -> str:
        return self._stem(word)

    @lru_cache(maxsize=65536)  # noqa: B019  (words repeat across queries and snippets)
    def _stem(self, word: str) -> str:
        stems = self.tantivy_analyzer.analyze(word)
        return stems[0] if stems else ""

    def terms(self, text: str) -> list[str]:
        """The stems of a query's words, in order."""
        return [s for s in (self.stem(w) for w in self.words(text)) if s]

    def words(self, text: str) -> list[str]:
        """The folded words of `text` that are not stop words, unstemmed."""
        words = [w for w in words_of(text) if w not in self.config.stopwords]
        return words[:MAX_QUERY_WORDS]

    def surfaces(self, texts: Iterable[str]) -> dict[str, list[str]]:
        """Each stem with the lower-cased forms it takes in `texts`: `kinder` → kinderen, kinderen's."""
        table: dict[str, set[str]] = {}
        stopwords = self.config.stopwords
        for text in texts:
            for word in set(_WORD_RE.findall(text.lower())):
                folded = word if word.isascii() else fold(word)
                if folded not in stopwords and len(word) <= MAX_WORD_LENGTH:
                    table.setdefault(self.stem(folded), set()).add(word)
        return {stem: sorted(words) for stem, words in table.items()}

    def compound_parts(self, text: str, words: Iterable[str] | None = None) -> str:
        """The parts of every compound in `text`, space-separated, for a document's parts field."""
        unique = set(words_of(text) if words is None else words)
        return " ".join(sorted(self.decompounder.parts_of(unique)))

    def index_terms(self, text: str) -> list[str]:
        """Every stem of a document's text plus the stems of its compound parts."""
        full = list(self.tantivy_analyzer.analyze(text)) if text else []
        parts = self.compound_parts(text)
        return full + (list(self.tantivy_analyzer.analyze(parts)) if parts else [])

    # ------------------------------------------------------------------ queries

    @cached_property
    def _synonyms(self) -> list[_SynonymTerm]:
        """Each synonym term as stems, with the terms it finds and what it is about.

        Terms meet the query's words as stems, so every form of a word finds its group
        (`bedreigt`, `bedreigd`; `vechtscheidingen`). A term in several groups finds the terms
        of all of them (as in Meilisearch's map), each at the highest weight a group gives it.
        """
        merged: dict[tuple[str, ...], tuple[dict[tuple[str, ...], float], set[str]]] = {}
        for group in self.config.groups():
            terms = [self._stems(self.words(term)) for term in group.terms]
            for i, term in enumerate(terms):
                if not term:
                    continue
                others, topics = merged.setdefault(term, ({}, set()))
                for j, other in enumerate(terms):
                    if j != i and other and other != term:
                        others[other] = max(others.get(other, 0.0), group.weight)
                if group.topic:
                    topics.add(group.topic)
        table = [
            _SynonymTerm(term, tuple(others), tuple(others.values()), frozenset(topics))
            for term, (others, topics) in merged.items()
        ]
        # Longest terms first, so "bijzondere curator" wins over a one-word term inside it.
        table.sort(key=lambda row: -len(row.stems))
        return table

    def plan(self, text: str) -> QueryPlan:
        """Break a query into groups: typed words, their synonyms and their compound parts."""
        words = self.words(text)
        stems = [self.stem(w) for w in words]
        groups: list[QueryGroup] = []
        position = 0
        while position < len(words):
            matched = self._synonym_at(stems, position)
            if matched is not None:
                size = len(matched.stems)
                alternatives = (matched.stems, *matched.others)
                weights = (1.0, *matched.weights)
                groups.append(
                    QueryGroup(
                        word=" ".join(words[position : position + size]),
                        alternatives=alternatives,
                        weights=weights,
                        typo_length=0 if size > 1 else len(words[position]),
                        from_synonym=True,
                        topics=matched.topics,
                    )
                )
                position += size
                continue
            groups.append(self._word_group(words[position]))
            position += 1
        if groups and not groups[-1].from_synonym:
            last = groups[-1]
            groups[-1] = QueryGroup(
                last.word, last.alternatives, last.weights, last.typo_length, True
            )
        return QueryPlan(tuple(g for g in groups if g.alternatives))

    def topics(self, text: str) -> frozenset[str]:
        """What a query is about, from the topics of the synonym groups it uses."""
        return self.plan(text).topics

    def is_synonym_term(self, word: str) -> bool:
        """Whether a folded word is (part of) a synonym term: the search understood it."""
        return self.stem(word) in self._synonym_stems

    @cached_property
    def _synonym_stems(self) -> frozenset[str]:
        return frozenset(stem for row in self._synonyms for stem in row.stems)

    def _synonym_at(self, stems: Sequence[str], position: int) -> _SynonymTerm | None:
        for row in self._synonyms:
            if tuple(stems[position : position + len(row.stems)]) == row.stems:
                return row
        return None

    def _stems(self, words: Sequence[str]) -> tuple[str, ...]:
        return tuple(s for s in (self.stem(w) for w in words) if s)

    def _word_group(self, word: str) -> QueryGroup:
        own = self._stems([word])
        alternatives = [own]
        weights = [1.0]
        parts = self.decompounder.split(word)
        if parts:
            alternatives.append(self._stems(parts))
            weights.append(0.6)
        return QueryGroup(word, tuple(a for a in alternatives if a), tuple(weights), len(word))

    def typo_distance(self, length: int) -> int:
        """Meilisearch's rule: one typo from 5 letters, two from 9 (configurable in search/)."""
        ranking = self.config.ranking
        if length >= ranking.typo_min_length_two:
            return 2
        if length >= ranking.typo_min_length_one:
            return 1
        return 0
