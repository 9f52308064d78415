"""“Did you mean”: for the words of a query that the index does not hold, the closest words it
does hold (Levenshtein distance, rapidfuzz), the most frequent first among equally close ones.

The vocabulary is the full-text index's own, read the same way for every kind of record: on
SQLite from FTS5's `fts5vocab` view of the index (a temporary table, made per connection), on
PostgreSQL from `ts_stat` over the documents' vectors. It is read only when a search finds
nothing, and kept per process: read again at once after a rebuild, and every
`REFRESH_SECONDS` (reading it is slow on large tables, see docs/benchmarks.md).
"""

import time
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .analysis import fold, query_groups

REFRESH_SECONDS = 600
# Words shorter than this are not corrected: at one or two letters every change is a word.
MIN_LENGTH = 3


@lru_cache(maxsize=1)
def _vocabulary(index_words, _fresh: tuple) -> tuple[dict[int, list[str]], dict[str, int]]:
    """The index's words by length, and their document counts, read again when `_fresh`
    changes: after a rebuild, or in the next period of `REFRESH_SECONDS`."""
    counts = {
        word: count
        for word, count in index_words()
        if len(word) >= MIN_LENGTH and not word.isdigit()
    }
    by_length = defaultdict(list)
    for word in counts:
        by_length[len(word)].append(word)
    return by_length, counts


def _closest(word: str, by_length: dict[int, list[str]], counts: dict[str, int]) -> str | None:
    # One change in a short word, two in a longer one; candidates of about the same length.
    limit = 1 if len(word) <= 5 else 2
    candidates = [
        w for n in range(len(word) - limit, len(word) + limit + 1) for w in by_length.get(n, ())
    ]
    found = process.extract(
        word, candidates, scorer=Levenshtein.distance, score_cutoff=limit, limit=20
    )
    if not found:
        return None
    best, _distance, _index = min(found, key=lambda f: (f[1], -counts[f[0]], f[0]))
    return best


def spelling_suggestion(
    query: str, *, index_words: Callable[[], list[tuple[str, int]]], state: tuple[int, int]
) -> str | None:
    """The query with each word that no document holds (in any of its forms) replaced by the
    closest word of the index; None when no word was replaced. `index_words`: the engine's
    reader of its words; `state`: the documents' last rebuild and epoch."""
    groups = query_groups(query)
    if not groups:
        return None
    period = int(time.monotonic() // REFRESH_SECONDS)
    by_length, counts = _vocabulary(index_words, (*state, period))
    words, changed = [], False
    for group in groups:
        word = group[0]
        if len(word) < MIN_LENGTH or word.isdigit() or any(form in counts for form in group):
            words.append(word)
            continue
        better = _closest(fold(word), by_length, counts)
        changed = changed or better is not None
        words.append(better or word)
    return " ".join(words) if changed else None
