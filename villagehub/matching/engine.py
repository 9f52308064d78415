"""Matching needs and solutions, explainably: pure computation over an in-memory index.

A need and a solution are reduced to `Profile`s: themes, the words of their texts (folded
and stemmed in their own language, `search.analysis.terms`) and, as a bridge between
languages, the themes their words name (a word of a theme's label in any interface
language, as the search's synonyms do: `platjoslas` and `broadband` both name the
broadband theme), with countries, languages, size band, funding and money. A pair's score
is a weighted sum of parts, each of which is also a reason shown to people (`reasons`).
"""

import copy
import math
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

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
    updated_at: object = None  # its record's, to tell whether the profile is current


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


def _int_bit(value: int) -> int:
    return value % 64


def _str_bit(value: str) -> int:
    return zlib.crc32(value.encode()) % 64


def _mask(values: Iterable, bit) -> int:
    """A set as the bits of one 64-bit word (values sharing a bit are not told apart: the
    ranking may then count a part that is not there; the parts shown are exact)."""
    mask = 0
    for value in values:
        mask |= 1 << bit(value)
    return mask


BANDS = ("under-2000", "2000-5000", "5000-50000", "over-50000")


class _Columns:
    """What the scoring reads of one profile or of all of one side, as numpy values."""

    NAMES = (
        "themes", "text_themes", "countries", "text_languages", "all_languages", "funding",
        "money_min", "money_max", "band", "bands",
    )  # fmt: skip

    def __init__(self, profiles: list[Profile]):
        def column(values, dtype):
            return np.array(values, dtype=dtype)

        self.themes = column([_mask(p.themes, _int_bit) for p in profiles], np.uint64)
        self.text_themes = column([_mask(p.text_themes, _int_bit) for p in profiles], np.uint64)
        self.countries = column([_mask(p.countries, _str_bit) for p in profiles], np.uint64)
        self.text_languages = column(
            [_mask(p.text_languages, _str_bit) for p in profiles], np.uint64
        )
        self.all_languages = column(
            [_mask(p.languages | p.text_languages, _str_bit) for p in profiles], np.uint64
        )
        self.funding = column([_mask(p.funding, _int_bit) for p in profiles], np.uint64)
        self.money_min = column(
            [np.nan if p.money_min is None else p.money_min for p in profiles], np.float64
        )
        self.money_max = column(
            [np.nan if p.money_max is None else p.money_max for p in profiles], np.float64
        )
        self.band = column(
            [BANDS.index(p.size_band) if p.size_band in BANDS else -1 for p in profiles],
            np.int64,
        )
        self.bands = column(
            [[p.reference_bands.get(b, 0) for b in BANDS] for p in profiles], np.float64
        ).reshape(len(profiles), len(BANDS))

    def changed(self, rows: dict[int, Profile], added: list[Profile]) -> "_Columns":
        """New columns: these rows replaced, these profiles appended; self is left as is
        (a search in another thread may be reading it)."""
        out = object.__new__(_Columns)
        replaced = _Columns(list(rows.values()))
        appended = _Columns(added)
        at = np.fromiter(rows, dtype=np.int64, count=len(rows))
        for name in self.NAMES:
            column = getattr(self, name).copy()
            column[at] = getattr(replaced, name)
            setattr(out, name, np.concatenate([column, getattr(appended, name)]))
        return out


def _share(query: np.ndarray, other: np.ndarray) -> np.ndarray:
    """How much of the need's set (`query`) the other holds, 0–1."""
    whole = np.bitwise_count(query)
    return np.where(whole > 0, np.bitwise_count(query & other) / np.maximum(whole, 1), 0.0)


class Index:
    """Profiles of one side (solutions, or needs), scored all at once (numpy) against a
    profile of the other side; the best are then explained part by part.

    `updated` makes a new index with some profiles changed, added or removed without
    reading the others again: a row of a removed profile stays, marked dead, until the
    next whole build."""

    def __init__(self, profiles: list[Profile], idf: dict[str, float]):
        self.profiles = profiles
        self.by_pk = {p.pk: p for p in profiles}
        self.row_of = {p.pk: i for i, p in enumerate(profiles)}
        self.alive = np.ones(len(profiles), dtype=bool)
        self.idf = idf
        self.norms = np.array([self._norm(p.tokens) for p in profiles], dtype=np.float64)
        self.columns = _Columns(profiles)
        postings: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(profiles):
            for token in p.tokens:
                postings[token].append(i)
        self.postings = {t: np.array(rows, dtype=np.int64) for t, rows in postings.items()}

    def _norm(self, tokens: frozenset[str]) -> float:
        return math.sqrt(sum(self.idf.get(t, 0.0) ** 2 for t in tokens)) or 1.0

    def __len__(self) -> int:
        return len(self.by_pk)

    def updated(
        self, *, changed: Iterable[Profile], removed: Iterable[int], idf: dict[str, float]
    ) -> "Index":
        """A new index with `changed` profiles put in (in place of those with the same pk)
        and the `removed` pks taken out; this one is left as it is, so searches running
        in other threads read a consistent index. Its arrays are copied (a few ms at
        50,000 rows), its profiles are not read again."""
        changed, removed = list(changed), set(removed)
        if not changed and not removed:
            out = copy.copy(self)  # its arrays are never written to: they can be shared
            out.idf = idf
            return out
        out = object.__new__(Index)
        out.idf = idf
        out.profiles = list(self.profiles)
        out.by_pk = dict(self.by_pk)
        out.row_of = dict(self.row_of)
        out.alive = self.alive.copy()
        postings = dict(self.postings)
        unposted: dict[str, set[int]] = defaultdict(set)
        posted: dict[str, list[int]] = defaultdict(list)
        gone = [out.row_of[pk] for pk in removed if pk in out.row_of]
        for pk in removed:
            out.by_pk.pop(pk, None)
            out.row_of.pop(pk, None)
        rows: dict[int, Profile] = {}
        added: list[Profile] = []
        for profile in changed:
            i = out.row_of.get(profile.pk)
            if i is None:
                i = len(out.profiles)
                out.profiles.append(profile)
                out.row_of[profile.pk] = i
                added.append(profile)
            else:
                gone.append(i)
                out.profiles[i] = profile
                rows[i] = profile
            out.by_pk[profile.pk] = profile
            for token in profile.tokens:
                posted[token].append(i)
        for i in gone:
            for token in self.profiles[i].tokens:
                unposted[token].add(i)
            out.alive[i] = i in rows
        for token in unposted.keys() | posted.keys():
            kept = postings.get(token, np.empty(0, dtype=np.int64))
            if token in unposted:
                kept = kept[~np.isin(kept, list(unposted[token]))]
            postings[token] = np.concatenate([kept, np.array(posted[token], dtype=np.int64)])
        out.postings = postings
        out.alive = np.concatenate([out.alive, np.ones(len(added), dtype=bool)])
        out.columns = self.columns.changed(rows, added)
        norms = self.norms.copy()
        for i, profile in rows.items():
            norms[i] = out._norm(profile.tokens)
        out.norms = np.concatenate([norms, [out._norm(p.tokens) for p in added]])
        return out

    def _scores(self, query: Profile, *, query_is_need: bool) -> np.ndarray:
        q, side = _Columns([query]), self.columns
        need, solution = (q, side) if query_is_need else (side, q)
        dot = np.zeros(len(self.profiles))
        for token in query.tokens:
            rows = self.postings.get(token)
            if rows is not None:
                dot[rows] += self.idf.get(token, 0.0) ** 2
        if query_is_need:
            similar = solution.bands[:, need.band[0]] if need.band[0] >= 0 else 0.0
        else:
            similar = np.where(need.band >= 0, solution.bands[0][need.band.clip(0)], 0.0)
        known = ~np.isnan(need.money_max) & ~np.isnan(solution.money_min)
        fits = np.where(solution.money_min <= need.money_max, 1.0, -1.0)
        return (
            WEIGHTS["themes"] * _share(need.themes, solution.themes)
            + WEIGHTS["text"] * dot / (self._norm(query.tokens) * self.norms)
            + WEIGHTS["bridge"] * _share(need.text_themes, solution.text_themes)
            + WEIGHTS["country"] * ((need.countries & solution.countries) != 0)
            + WEIGHTS["language"] * ((need.text_languages & solution.all_languages) != 0)
            + WEIGHTS["references"] * np.minimum(similar, 3) / 3
            + WEIGHTS["funding"] * ((need.funding & solution.funding) != 0)
            + WEIGHTS["budget"] * np.where(known, fits, 0.0)
        )

    def search(self, query: Profile, *, limit: int, query_is_need: bool) -> list[Match]:
        if not self.by_pk:
            return []
        scores = self._scores(query, query_is_need=query_is_need)
        rows = np.flatnonzero((scores >= MIN_SCORE) & self.alive)
        if len(rows) > limit * 2:
            # Twice the limit: the exact parts below may reorder the last few.
            rows = rows[np.argpartition(-scores[rows], limit * 2)[: limit * 2]]
        query_norm = self._norm(query.tokens)
        scored = []
        for i in rows.tolist():
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


def idf_of(count: int, documents: int) -> float:
    return math.log((documents + 1) / (count + 0.5))


class Frequencies:
    """In how many profiles each word is: the inverse document frequencies of the word
    similarity, kept up to date as profiles change."""

    def __init__(self, profiles: Iterable[Profile] = ()):
        self.counts: Counter = Counter()
        self.documents = 0
        for p in profiles:
            self.counts.update(p.tokens)
            self.documents += 1

    def idf(self) -> dict[str, float]:
        return {t: idf_of(c, self.documents) for t, c in self.counts.items() if c > 0}

    def idf_changed(
        self, idf: dict[str, float], before: Iterable[Profile], after: Iterable[Profile]
    ) -> dict[str, float]:
        """A new table with the counts of `before` profiles taken out and of `after` put
        in. Only the words they hold get a new weight: the others keep theirs though the
        number of profiles moved (a word's weight drifts by log(n'/n), a small fraction of
        it, until the next whole build), so that an update stays proportional to what
        changed."""
        touched: set[str] = set()
        for p in before:
            self.counts.subtract(p.tokens)
            self.documents -= 1
            touched |= p.tokens
        for p in after:
            self.counts.update(p.tokens)
            self.documents += 1
            touched |= p.tokens
        out = dict(idf)
        for token in touched:
            count = self.counts[token]
            if count > 0:
                out[token] = idf_of(count, self.documents)
            else:
                out.pop(token, None)
                del self.counts[token]
        return out
