"""PostgreSQL keeps a document's terms once, as its vector: a trigger makes the tsvector from
the terms a write gives and stores them empty (the generated column of 0001 kept both).
The vectors of existing documents are made here from their stored terms.
"""

from django.db import migrations

# The storage settings of 0001 are dropped: rows of about 1 kB are never moved out of line.
POSTGRESQL = [
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN vector",
    "ALTER TABLE search_searchdocument RESET (toast_tuple_target)",
    "ALTER TABLE search_searchdocument ALTER COLUMN text SET STORAGE EXTENDED, "
    "ALTER COLUMN title_terms SET STORAGE EXTENDED, "
    "ALTER COLUMN body_terms SET STORAGE EXTENDED, ADD COLUMN vector tsvector",
    """CREATE FUNCTION search_document_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.vector := setweight(to_tsvector('simple', NEW.title_terms), 'A')
            || setweight(to_tsvector('simple', NEW.body_terms), 'B');
        NEW.title_terms := '';
        NEW.body_terms := '';
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER search_document_vector BEFORE INSERT OR UPDATE OF title_terms, body_terms
    ON search_searchdocument FOR EACH ROW EXECUTE FUNCTION search_document_vector()""",
    "UPDATE search_searchdocument SET title_terms = title_terms",
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (vector)",
]


def vector_by_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_from_the_old_migrations")]
    operations = [migrations.RunPython(vector_by_trigger, migrations.RunPython.noop)]
