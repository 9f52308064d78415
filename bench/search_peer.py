"""A peer for the practice search: a tantivy index of the same practices with the same
meaning, asked the same queries in the same process (see search_bench.py).

Same meaning: the index holds the hub's own analysed terms (`title_terms`, `body_terms`, on
PostgreSQL read from the vector: folded words and their per-language stems or lemmas), so
accent folding and stemming are the hub's; query words are expanded into the same forms
(`analysis.query_groups`), a word that names themes also matches their tag (`synonyms.plan`),
the title weighs five times the body, and the same filters choose (country, size band, theme,
goal) with the same counts per value, each counted under the other active filters. tantivy
is a bench-only dependency (`pip install -e ".[bench]"`).
"""

import shutil
import tempfile
import time
from pathlib import Path

import tantivy
from django.db import connection

from villagehub.search.analysis import query_groups
from villagehub.search.synonyms import plan
from villagehub.taxonomy.models import Theme

FACETS = ("country", "size", "theme", "sdg")
_PRACTICES = {
    # SQLite keeps the body terms deflated (search.models.TermsField).
    "sqlite": "SELECT object_id, title_terms, search_terms_inflated(body_terms), country, "
    "size_band, tags FROM search_searchdocument WHERE kind = 'practice'",
    # PostgreSQL keeps the terms only as the vector: each lexeme once per position it had,
    # in the title (weight A) or the body (B); their order does not count for the peer.
    "postgresql": "SELECT d.object_id, "
    "coalesce(string_agg(t.lexeme, ' ') FILTER (WHERE t.weight = 'A'), ''), "
    "coalesce(string_agg(t.lexeme, ' ') FILTER (WHERE t.weight = 'B'), ''), "
    "d.country, d.size_band, d.tags FROM search_searchdocument d CROSS JOIN LATERAL "
    "(SELECT u.lexeme, unnest(u.weights) AS weight FROM unnest(d.vector) u) t "
    "WHERE d.kind = 'practice' GROUP BY d.id",
}


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("record_id", stored=True, indexed=True, fast=True)
    # The terms are analysed already: whitespace splits them as the hub's engines do.
    builder.add_text_field("title", tokenizer_name="whitespace")
    builder.add_text_field("body", tokenizer_name="whitespace")
    for name in FACETS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    return builder.build()


class Peer:
    def __init__(self):
        self.path = Path(tempfile.mkdtemp(prefix="search-peer-"))
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(self.path))
        self.themes = dict(Theme.objects.values_list("slug", "pk"))

    def build(self) -> tuple[int, float]:
        """Index every practice document; returns how many and the seconds it took."""
        start = time.perf_counter()
        writer = self.index.writer(heap_size=200_000_000, num_threads=1)
        written = 0
        with connection.cursor() as cursor:
            cursor.execute(_PRACTICES[connection.vendor])
            while rows := cursor.fetchmany(5000):
                for record_id, title, body, country, size, tags in rows:
                    document = tantivy.Document(title=title, body=body)
                    document.add_unsigned("record_id", record_id)
                    if country:
                        document.add_text("country", country.lower())
                    if size:
                        document.add_text("size", size)
                    for tag in (tags or "").split():
                        facet = "sdg" if tag.startswith("sdg") else "theme"
                        document.add_text(facet, tag.removeprefix(facet))
                    writer.add_document(document)
                    written += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        return written, time.perf_counter() - start

    def size(self) -> int:
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def _text(self, text: str) -> tantivy.Query | None:
        groups = query_groups(text)
        if not groups:
            return None
        found = plan(groups)
        parts = []
        for group in found.plain + [group for group, _themes in found.named]:
            forms = [
                tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, "title", f), 5.0)
                for f in group
            ] + [tantivy.Query.term_query(self.schema, "body", f) for f in group]
            themes = next((t for g, t in found.named if g is group), frozenset())
            forms += [
                tantivy.Query.const_score_query(
                    tantivy.Query.term_query(self.schema, "theme", str(theme)), 0.0
                )
                for theme in sorted(themes)
            ]
            parts.append((tantivy.Occur.Must, tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, form) for form in forms]
            )))  # fmt: skip
        return tantivy.Query.boolean_query(parts)

    def _filter(self, name: str, value) -> tantivy.Query:
        if name == "theme":
            value = self.themes.get(value, 0)
        value = str(value).lower()
        return tantivy.Query.term_query(self.schema, name, value)

    def search(self, filters: dict, limit: int = 20) -> tuple[list[int], int, dict]:
        """The first page of record ids, the total, and the counts per value of each filter
        under the other active filters (one aggregation per filter)."""
        text = self._text(filters.get("q", ""))
        if text is None:
            return [], 0, {}
        active = {name: filters[name] for name in FACETS if filters.get(name)}

        def query(skip: str = "") -> tantivy.Query:
            chosen = [(tantivy.Occur.Must, text)]
            chosen += [
                (tantivy.Occur.Must, self._filter(name, value))
                for name, value in active.items()
                if name != skip
            ]
            return tantivy.Query.boolean_query(chosen)

        searcher = self.index.searcher()
        found = searcher.search(query(), limit=limit, count=True)
        ids = [searcher.doc(address)["record_id"][0] for _score, address in found.hits]
        counts = {}
        for name in FACETS:
            aggregated = searcher.aggregate(
                query(name), {name: {"terms": {"field": name, "size": 10_000}}}
            )
            counts[name] = {b["key"]: b["doc_count"] for b in aggregated[name]["buckets"]}
        return ids, found.count, counts
