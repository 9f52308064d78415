"""Counting the matches of a search per filter value, from a copy of every document's filter
values kept in each process's memory (a private part of `interface`).

Counting in the database means reading the filter values of every text match, and a common
word matches tens of thousands of documents. So the database only lists the ids of the text
matches, and they are counted against this copy: a few numpy arrays, indexed by document id
(see docs/benchmarks.md for what it saves).

The copy is exact, not a cache of counts. Every write of documents stamps them with the
next `SearchState.generation` (its row lock keeps writers in commit order); before counting,
a process copies the documents stamped since it last looked, and forgets those removed since
(`SearchDeletion`). Ids are never used again (SQLite `AUTOINCREMENT`, PostgreSQL identity).
"""

import threading
from collections import Counter

import numpy as np
from django.db import connection
from django.db.models import F

from villagehub.taxonomy.models import Theme

from .models import SearchState
from .synonyms import Plan

COLUMNS = ("kind", "country", "size")  # one value per document
TAGS = ("theme", "sdg")  # any number of values per document, written as `theme12 sdg9`
_SELECT = "SELECT id, kind, country, size_band, tags FROM search_searchdocument"


def _fit(array: np.ndarray, rows: int, width: int = 0) -> np.ndarray:
    """The array, zero-padded to at least `rows` rows (a quarter more, as documents are added
    one by one) and, for a table, `width` columns."""
    length = len(array) if rows <= len(array) else max(rows, len(array) * 5 // 4)
    shape = (length, max(width, array.shape[1])) if array.ndim == 2 else (length,)
    if shape == array.shape:
        return array
    grown = np.zeros(shape, array.dtype)
    grown[tuple(slice(0, n) for n in array.shape)] = array
    return grown


class FilterValues:
    """The filter values of documents, one row per document id (minus the smallest id): a
    column's value as a small code (0 for none); a tag's values as one bit each."""

    def __init__(self, base: int = 0):
        self.base = base
        # Each filter's values, numbered in the order they are first seen.
        self.codes: dict[str, dict] = {name: {None: 0} for name in COLUMNS}
        self.codes |= {name: {} for name in TAGS}
        self.columns = {name: np.zeros(0, np.uint16) for name in COLUMNS}
        self.tags = {name: np.zeros((0, 0), np.uint8) for name in TAGS}

    def __len__(self) -> int:
        return len(self.columns["kind"])

    def load(self, rows) -> None:
        """Copy (id, kind, country, size band, tags) rows, replacing older versions."""
        rows = list(rows)
        if not rows:
            return
        at = np.array([row[0] for row in rows], np.int64) - self.base
        for n, name in enumerate(COLUMNS, start=1):
            codes = self.codes[name]
            self.columns[name] = _fit(self.columns[name], int(at.max()) + 1)
            self.columns[name][at] = [codes.setdefault(row[n] or None, len(codes)) for row in rows]
        # Documents share a few thousand combinations of tags: each is parsed once.
        combinations: dict[str, int] = {}
        combination = [combinations.setdefault(row[4] or "", len(combinations)) for row in rows]
        flags: dict[str, tuple[list, list]] = {name: ([], []) for name in TAGS}
        for n, tags in enumerate(combinations):
            for word in tags.split():
                name = word.rstrip("0123456789")
                codes = self.codes[name]
                flags[name][0].append(n)
                flags[name][1].append(codes.setdefault(int(word[len(name) :]), len(codes)))
        for name, (which, bits) in flags.items():
            width = (len(self.codes[name]) + 7) // 8
            combined = np.zeros((len(combinations), width * 8), dtype=bool)
            combined[which, bits] = True
            self.tags[name] = _fit(self.tags[name], len(self), width)
            self.tags[name][at] = np.packbits(combined, axis=1, bitorder="little")[combination]

    def forget(self, ids) -> None:
        """Remove documents (see SearchDeletion): they have no filter values and no tags."""
        rows = self._rows(np.asarray(ids, dtype=np.int64))
        for arrays in (self.columns, self.tags):
            for array in arrays.values():
                array[rows] = 0

    def _rows(self, ids: np.ndarray) -> np.ndarray:
        rows = ids.astype(np.int64) - self.base
        return rows[(rows >= 0) & (rows < len(self))]

    def _has(self, name: str, value, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """One flag per row: which of them carry this value of a tag."""
        bit = self.codes[name].get(value)
        if bit is None:
            return np.zeros(len(self) if isinstance(rows, slice) else len(rows), dtype=bool)
        return self.tags[name][rows, bit // 8] & (1 << bit % 8) != 0

    def _passes(self, rows: np.ndarray, filters: dict) -> dict[str, np.ndarray]:
        """For each active filter, which of the rows pass it."""
        return {
            name: self.columns[name][rows] == self.codes[name].get(value, -1)
            if name in COLUMNS
            else self._has(name, value, rows)
            for name, value in filters.items()
        }

    def holds(self, ids: np.ndarray) -> bool:
        """Whether every one of `ids` is a document of the copy."""
        rows = ids.astype(np.int64) - self.base
        if not len(rows):
            return True
        inside = rows.min() >= 0 and rows.max() < len(self)
        return bool(inside and self.columns["kind"][rows].all())

    def mask(self, ids: np.ndarray) -> np.ndarray:
        """One flag per row: which of them are among `ids`."""
        flags = np.zeros(len(self), dtype=bool)
        flags[self._rows(ids)] = True
        return flags

    def present(self) -> np.ndarray:
        """One flag per row: which of them hold a document (each has a kind)."""
        return self.columns["kind"] != 0

    def tagged(self, name: str, values) -> np.ndarray:
        """One flag per row: which of them carry one of these values of a tag."""
        flags = np.zeros(len(self), dtype=bool)
        for value in values:
            flags |= self._has(name, value)
        return flags

    def select(self, ids: np.ndarray, filters: dict) -> np.ndarray:
        """The ids that pass every filter, in their order."""
        rows = self._rows(ids)
        passes = list(self._passes(rows, filters).values())
        return (rows[np.logical_and.reduce(passes)] if passes else rows) + self.base

    def counts(self, ids: np.ndarray, filters: dict) -> tuple[dict[str, Counter], int]:
        """Matches (`ids`) per value of each filter, each counted under all the other active
        filters, and the number of matches under all of them."""
        rows = self._rows(ids)
        passes = self._passes(rows, filters)

        def under_all_but(skip: str) -> np.ndarray | slice:
            chosen = [passed for name, passed in passes.items() if name != skip]
            return np.logical_and.reduce(chosen) if chosen else slice(None)

        counts = {}
        for name in (*COLUMNS, *TAGS):
            codes, chosen = self.codes[name], rows[under_all_but(name)]
            if name in COLUMNS:
                found = np.bincount(self.columns[name][chosen], minlength=len(codes))
            else:
                tags = np.take(self.tags[name], chosen, axis=0)
                bits = np.unpackbits(tags, axis=1, count=len(codes), bitorder="little")
                found = bits.sum(axis=0, dtype=np.int64)
            counts[name] = Counter(
                {
                    value: int(n)
                    for value, n in zip(codes, found, strict=True)
                    if n and value is not None
                }
            )
        total = int(np.count_nonzero(under_all_but(""))) if passes else len(rows)
        return counts, total

    def of_kind(self, kind: str) -> np.ndarray:
        """The ids of every document of one kind."""
        return np.flatnonzero(self.columns["kind"] == self.codes["kind"].get(kind, -1)) + self.base


def _load(values: FilterValues, where: str = "", params: tuple = ()) -> FilterValues:
    with connection.cursor() as cursor:
        cursor.execute(f"{_SELECT}{where}", params)
        while chunk := cursor.fetchmany(20_000):
            values.load(chunk)
    return values


def _read() -> FilterValues:
    """The filter values of the documents, as this connection sees them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id) FROM search_searchdocument")
        return _load(FilterValues(base=cursor.fetchone()[0] or 0))


class _SharedCopy:
    """This process's copy of the filter values of every document, kept current."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.values: FilterValues | None = None
            self.generation, self.database = -1, None

    def current(self, state: tuple | None = None) -> FilterValues:
        """The copy as of `state` (from `search_state()`; read when not given).

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
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT document_id FROM search_searchdeletion WHERE generation > %s",
                        [self.generation],
                    )
                    deleted = [row[0] for row in cursor.fetchall()]
                values = _load(self.values, " WHERE generation > %s", (self.generation,))
                # Ids are never used again, so a removed document cannot be one just loaded.
                values.forget(deleted)
            self.values, self.generation, self.database = values, generation, database
            return values


shared = _SharedCopy()


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
