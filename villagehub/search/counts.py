"""Counting the matches of a search per filter value, from a copy of every document's filter
values kept in each process's memory (a private part of `interface`).

Counting in the database means reading the filter values of every text match, and a common
word matches tens of thousands of documents. So the database only lists the ids of the text
matches, and they are counted against this copy: a few numpy arrays, about 20 bytes per
document (see docs/benchmarks.md for what it saves).

The copy is exact, not a cache of counts. Every write of documents takes the next
`SearchState.generation` in its transaction and stamps its documents with it; before
counting, a process reads the counter and copies the documents stamped since it last read
it. The counter's row lock keeps writers in commit order, so everything stamped up to the
generation a reader sees is committed. A deleted document leaves a `SearchDeletion` row with
the generation of its removal, from which the copies forget it: the documents of a theme are
found in the copy alone (see synonyms). Ids are never used again (SQLite `AUTOINCREMENT`,
PostgreSQL identity).
"""

import re
import threading
from collections import Counter, OrderedDict

import numpy as np
from django.db import connection
from django.db.models import F

from villagehub.taxonomy.models import Theme

from .models import SearchState
from .synonyms import Plan

COLUMNS = ("kind", "country", "size")
TAGS = ("theme", "sdg")
_TAG_WORD = re.compile(r"^(theme|sdg)(\d+)$")
_SELECT = "SELECT id, kind, country, size_band, tags FROM search_searchdocument"


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
        """Copy (id, kind, country, size band, tags) rows, replacing older versions."""
        rows = list(rows)
        if not rows:
            return
        tag_codes = self.codes["tag"]
        kind, country, size = (self.codes[name].code for name in COLUMNS)
        # Documents share a few thousand combinations of tags: each is parsed once.
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

    def forget(self, ids) -> None:
        """Remove documents (see SearchDeletion): they have no filter values and no tags."""
        rows = self._rows(np.asarray(ids, dtype=np.int64))
        for column in self.columns.values():
            column[rows] = 0
        self.tags[rows] = 0

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
        filters, and the number of matches under all of them ."""
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

    def of_kind(self, kind: str) -> np.ndarray:
        """The ids of every document of one kind."""
        code = self.codes["kind"].codes.get(kind, -1)
        return np.flatnonzero(self.columns["kind"] == code) + self.base


def _read(where: str = "", params: tuple = ()) -> FilterValues:
    """The filter values of the documents, as this connection sees them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id) FROM search_searchdocument")
        values = FilterValues(base=cursor.fetchone()[0] or 0)
        cursor.execute(f"{_SELECT}{where}", params)
        while chunk := cursor.fetchmany(20_000):
            values.load(chunk)
    return values


class _SharedCopy:
    """This process's copy of the filter values of every document, kept current."""

    def __init__(self):
        self.lock = threading.Lock()
        self.values: FilterValues | None = None
        self.generation = -1
        self.database = None

    def current(self, state: tuple | None = None) -> FilterValues:
        """The copy as of `state` (from `state()`; read when not given).

        Inside a transaction the connection may see its own uncommitted writes, which must
        not reach the shared copy: there a copy of its own view is read (no request runs in
        one; tests and services do, on small tables).
        """
        if connection.in_atomic_block:
            return _read()
        generation, rebuilt, epoch, _themes = state or search_state()
        database = (connection.alias, connection.settings_dict["NAME"], epoch)
        with self.lock:
            # A state read before another thread brought the copy further is served by it:
            # the copy holds everything up to that state and more.
            if generation <= self.generation and database == self.database:
                return self.values
            # A rebuild replaced every document, and another epoch means the tables were
            # emptied (tests do): each starts the copy over.
            if self.values is None or database != self.database or rebuilt > self.generation:
                values = _read()
            else:
                values = self.values
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT document_id FROM search_searchdeletion WHERE generation > %s",
                        [self.generation],
                    )
                    deleted = [row[0] for row in cursor.fetchall()]
                    cursor.execute(f"{_SELECT} WHERE generation > %s", [self.generation])
                    while chunk := cursor.fetchmany(20_000):
                        values.load(chunk)
                # Ids are never used again, so a removed document cannot be one just loaded.
                values.forget(deleted)
            self.values, self.generation, self.database = values, generation, database
            return values

    def clear(self) -> None:
        with self.lock:
            self.values, self.generation, self.database = None, -1, None


shared = _SharedCopy()


class RecentMatches:
    """The matches of the last few searches, each kept with the state it was read in: the
    counts and the pages of one search share one full-text match."""

    def __init__(self, size: int = 16):
        self.lock = threading.Lock()
        self.size = size
        self.found: OrderedDict = OrderedDict()

    def get(self, key):
        with self.lock:
            if key in self.found:
                self.found.move_to_end(key)
                return self.found[key]
            return None

    def put(self, key, found) -> None:
        with self.lock:
            self.found[key] = found
            while len(self.found) > self.size:
                self.found.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.found.clear()


recent = RecentMatches()


def search_state() -> tuple[int, int, int, int]:
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


def combine(
    values: FilterValues, plan: Plan, texts: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray | None]:
    """The ids of the documents that hold every plain word in their text and, for each word
    that names themes, hold it too or carry one of those themes (see synonyms); and, when
    every word names themes, the ids of those whose text holds one of the words (else None).

    `texts`: the text matches of `plan.text_parts()`, in its order.
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


def generation_next() -> int:
    """The generation to stamp this transaction's documents with (see SearchState)."""
    if not SearchState.objects.filter(pk=1).update(generation=F("generation") + 1):
        SearchState.objects.get_or_create(pk=1)
        SearchState.objects.filter(pk=1).update(generation=F("generation") + 1)
    return SearchState.objects.values_list("generation", flat=True).get(pk=1)
