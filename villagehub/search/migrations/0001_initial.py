"""Search documents and their full-text index, in each database's own engine.

Squashed from 0001_search_document … 0010_searchdocument_kind_news: a database that applied
those is taken as having applied this one, and 0002 brings its tables to this layout.
"""

from django.db import migrations, models

import villagehub.search.models

SQLITE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_terms, body_terms, content='search_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_terms, body_terms)
        VALUES (new.id, new.title_terms, new.body_terms);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms);
        INSERT INTO search_fts(rowid, title_terms, body_terms)
        VALUES (new.id, new.title_terms, new.body_terms);
    END""",
]
# The storage settings below were meant to move the long columns out of line (TOAST) so
# that the text match, which visits the row of every match, reads small rows. PostgreSQL
# only starts toasting a row over about 2 kB, and a document's row is about 1 kB, so in
# practice nothing moves (docs/benchmarks.md); they stay as applied databases have them.
POSTGRESQL = [
    """ALTER TABLE search_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_terms), 'A')
        || setweight(to_tsvector('simple', body_terms), 'B')) STORED""",
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (vector)",
    "ALTER TABLE search_searchdocument SET (toast_tuple_target = 128)",
    "ALTER TABLE search_searchdocument ALTER COLUMN vector SET STORAGE EXTERNAL, "
    "ALTER COLUMN text SET STORAGE EXTERNAL, ALTER COLUMN title_terms SET STORAGE EXTERNAL, "
    "ALTER COLUMN body_terms SET STORAGE EXTERNAL",
]


def full_text_index(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("search", "0001_search_document"),
        ("search", "0002_full_text_index"),
        ("search", "0003_search_document_filters"),
        ("search", "0004_search_filter_terms"),
        ("search", "0005_search_generation"),
        ("search", "0006_search_state_epoch"),
        ("search", "0007_search_document_narrow_heap"),
        ("search", "0008_search_deletion"),
        ("search", "0009_search_practice_vector"),
        ("search", "0010_searchdocument_kind_news"),
    ]

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("practice", "Practices"), ("community", "Communities"), ("organisation", "Organisations"), ("factsheet", "Country factsheets"), ("news", "News")], max_length=16)),
                ("object_id", models.PositiveBigIntegerField()),
                ("language", models.CharField(max_length=8)),
                ("title", models.CharField(max_length=255)),
                ("text", models.TextField(blank=True, help_text="Readable text, for snippets.")),
                ("url", models.CharField(max_length=255)),
                ("country", models.CharField(blank=True, max_length=2)),
                ("size_band", models.CharField(blank=True, max_length=16)),
                ("tags", models.TextField(blank=True, help_text="Themes and goals: 'theme12 sdg9'.")),
                ("title_terms", models.TextField()),
                ("body_terms", models.TextField(blank=True)),
                ("generation", models.BigIntegerField(editable=False, help_text="SearchState.generation of the write that made this version (see search.counts).", null=True)),
            ],
            options={
                "indexes": [models.Index(fields=["generation"], name="search_document_generation")],
                "constraints": [models.UniqueConstraint(fields=("kind", "object_id"), name="search_document_unique")],
            },
        ),
        migrations.CreateModel(
            name="SearchDeletion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("document_id", models.BigIntegerField()),
                ("generation", models.BigIntegerField(db_index=True)),
            ],
        ),
        migrations.CreateModel(
            name="SearchState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("generation", models.BigIntegerField(default=0)),
                ("rebuilt", models.BigIntegerField(default=0)),
                ("epoch", models.BigIntegerField(default=villagehub.search.models._epoch_new)),
            ],
        ),
        migrations.RunPython(full_text_index, migrations.RunPython.noop),
    ]
