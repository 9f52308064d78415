"""Counts of the matches of a query per filter value, from a copy of every document's filter
values kept in memory.

Counting in the database means reading the filter values of every text match: a common
word matches tens of thousands of documents, and looking each up cost 40–60 ms on SQLite and
hundreds of milliseconds on PostgreSQL (a GIN index cannot count without visiting the heap).
So the database only lists the ids of the text matches, and each process counts them
against a copy of the filter values of every document: a few numpy arrays, about 20 bytes
per document.

The copy is exact, not a cache of counts. Every write of documents takes the next
`SearchState.generation` in its transaction and stamps its documents with it; before
counting, a process reads the counter and copies the documents stamped since it last read
it. The counter's row lock keeps writers in commit order, so everything stamped up to the
generation a reader sees is committed. Deleted documents may stay in the copy: they no longer
match, and their ids are never used again (SQLite `AUTOINCREMENT`, PostgreSQL identity).
Inside a transaction the connection may see its own uncommitted writes, which must not reach
the shared copy: there the filter values of the matches are read from the database.
"""

import re
import threading
from collections import Counter, OrderedDict

import numpy as np
from django.db import connection
from django.db.models import F

from .models import SearchState

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
        self._masks: dict[str, int] = {}

    def _grow(self, size: int, words: int) -> None:
        old = len(self.tags)
        if size > old:
            size = max(size, old + old // 4)
            for name, column in self.columns.items():
                self.columns[name] = np.concatenate([column, np.zeros(size - old, np.uint16)])
        else:
            size = old
        if size > old or words > self.tags.shape[1]:
            tags = np.zeros((size, max(words, self.tags.shape[1])), dtype=np.uint64)
            tags[:old, : self.tags.shape[1]] = self.tags
            self.tags = tags

    def load(self, rows) -> None:
        """Copy (id, kind, country, size band, filter words) rows, replacing older versions."""
        rows = list(rows)
        if not rows:
            return
        tag_codes = self.codes["tag"]
        kind, country, size = (self.codes[name].code for name in COLUMNS)
        # Documents share a few thousand combinations of filter words: each is parsed once.
        masks = self._masks
        positions, kinds, countries, sizes, tags = [], [], [], [], []
        for document_id, kind_value, country_value, size_band, words in rows:
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


_SELECT = "SELECT id, kind, country, size_band, filter_terms FROM search_searchdocument"


class _SharedCopy:
    """This process's copy of the filter values of every document, kept current."""

    def __init__(self):
        self.lock = threading.Lock()
        self.values: FilterValues | None = None
        self.generation = -1
        self.database = None

    def current(self) -> FilterValues:
        generation, rebuilt, epoch = _generation()
        database = (connection.alias, connection.settings_dict["NAME"], epoch)
        with connection.cursor() as cursor, self.lock:
            if generation == self.generation and database == self.database:
                return self.values
            # A rebuild replaced every document; another epoch or a counter that went back
            # means the tables were emptied (tests do): each starts the copy over.
            if (
                self.values is None
                or database != self.database
                or rebuilt > self.generation
                or generation < self.generation
            ):
                cursor.execute("SELECT MIN(id) FROM search_searchdocument")
                values = FilterValues(base=cursor.fetchone()[0] or 0)
                cursor.execute(_SELECT)
            else:
                values = self.values
                cursor.execute(f"{_SELECT} WHERE generation > %s", [self.generation])
            while chunk := cursor.fetchmany(20_000):
                values.load(chunk)
            self.values, self.generation, self.database = values, generation, database
            return values

    def clear(self) -> None:
        with self.lock:
            self.values, self.generation, self.database = None, -1, None


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


def _generation() -> tuple[int, int, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT generation, rebuilt, epoch FROM search_searchstate WHERE id = 1")
        return cursor.fetchone() or (0, 0, 0)


def matches(groups: list[list[str]]) -> tuple[FilterValues, np.ndarray]:
    """The ids of the documents whose text matches, and the filter values to count them with."""
    from .backends import text_matches

    return _found(*text_matches(groups))


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
            cursor.execute(f"{_SELECT} WHERE id IN ({subquery})", params)
            rows = cursor.fetchall()
        values = FilterValues(base=min((row[0] for row in rows), default=0))
        values.load(rows)
        return values, np.asarray([row[0] for row in rows], dtype=np.int64)
    key = (connection.alias, connection.settings_dict["NAME"], aggregate, *params, _generation())
    ids = recent.get(key)
    if ids is None:
        ids = _ids(aggregate, params)
        recent.put(key, ids)
    # The copy is brought up to date after the ids were read, so it holds every one of them.
    return shared.current(), ids


def generation_next() -> int:
    """The generation to stamp this transaction's documents with (see SearchState)."""
    if not SearchState.objects.filter(pk=1).update(generation=F("generation") + 1):
        SearchState.objects.get_or_create(pk=1)
        SearchState.objects.filter(pk=1).update(generation=F("generation") + 1)
    return SearchState.objects.values_list("generation", flat=True).get(pk=1)
