"""PostgreSQL: the long columns of search documents live out of line (TOAST).

The text match reads only the ids of the matching documents, but a GIN index gives row
addresses, so PostgreSQL visits the table page of every match. With the terms and the
vector inline (1.9 KB a row, four rows a page) a common word visited 50,000 pages of an
831 MB table (306 ms, and a sequential scan of 947 ms when the planner gave up on the
index); with them out of line a row is a few hundred bytes. Rows written before this
migration keep their layout until `villagehub reindex` writes them again.
"""

from django.db import migrations

LONG_COLUMNS = ("vector", "text", "title_terms", "body_terms")

FORWARD = [
    "ALTER TABLE search_searchdocument SET (toast_tuple_target = 128)",
    "ALTER TABLE search_searchdocument "
    + ", ".join(f"ALTER COLUMN {column} SET STORAGE EXTERNAL" for column in LONG_COLUMNS),
]
BACKWARD = [
    "ALTER TABLE search_searchdocument RESET (toast_tuple_target)",
    "ALTER TABLE search_searchdocument "
    + ", ".join(f"ALTER COLUMN {column} SET STORAGE EXTENDED" for column in LONG_COLUMNS),
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0006_search_state_epoch")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
