"""Practice search at scale, in-process: the full search (text + two filters + counts, first
page of 20) against the full-text query it issues, p50/p95 server time; and side by side,
interleaved, the same searches on a tantivy index of the same practices (search_peer.py),
with its build time and size against the search tables'.

Usage: DATABASE_URL=... python bench/search_bench.py [--runs N] [--no-peer]
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "villagehub.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# The pages are measured as rendered, not as kept by the page cache (core.pagecache).
os.environ.setdefault("PAGE_CACHE_SECONDS", "0")

import django

django.setup()

from bench_lib import percentile, summary  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from villagehub.practices.selectors import practice_facets, practice_list  # noqa: E402
from villagehub.search import counts, interface  # noqa: E402
from villagehub.search.analysis import query_groups  # noqa: E402
from villagehub.search.interface import SearchQuery, engine, search_rows  # noqa: E402
from villagehub.search.synonyms import plan  # noqa: E402

try:
    from search_peer import Peer
except ImportError:  # tantivy is a bench-only dependency: pip install -e ".[bench]"
    Peer = None

QUERIES = [
    ({"q": "skolmat", "country": "se", "size": "under-2000"}),
    ({"q": "broadband", "country": "dk", "sdg": 9}),
    ({"q": "valokuitu", "country": "fi", "theme": "broadband"}),
    ({"q": "cantines", "country": "fr", "size": "2000-5000"}),
    ({"q": "energia", "country": "pt", "sdg": 7}),
    ({"q": "mobilitet", "country": "dk", "theme": "mobility"}),
]


def frequent_words(count: int = 3) -> list[str]:
    """The words of the most documents (of four letters or more), from the index itself."""
    words = [(n, w) for w, n in engine().index_words() if len(w) >= 4 and w.isalpha()]
    return [word for _n, word in sorted(words, reverse=True)[:count]]


def search_tables_size() -> int:
    """Bytes of the search tables and their indexes."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT sum(pg_total_relation_size(oid)) FROM pg_class "
                "WHERE relname LIKE 'search\\_%%' AND relkind = 'r'"
            )
            return int(cursor.fetchone()[0] or 0)
        cursor.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search%%'")
        return int(cursor.fetchone()[0] or 0)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


class QueryTimer:
    """Times every SQL statement of a search: those that ask the full-text index, and all."""

    def __init__(self):
        self.text = self.every = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = (time.perf_counter() - start) * 1000
            self.every += took
            # The text match and the ranked page (which, on PostgreSQL, ranks chosen ids
            # without a match operator).
            if any(word in sql for word in (" MATCH ", " @@ ", "ts_rank(", "bm25(")):
                self.text += took


def practice_search(filters: dict) -> None:
    """What /practices/ asks for: facet counts (with the total), then the first page."""
    results = practice_list(filters=filters)
    practice_facets(filters=filters, listed=results)
    list(results[:20])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-peer", action="store_true", help="without the tantivy peer")
    args = parser.parse_args()
    runs = args.runs
    common = frequent_words()
    print(f"most frequent words of the corpus, added to the queries: {', '.join(common)}")
    queries = [*QUERIES, *({"q": w} for w in common), *({"q": w, "country": "se"} for w in common)]
    peer, peer_times, hub_times, overlap = None, [], [], []
    if Peer is not None and not args.no_peer:
        peer = Peer()
        written, took = peer.build()
        size = peer.size() / 1e6
        print(f"tantivy peer: {written} practices indexed in {took:.1f} s, {size:.1f} MB")
    print(f"search tables (documents, full-text index, state): {search_tables_size() / 1e6:.1f} MB")
    full, again, raw, bare, page, search = [], [], [], [], [], []
    issued, every_sql = [], []
    # Which timings are of the selective queries (QUERIES) and which of the frequent words.
    frequent, frequent_side = [], []
    client = Client()
    # Each process copies the filter values of every document once (then only the changes).
    print(f"copy of the filter values, once per process: {timed(counts.shared.current):.0f} ms")
    for _ in range(runs):
        for filters in queries:
            groups = query_groups(filters["q"])
            interface._kept_match.cache_clear()
            every = SearchQuery(text=filters["q"], kind="practice", within_kind=True)
            raw.append(timed(lambda q=every: search_rows(q, limit=10**6)))
            # The text matches (ids only) of the query's words: one query per word that names
            # themes (the themes' documents come from memory), and one for the others.
            parts = plan(groups).text_parts()
            bare.append(timed(lambda p=parts: [engine().text_ids(g, "practice") for g in p]))
            # A query asked for the first time: its text match is read from the index.
            interface._kept_match.cache_clear()
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                full.append(timed(lambda f=filters: practice_search(f)))
            issued.append(timer.text)
            frequent.append(filters not in QUERIES)
            every_sql.append(timer.every)
            # Asked again (the next page, or the same search by someone else): the match is
            # reused until a document changes.
            again.append(timed(lambda f=filters: practice_search(f)))
            if peer is not None:
                # Side by side, interleaved: the hub (its match asked first) then the peer.
                interface._kept_match.cache_clear()
                hub_times.append(timed(lambda f=filters: practice_search(f)))
                peer_times.append(timed(lambda f=filters: peer.search(f)))
                frequent_side.append(filters not in QUERIES)
                mine = [p.pk for p in practice_list(filters=filters)[:20]]
                theirs = peer.search(filters)[0]
                overlap.append(len(set(mine) & set(theirs)) / max(len(mine), 1))
            # The pages, each asked first too (the practice list reads only practices' matches,
            # the search page every kind's: they would not share them anyway).
            query = "&".join(f"{k}={v}" for k, v in filters.items())
            interface._kept_match.cache_clear()
            page.append(timed(lambda q=query: client.get(f"/practices/?{q}")))
            interface._kept_match.cache_clear()
            search.append(timed(lambda q=query: client.get(f"/search/?{q}")))
    print(f"database: {connection.vendor}")
    print(f"every practice that matches, ranked (no other filter): {summary(raw)}")
    print(f"the full-text queries the search issues (ids of the text matches): {summary(bare)}")
    print(f"practice search, first page + counts, query asked first: {summary(full)}")
    for name, wanted in (("selective words", False), ("frequent words", True)):
        part = [t for t, f in zip(full, frequent, strict=True) if f == wanted]
        print(f"  {name}: {summary(part)}")
    print(f"  of which its full-text queries (text match, ranked page): {summary(issued)}")
    print(f"  of which every SQL statement it issues: {summary(every_sql)}")
    print(f"practice search, first page + counts, query asked again: {summary(again)}")
    print(f"/practices/ page rendered in-process, query asked first: {summary(page)}")
    print(f"/search/ page (every kind, same filters), query asked first: {summary(search)}")
    ratio = percentile(full, 95) / max(percentile(bare, 95), 0.001)
    print(f"p95 ratio full search (asked first) / the text-match queries alone: {ratio:.1f}x")
    ratio = percentile(full, 95) / max(percentile(issued, 95), 0.001)
    print(f"p95 ratio full search (asked first) / every full-text query it issues: {ratio:.1f}x")
    if peer is not None:
        print(f"side by side, hub practice search (asked first): {summary(hub_times)}")
        print(f"side by side, tantivy peer (same page and counts): {summary(peer_times)}")
        ratio = percentile(hub_times, 95) / max(percentile(peer_times, 95), 0.001)
        print(f"p95 ratio hub / tantivy: {ratio:.1f}x (target <= 3x)")
        for name, wanted in (("selective words", False), ("frequent words", True)):
            hub = [t for t, f in zip(hub_times, frequent_side, strict=True) if f == wanted]
            theirs = [t for t, f in zip(peer_times, frequent_side, strict=True) if f == wanted]
            ratio = percentile(hub, 95) / max(percentile(theirs, 95), 0.001)
            print(f"  {name}: hub {summary(hub)}; tantivy {summary(theirs)}; p95 {ratio:.1f}x")
        print(f"first pages in common: {100 * sum(overlap) / max(len(overlap), 1):.0f} %")
        peer.close()
    print(f"load average: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
