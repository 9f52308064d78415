"""SQLite: the FTS5 table stores no text (`content=''`) and the documents keep their body
terms deflated (`TermsField`); before, the index read them from the documents, where they
were the largest part of the table. SQLite 3.40's contentless FTS5 tables delete a row's
entries only when given its terms, so the triggers read them back from the document with
`search_terms_inflated` (see search/sqlite.py). PostgreSQL: nothing changes.

An existing database: the index is made again from the stored terms, which are then
deflated; no `reindex` is needed. The file keeps the freed pages until a `VACUUM`.
"""

from django.db import migrations

from villagehub.search.models import TermsField, terms_deflated, terms_inflated

SQLITE = [
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TABLE IF EXISTS search_fts",
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_terms, body_terms, content='', tokenize='unicode61 remove_diacritics 2')""",
    """INSERT INTO search_fts(rowid, title_terms, body_terms)
        SELECT id, title_terms, search_terms_inflated(body_terms) FROM search_searchdocument""",
    """UPDATE search_searchdocument SET body_terms = search_terms_deflated(body_terms)
        WHERE typeof(body_terms) = 'text' AND body_terms != ''""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_terms, body_terms)
        VALUES (new.id, new.title_terms, search_terms_inflated(new.body_terms));
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, search_terms_inflated(old.body_terms));
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, search_terms_inflated(old.body_terms));
        INSERT INTO search_fts(rowid, title_terms, body_terms)
        VALUES (new.id, new.title_terms, search_terms_inflated(new.body_terms));
    END""",
]


def contentless_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    sqlite = schema_editor.connection.connection
    # The connection has these from search.apps already; named here for this migration's SQL.
    sqlite.create_function("search_terms_inflated", 1, terms_inflated, deterministic=True)
    sqlite.create_function("search_terms_deflated", 1, terms_deflated, deterministic=True)
    for statement in SQLITE:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_searchdocument_without_text")]
    operations = [
        migrations.SeparateDatabaseAndState(
            # A field of another class: SQLite would copy the table for nothing.
            state_operations=[
                migrations.AlterField(
                    model_name="searchdocument", name="body_terms", field=TermsField(blank=True)
                )
            ],
            database_operations=[migrations.RunPython(contentless_index, migrations.RunPython.noop)],
        )
    ]
