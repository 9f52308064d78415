"""Matching needs and solutions, explainably: pure computation over an in-memory index.

A need and a solution are reduced to `Profile`s: themes, the words of their texts (folded
and stemmed in their own language, `search.analysis.terms`) and, as a bridge between
languages, the themes their words name (a word of a theme's label in any interface
language, as the search's synonyms do: `platjoslas` and `broadband` both name the
broadband theme), with countries, languages, size band, funding and money. A pair's score
is a weighted sum of parts, each of which is also a reason shown to people (`reasons`).
"""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from villagehub.search.analysis import terms

# Weights of the parts of a score; a reason is shown for every part that counts.
WEIGHTS = {
    "themes": 3.0,
    "text": 3.0,
    "bridge": 1.5,
    "country": 1.0,
    "language": 0.5,
    "references": 1.0,
    "funding": 0.5,
    "budget": 0.5,
}
# A word of the labels of this many themes names none of them (as in search.synonyms).
SHARED_BY = 3
# Words in more than this share of the profiles do not propose candidates (they still score).
COMMON_SHARE = 0.05
# Shorter words of the labels ("the", "och", "un") name no theme.
MIN_WORD = 4
# A pair scoring less than this is not proposed.
MIN_SCORE = 0.5


@dataclass
class Profile:
    pk: int
    themes: frozenset[int]
    tokens: frozenset[str]  # the indexed words of its texts
    text_themes: frozenset[int]  # the themes those words name
    text_languages: frozenset[str]  # the languages its text is written or translated in
    languages: frozenset[str] = frozenset()  # languages a solution is offered in
    countries: frozenset[str] = frozenset()  # a need's country, or those a solution serves
    size_band: str | None = None  # a need's community's size band
    reference_bands: dict[str, int] = field(default_factory=dict)  # a solution's references
    funding: frozenset[int] = frozenset()
    money_min: int | None = None  # a solution's lowest price, a need's lowest budget
    money_max: int | None = None


@dataclass(frozen=True)
class Match:
    pk: int
    score: float
    parts: dict[str, float]
    shared_themes: frozenset[int]
    text_themes: frozenset[int]  # themes both texts speak of
    shared_words: tuple[str, ...]


def theme_words(labels: Iterable[tuple[int, str, str]]) -> dict[str, frozenset[int]]:
    """Each indexed word of the themes' labels, (theme id, language, label) rows, and the
    themes it names; words of the labels of `SHARED_BY` or more themes name none."""
    named: dict[str, set[int]] = defaultdict(set)
    for pk, language, label in labels:
        for word in terms(label or "", language).split():
            if len(word) >= MIN_WORD:
                named[word].add(pk)
    return {w: frozenset(ids) for w, ids in named.items() if len(ids) < SHARED_BY}


def text_tokens(
    texts: Iterable[tuple[str, str]], words: dict[str, frozenset[int]]
) -> tuple[frozenset[str], frozenset[int]]:
    """The indexed words of texts, (text, language) pairs, and the themes the words name.
    Words that name a theme count as that theme (the bridge), not again as words."""
    tokens: set[str] = set()
    for text, language in texts:
        tokens.update(terms(text or "", language).split())
    named = frozenset(pk for token in tokens for pk in words.get(token, ()))
    return frozenset(t for t in tokens if t not in words), named


class Index:
    """Profiles of one side (solutions, or needs), searchable from a profile of the other."""

    def __init__(self, profiles: list[Profile], idf: dict[str, float]):
        self.profiles = profiles
        self.by_pk = {p.pk: p for p in profiles}
        self.idf = idf
        self.norms = [self._norm(p.tokens) for p in profiles]
        self.by_theme: dict[int, list[int]] = defaultdict(list)
        self.by_text_theme: dict[int, list[int]] = defaultdict(list)
        self.by_token: dict[str, list[int]] = defaultdict(list)
        common = max(20, int(len(profiles) * COMMON_SHARE))
        counts = Counter(t for p in profiles for t in p.tokens)
        for i, p in enumerate(profiles):
            for theme in p.themes:
                self.by_theme[theme].append(i)
            for theme in p.text_themes:
                self.by_text_theme[theme].append(i)
            for token in p.tokens:
                if counts[token] <= common:
                    self.by_token[token].append(i)

    def _norm(self, tokens: frozenset[str]) -> float:
        return math.sqrt(sum(self.idf.get(t, 0.0) ** 2 for t in tokens)) or 1.0

    def search(self, query: Profile, *, limit: int, query_is_need: bool) -> list[Match]:
        candidates: set[int] = set()
        for theme in query.themes:
            candidates.update(self.by_theme.get(theme, ()))
        for theme in query.text_themes:
            candidates.update(self.by_text_theme.get(theme, ()))
        for token in query.tokens:
            candidates.update(self.by_token.get(token, ()))
        query_norm = self._norm(query.tokens)
        scored = []
        for i in candidates:
            other = self.profiles[i]
            need, solution = (query, other) if query_is_need else (other, query)
            parts = self._parts(need, solution, query.tokens & other.tokens, query_norm, i)
            score = sum(parts.values())
            if score >= MIN_SCORE:
                scored.append((score, other.pk, i, parts))
        scored.sort(key=lambda row: (-row[0], row[1]))
        out = []
        for score, pk, i, parts in scored[:limit]:
            other = self.profiles[i]
            words = sorted(query.tokens & other.tokens, key=lambda t: (-self.idf.get(t, 0.0), t))
            out.append(
                Match(
                    pk=pk,
                    score=round(score, 4),
                    parts=parts,
                    shared_themes=query.themes & other.themes,
                    text_themes=query.text_themes & other.text_themes,
                    shared_words=tuple(words[:4]),
                )
            )
        return out

    def _parts(
        self, need: Profile, solution: Profile, shared: frozenset, query_norm: float, i: int
    ) -> dict[str, float]:
        parts = {}
        if need.themes:
            overlap = len(need.themes & solution.themes) / len(need.themes)
            if overlap:
                parts["themes"] = WEIGHTS["themes"] * overlap
        if shared:
            cosine = sum(self.idf.get(t, 0.0) ** 2 for t in shared) / (query_norm * self.norms[i])
            if cosine > 0:
                parts["text"] = WEIGHTS["text"] * cosine
        if need.text_themes:
            bridged = len(need.text_themes & solution.text_themes) / len(need.text_themes)
            if bridged:
                parts["bridge"] = WEIGHTS["bridge"] * bridged
        if need.countries & solution.countries:
            parts["country"] = WEIGHTS["country"]
        if need.text_languages & (solution.languages | solution.text_languages):
            parts["language"] = WEIGHTS["language"]
        similar = solution.reference_bands.get(need.size_band, 0) if need.size_band else 0
        if similar:
            parts["references"] = WEIGHTS["references"] * min(similar, 3) / 3
        if need.funding & solution.funding:
            parts["funding"] = WEIGHTS["funding"]
        if need.money_max is not None and solution.money_min is not None:
            parts["budget"] = WEIGHTS["budget"] * (
                1 if solution.money_min <= need.money_max else -1
            )
        return parts


def idf_table(profiles: Iterable[Profile]) -> dict[str, float]:
    counts: Counter = Counter()
    n = 0
    for p in profiles:
        counts.update(p.tokens)
        n += 1
    return {t: math.log((n + 1) / (c + 0.5)) for t, c in counts.items()}
