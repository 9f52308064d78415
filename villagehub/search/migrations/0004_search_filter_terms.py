"""Filter values in the full-text index, so that text and filters are one index lookup.

The full-text index gets a third column, `filter_terms` (`kindpractice countryse
sizeunder2000 theme12 sdg9`), that text queries never search (they name their columns) and
that scores nothing: SQLite's FTS5 table is made again with it, PostgreSQL's generated
vector gives it weight D, which the ranking weighs 0.
"""

from importlib import import_module

from django.db import migrations, models

before = import_module("villagehub.search.migrations.0002_full_text_index")

SQLITE = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_terms, body_terms, filter_terms,
        content='search_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_terms, body_terms, filter_terms)
        VALUES (new.id, new.title_terms, new.body_terms, new.filter_terms);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms, filter_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms, old.filter_terms);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms, filter_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms, old.filter_terms);
        INSERT INTO search_fts(rowid, title_terms, body_terms, filter_terms)
        VALUES (new.id, new.title_terms, new.body_terms, new.filter_terms);
    END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
POSTGRESQL = [
    "ALTER TABLE search_searchdocument DROP COLUMN vector",
    """ALTER TABLE search_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_terms), 'A')
        || setweight(to_tsvector('simple', body_terms), 'B')
        || setweight(to_tsvector('simple', filter_terms), 'D')) STORED""",
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (vector)",
]

SIZE_BAND_TERMS = """CASE size_band WHEN '' THEN '' ELSE ' size' || REPLACE(size_band, '-', '') END"""


def full_text_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(vendor, [])
    # The index goes first, so that filling the new field does not update it row by row.
    drop = {"sqlite": 4, "postgresql": 1}.get(vendor, 0)
    for statement in statements[:drop]:
        schema_editor.execute(statement)
    if vendor == "postgresql":
        aggregate = "string_agg(t.facet || t.value::text, ' ')"
    else:
        aggregate = "group_concat(t.facet || t.value, ' ')"
    schema_editor.execute(
        f"""UPDATE search_searchdocument SET filter_terms = 'kind' || kind
        || CASE country WHEN '' THEN '' ELSE ' country' || LOWER(country) END
        || {SIZE_BAND_TERMS}
        || COALESCE((SELECT ' ' || {aggregate} FROM search_searchtag t
            WHERE t.document_id = search_searchdocument.id), '')"""
    )
    for statement in statements[drop:]:
        schema_editor.execute(statement)


def full_text_index_reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchdocument DROP COLUMN vector")
        statements = before.POSTGRESQL
    else:
        statements = [*SQLITE[:4], *before.SQLITE, SQLITE[-1]]
    for statement in statements if vendor in ("sqlite", "postgresql") else []:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_search_document_filters")]
    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="filter_terms",
            field=models.TextField(
                blank=True, help_text="The filter values as indexed words (see search.backends)."
            ),
        ),
        migrations.RunPython(full_text_index, full_text_index_reverse),
    ]
