"""Counts of the matches of a query per filter value, from a copy of every document's filter
values kept in memory.

Counting in the database means reading the filter values of every text match: a common
word matches tens of thousands of documents, and looking each up cost 40–60 ms on SQLite and
hundreds of milliseconds on PostgreSQL (a GIN index cannot count without visiting the heap).
So the database only lists the ids of the text matches, and each process counts them
against a copy of the filter values of every document: a few numpy arrays, about 20 bytes
per document (28 on PostgreSQL, which also keeps where each row is, see backends).

The copy is exact, not a cache of counts. Every write of documents takes the next
`SearchState.generation` in its transaction and stamps its documents with it; before
counting, a process reads the counter and copies the documents stamped since it last read
it. The counter's row lock keeps writers in commit order, so everything stamped up to the
generation a reader sees is committed. A deleted document leaves a `SearchDeletion` row with
the generation of its removal, from which the copies forget it: the documents of a theme are
found in the copy alone (see synonyms). Ids are never used again (SQLite `AUTOINCREMENT`,
PostgreSQL identity).
Inside a transaction the connection may see its own uncommitted writes, which must not reach
the shared copy: there the filter values of the matches are read from the database.
"""

import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import F

from villagehub.taxonomy.models import Theme

from .models import SearchState
from .queries import match_subquery, plan, text_queries

COLUMNS = ("kind", "country", "size")
TAGS = ("theme", "sdg")
_TAG_WORD = re.compile(r"^(theme|sdg)(\d+)$")


class _Codes:
    """Small integer codes for the values of one filter; 0 stands for no value."""

    def __init__(self):
        self.values: list = [None]
        self.codes: dict = {}

    def code(self, value) -> int:
        if value in (None, ""):
            return 0
        if value not in self.codes:
            self.codes[value] = len(self.values)
            self.values.append(value)
        return self.codes[value]


class FilterValues:
    """The filter values of documents, indexed by document id (minus the smallest id)."""

    def __init__(self, base: int = 0):
        self.base = base
        self.codes = {name: _Codes() for name in (*COLUMNS, "tag")}
        self.columns = {name: np.zeros(0, dtype=np.uint16) for name in COLUMNS}
        # One bit per (facet, value) pair, in as many 64-bit words as there are pairs.
        self.tags = np.zeros((0, 1), dtype=np.uint64)
        # PostgreSQL: where each document's row is (its ctid, block << 16 | offset), so that
        # the chosen matches are ranked without a lookup in the primary key (see backends).
        self.places = np.zeros(0, dtype=np.int64)
        self._masks: dict[str, int] = {}

    def _grow(self, size: int, words: int) -> None:
        old = len(self.tags)
        if size > old:
            size = max(size, old + old // 4)
            for name, column in self.columns.items():
                self.columns[name] = np.concatenate([column, np.zeros(size - old, np.uint16)])
            self.places = np.concatenate([self.places, np.zeros(size - old, np.int64)])
        else:
            size = old
        if size > old or words > self.tags.shape[1]:
            tags = np.zeros((size, max(words, self.tags.shape[1])), dtype=np.uint64)
            tags[:old, : self.tags.shape[1]] = self.tags
            self.tags = tags

    def load(self, rows) -> None:
        """Copy (id, kind, country, size band, filter words[, place]) rows, replacing older
        versions (see `_select`)."""
        rows = list(rows)
        if not rows:
            return
        tag_codes = self.codes["tag"]
        kind, country, size = (self.codes[name].code for name in COLUMNS)
        # Documents share a few thousand combinations of filter words: each is parsed once.
        masks = self._masks
        positions, kinds, countries, sizes, tags = [], [], [], [], []
        for document_id, kind_value, country_value, size_band, words, *_place in rows:
            positions.append(document_id)
            kinds.append(kind(kind_value))
            countries.append(country((country_value or "").lower()))
            sizes.append(size(size_band))
            mask = masks.get(words)
            if mask is None:
                mask = 0
                for word in (words or "").split():
                    found = _TAG_WORD.match(word)
                    if found:
                        mask |= 1 << (tag_codes.code((found[1], int(found[2]))) - 1)
                masks[words] = mask
            tags.append(mask)
        positions = np.asarray(positions, dtype=np.int64) - self.base
        words = (len(tag_codes.values) - 2) // 64 + 1
        self._grow(int(positions.max()) + 1, words)
        for name, values in zip(COLUMNS, (kinds, countries, sizes), strict=True):
            self.columns[name][positions] = np.asarray(values, dtype=np.uint16)
        if len(rows[0]) > 5:
            self.places[positions] = np.asarray([row[5] for row in rows], dtype=np.int64)
        for word in range(self.tags.shape[1]):
            self.tags[positions, word] = np.asarray(
                [(mask >> (64 * word)) & 0xFFFFFFFFFFFFFFFF for mask in tags], dtype=np.uint64
            )

    def _passes(self, rows: np.ndarray, filters: dict) -> dict[str, np.ndarray]:
        """For each active filter, which of the rows pass it."""
        passes = {}
        for name, value in filters.items():
            if name in COLUMNS:
                value = value.lower() if name == "country" else value
                code = self.codes[name].codes.get(value, -1)
                passes[name] = self.columns[name][rows] == code
            elif name in TAGS:
                bit = self.codes["tag"].codes.get((name, int(value)), 0) - 1
                if bit < 0:
                    passes[name] = np.zeros(len(rows), dtype=bool)
                else:
                    word = self.tags[rows, bit // 64]
                    passes[name] = (word >> np.uint64(bit % 64)) & np.uint64(1) == 1
        return passes

    def forget(self, ids) -> None:
        """Remove documents (see SearchDeletion): they have no filter values and no tags."""
        rows = self._rows(np.asarray(ids, dtype=np.int64))
        for column in self.columns.values():
            column[rows] = 0
        self.tags[rows] = 0
        self.places[rows] = 0

    def mask(self, ids: np.ndarray) -> np.ndarray:
        """One flag per row: which of them are among `ids`."""
        flags = np.zeros(len(self.tags), dtype=bool)
        flags[self._rows(ids)] = True
        return flags

    def present(self) -> np.ndarray:
        """One flag per row: which of them hold a document (each has a kind)."""
        return self.columns["kind"] != 0

    def tagged(self, facet: str, values) -> np.ndarray:
        """One flag per row: which of them carry one of these tags."""
        masks: dict[int, int] = {}
        for value in values:
            bit = self.codes["tag"].codes.get((facet, int(value)), 0) - 1
            if bit >= 0:
                masks[bit // 64] = masks.get(bit // 64, 0) | 1 << (bit % 64)
        flags = np.zeros(len(self.tags), dtype=bool)
        for word, mask in masks.items():
            flags |= (self.tags[:, word] & np.uint64(mask)) != 0
        return flags

    def places_of(self, ids: np.ndarray) -> np.ndarray:
        """The rows' places (see `places`) of these documents, in their order; 0 if unknown."""
        return self.places[ids.astype(np.int64) - self.base]

    def _rows(self, ids: np.ndarray) -> np.ndarray:
        rows = ids.astype(np.int64) - self.base
        return rows[(rows >= 0) & (rows < len(self.tags))]

    def select(self, ids: np.ndarray, filters: dict) -> np.ndarray:
        """The ids that pass every filter, in their order."""
        rows = self._rows(ids)
        passes = self._passes(rows, filters)
        return (
            rows[np.logical_and.reduce(list(passes.values()))] + self.base
            if passes
            else rows + self.base
        )

    def counts(self, ids: np.ndarray, filters: dict) -> tuple[dict[str, Counter], int]:
        """Matches (`ids`) per value of each filter, each counted under all the other active
        filters, and the number of matches under all of them (see backends.facet_counts)."""
        counts: dict[str, Counter] = {name: Counter() for name in (*COLUMNS, *TAGS)}
        rows = self._rows(ids)
        column = {name: self.columns[name][rows] for name in COLUMNS}
        tags = self.tags[rows]
        passes = self._passes(rows, filters)

        def under_all_but(skip: str) -> np.ndarray | slice:
            chosen = [passed for name, passed in passes.items() if name != skip]
            return np.logical_and.reduce(chosen) if chosen else slice(None)

        total = int(np.count_nonzero(under_all_but(""))) if passes else len(rows)
        for name in COLUMNS:
            codes = self.codes[name]
            found = np.bincount(column[name][under_all_but(name)], minlength=len(codes.values))
            for code in np.flatnonzero(found[1:]) + 1:
                counts[name][codes.values[code]] = int(found[code])
        tag_values = self.codes["tag"].values[1:]
        # Each tag facet is counted without its own filter: one pass when neither is active.
        skips = [""] if not any(name in passes for name in TAGS) else list(TAGS)
        for skip in skips:
            chosen = tags[under_all_but(skip)]
            bits = np.unpackbits(chosen.view(np.uint8), axis=1, bitorder="little")
            found = bits.sum(axis=0, dtype=np.int64)
            for bit in np.flatnonzero(found[: len(tag_values)]):
                facet, value = tag_values[bit]
                if not skip or facet == skip:
                    counts[facet][value] = int(found[bit])
        return counts, total


def _select() -> str:
    """The filter values of the documents (with, on PostgreSQL, where each row is)."""
    if connection.vendor == "postgresql":
        return (
            "SELECT id, kind, country, size_band, filter_terms, "
            "(p[0]::bigint << 16) + p[1]::bigint FROM search_searchdocument, "
            "LATERAL (SELECT ctid::text::point AS p) place"
        )
    return "SELECT id, kind, country, size_band, filter_terms FROM search_searchdocument"


class _SharedCopy:
    """This process's copy of the filter values of every document, kept current."""

    def __init__(self):
        self.lock = threading.Lock()
        self.values: FilterValues | None = None
        self.generation = -1
        self.database = None

    def current(self, state: tuple | None = None) -> FilterValues:
        """The copy as of `state` (from `_state`; read when not given)."""
        generation, rebuilt, epoch, _themes = state or _state()
        database = (connection.alias, connection.settings_dict["NAME"], epoch)
        with connection.cursor() as cursor, self.lock:
            # A state read before another thread brought the copy further is served by it:
            # the copy holds everything up to that state and more.
            if generation <= self.generation and database == self.database:
                return self.values
            # A rebuild replaced every document, and another epoch means the tables were
            # emptied (tests do): each starts the copy over.
            if self.values is None or database != self.database or rebuilt > self.generation:
                cursor.execute("SELECT MIN(id) FROM search_searchdocument")
                values = FilterValues(base=cursor.fetchone()[0] or 0)
                cursor.execute(_select())
                deleted = []
            else:
                values = self.values
                cursor.execute(
                    "SELECT document_id FROM search_searchdeletion WHERE generation > %s",
                    [self.generation],
                )
                deleted = [row[0] for row in cursor.fetchall()]
                cursor.execute(f"{_select()} WHERE generation > %s", [self.generation])
            while chunk := cursor.fetchmany(20_000):
                values.load(chunk)
            # Ids are never used again, so a removed document cannot be one just loaded.
            values.forget(deleted)
            self.values, self.generation, self.database = values, generation, database
            return values

    def clear(self) -> None:
        with self.lock:
            self._start_over()

    def _start_over(self) -> None:
        self.values, self.generation, self.database = None, -1, None

    def moved(self, values: FilterValues) -> None:
        """Rows of `values` were not where it says (see backends, ranking on PostgreSQL).

        A write since the copy was read moves its documents' rows, and the next search
        reads them again with their new generation: nothing to do. Rows that moved with no
        write (VACUUM FULL, an UPDATE by hand) are found by no generation: the copy starts
        over. (Should both happen at once, the next mismatch starts it over.)
        """
        generation = _state()[0]
        with self.lock:
            if values is self.values and generation <= self.generation:
                self._start_over()


shared = _SharedCopy()


_RECENT = 16


class _RecentMatches:
    """The ids of the last few text queries, each valid for the generation it was read at:
    the counts and the page of one search (and its next pages) share one full-text match."""

    def __init__(self):
        self.lock = threading.Lock()
        self.found: OrderedDict = OrderedDict()

    def get(self, key):
        with self.lock:
            if key in self.found:
                self.found.move_to_end(key)
                return self.found[key]
            return None

    def put(self, key, ids: np.ndarray) -> None:
        with self.lock:
            self.found[key] = ids
            while len(self.found) > _RECENT:
                self.found.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.found.clear()


recent = _RecentMatches()


def _ids(sql: str, params: list) -> np.ndarray:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()[0]
    # Parsed in C: splitting into 35,000 strings first took six times as long (3.6 ms).
    return np.fromstring(found, dtype=np.int64, sep=",") if found else np.zeros(0, np.int64)


def _state() -> tuple[int, int, int, int]:
    """The documents' generation, last rebuild and epoch (see SearchState), and the version
    of the themes' table (their labels name them, see synonyms), in one small query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.generation, s.rebuilt, s.epoch, "
            "(SELECT version FROM core_tableversion WHERE name = %s) "
            "FROM (SELECT 1) one LEFT JOIN search_searchstate s ON s.id = 1",
            [Theme._meta.db_table],
        )
        generation, rebuilt, epoch, themes = cursor.fetchone()
    return generation or 0, rebuilt or 0, epoch or 0, themes or 0


@dataclass(frozen=True)
class Found:
    """The matches of a query, and the filter values to count them with."""

    values: FilterValues
    ids: np.ndarray
    plan: object
    # Of the matches, those whose text holds a word of the query; None when all of them do.
    worded: np.ndarray | None = None


def combine(values: FilterValues, plan, texts: list[np.ndarray]) -> tuple[np.ndarray, object]:
    """The ids of the documents that hold every plain word in their text and, for each word
    that names themes, hold it too or carry one of those themes (see synonyms); and, when
    every word names themes, the ids of those whose text holds one of the words (else None).

    `texts` are the text matches of `queries.text_queries(plan)`, in its order.
    """
    if not plan.named:
        return texts[0], None
    if plan.plain:
        found, texts = values.mask(texts[0]), texts[1:]
    else:
        found = values.present()
    worded = np.zeros(len(found), dtype=bool)
    for (_group, themes), text in zip(plan.named, texts, strict=True):
        holds = values.mask(text)
        worded |= holds
        found &= holds | values.tagged("theme", themes)
    ids = np.flatnonzero(found) + values.base
    return ids, None if plan.plain else np.flatnonzero(found & worded) + values.base


def matches(groups: list[list[str]], kind: str | None = None) -> Found:
    """The documents that match a query (see `combine`); with `kind`, only those of that kind
    are sure to be among them (see queries.text_queries).

    Outside a transaction the result is kept with the state it was read in (see `recent`):
    the counts, the page and the next pages of one search share it.
    """
    if connection.in_atomic_block:
        # Only the matches are copied, and from this transaction's view of the documents.
        found = plan(groups)
        sql, params = match_subquery(groups, found)
        with connection.cursor() as cursor:
            cursor.execute(f"{_select()} WHERE id IN ({sql})", params)
            rows = cursor.fetchall()
        values = FilterValues(base=min((row[0] for row in rows), default=0))
        values.load(rows)
        texts = [_ids(*query) for query in text_queries(found, kind)]
        ids, worded = combine(values, found, texts)
        return Found(values, ids, found, worded)
    state = _state()
    key = (
        connection.alias,
        connection.settings_dict["NAME"],
        tuple(tuple(group) for group in groups),
        kind,
        state,
    )
    kept = recent.get(key)
    if kept is None:
        found = plan(groups)
        texts = [_ids(*query) for query in text_queries(found, kind)]
        # The copy is brought up to date after the ids were read, so it holds all of them.
        values = shared.current()
        kept = (found, *combine(values, found, texts))
        recent.put(key, kept)
    found, ids, worded = kept
    return Found(shared.current(state), ids, found, worded)


def documents(kind: str) -> tuple[FilterValues, np.ndarray]:
    """The ids of every document of one kind (a list page without words to search for), and
    the filter values to count them with."""
    aggregate = (
        "string_agg(id::text, ',')" if connection.vendor == "postgresql" else ("group_concat(id)")
    )
    where = "FROM search_searchdocument WHERE kind = %s"
    return _found(f"SELECT {aggregate} {where}", f"SELECT id {where}", [kind])


def _found(aggregate: str, subquery: str, params: list) -> tuple[FilterValues, np.ndarray]:
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"{_select()} WHERE id IN ({subquery})", params)
            rows = cursor.fetchall()
        values = FilterValues(base=min((row[0] for row in rows), default=0))
        values.load(rows)
        return values, np.asarray([row[0] for row in rows], dtype=np.int64)
    state = _state()
    key = (connection.alias, connection.settings_dict["NAME"], aggregate, *params, state)
    ids = recent.get(key)
    if ids is None:
        ids = _ids(aggregate, params)
        recent.put(key, ids)
    # The copy is brought up to date after the ids were read, so it holds every one of them.
    return shared.current(state), ids


def generation_next() -> int:
    """The generation to stamp this transaction's documents with (see SearchState)."""
    if not SearchState.objects.filter(pk=1).update(generation=F("generation") + 1):
        SearchState.objects.get_or_create(pk=1)
        SearchState.objects.filter(pk=1).update(generation=F("generation") + 1)
    return SearchState.objects.values_list("generation", flat=True).get(pk=1)
