"""Practice search at scale, in-process: the full search (text + two filters + counts, first
page of 20) against the full-text query it issues, p50/p95 server time.

Usage: DATABASE_URL=... python bench/search_bench.py [--runs N]
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
from villagehub.search import counts  # noqa: E402
from villagehub.search.analysis import query_groups  # noqa: E402
from villagehub.search.interface import SearchQuery, engine, search_rows  # noqa: E402
from villagehub.search.synonyms import plan  # noqa: E402

QUERIES = [
    ({"q": "skolmat", "country": "se", "size": "under-2000"}),
    ({"q": "broadband", "country": "dk", "sdg": 9}),
    ({"q": "valokuitu", "country": "fi", "theme": "broadband"}),
    ({"q": "cantines", "country": "fr", "size": "2000-5000"}),
    ({"q": "energia", "country": "pt", "sdg": 7}),
    ({"q": "mobilitet", "country": "dk", "theme": "mobility"}),
]


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
    facets = practice_facets(filters=filters)
    results = practice_list(filters=filters, count=facets.pop("total"))
    list(results[:20])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    full, again, raw, bare, page, search = [], [], [], [], [], []
    issued, every_sql = [], []
    client = Client()
    # Each process copies the filter values of every document once (then only the changes).
    print(f"copy of the filter values, once per process: {timed(counts.shared.current):.0f} ms")
    for _ in range(runs):
        for filters in QUERIES:
            groups = query_groups(filters["q"])
            counts.recent.clear()
            every = SearchQuery(text=filters["q"], kind="practice", within_kind=True)
            raw.append(timed(lambda q=every: search_rows(q, limit=10**6)))
            # The text matches (ids only) of the query's words: one query per word that names
            # themes (the themes' documents come from memory), and one for the others.
            parts = plan(groups).text_parts()
            bare.append(timed(lambda p=parts: [engine().text_ids(g, "practice") for g in p]))
            # A query asked for the first time: its text match is read from the index.
            counts.recent.clear()
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                full.append(timed(lambda f=filters: practice_search(f)))
            issued.append(timer.text)
            every_sql.append(timer.every)
            # Asked again (the next page, or the same search by someone else): the match is
            # reused until a document changes.
            again.append(timed(lambda f=filters: practice_search(f)))
            # The pages, each asked first too (the practice list reads only practices' matches,
            # the search page every kind's: they would not share them anyway).
            query = "&".join(f"{k}={v}" for k, v in filters.items())
            counts.recent.clear()
            page.append(timed(lambda q=query: client.get(f"/practices/?{q}")))
            counts.recent.clear()
            search.append(timed(lambda q=query: client.get(f"/search/?{q}")))
    print(f"database: {connection.vendor}")
    print(f"every practice that matches, ranked (no other filter): {summary(raw)}")
    print(f"the full-text queries the search issues (ids of the text matches): {summary(bare)}")
    print(f"practice search, first page + counts, query asked first: {summary(full)}")
    print(f"  of which its full-text queries (text match, ranked page): {summary(issued)}")
    print(f"  of which every SQL statement it issues: {summary(every_sql)}")
    print(f"practice search, first page + counts, query asked again: {summary(again)}")
    print(f"/practices/ page rendered in-process, query asked first: {summary(page)}")
    print(f"/search/ page (every kind, same filters), query asked first: {summary(search)}")
    ratio = percentile(full, 95) / max(percentile(bare, 95), 0.001)
    print(f"p95 ratio full search (asked first) / the text-match queries alone: {ratio:.1f}x")
    ratio = percentile(full, 95) / max(percentile(issued, 95), 0.001)
    print(f"p95 ratio full search (asked first) / every full-text query it issues: {ratio:.1f}x")
    print(f"load average: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
