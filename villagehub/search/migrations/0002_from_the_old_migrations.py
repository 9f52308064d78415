"""Bring a database migrated with the old migrations (0001_search_document … 0010, replaced
by 0001_initial) to 0001_initial's layout; a database made by 0001_initial has nothing to
change. The filter values were stored three times (columns, `search_searchtag` rows, and
words of a third full-text field, `filter_terms`); now the columns and `tags` hold them once.
`filter_terms` becomes `tags`, rewritten from the `search_searchtag` rows (no reindex needed).
"""

from importlib import import_module

from django.db import migrations

initial = import_module("villagehub.search.migrations.0001_initial")


def _tables(schema_editor) -> set[str]:
    return set(schema_editor.connection.introspection.table_names())


def upgrade(apps, schema_editor):
    if "search_searchtag" not in _tables(schema_editor):
        return
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in ("update", "delete", "insert"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS search_fts_{name}")
        schema_editor.execute("DROP TABLE IF EXISTS search_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_practice_vector")
        schema_editor.execute("ALTER TABLE search_searchdocument DROP COLUMN vector")
    schema_editor.execute("DROP INDEX IF EXISTS search_sear_kind_85c73b_idx")
    schema_editor.execute("ALTER TABLE search_searchdocument RENAME COLUMN filter_terms TO tags")
    aggregate = "string_agg" if vendor == "postgresql" else "group_concat"
    schema_editor.execute(
        f"""UPDATE search_searchdocument SET tags = COALESCE((SELECT {aggregate}(t.facet
        || t.value, ' ') FROM search_searchtag t WHERE t.document_id = search_searchdocument.id),
        '')"""
    )
    schema_editor.execute("DROP TABLE search_searchtag")
    if vendor == "sqlite":
        for statement in initial.SQLITE:
            schema_editor.execute(statement)
        schema_editor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    elif vendor == "postgresql":
        for statement in initial.POSTGRESQL[:2]:
            schema_editor.execute(statement)
        schema_editor.execute(initial.POSTGRESQL[3])


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(upgrade, migrations.RunPython.noop)]
