"""A spatial index of the location boxes: SQLite's R*Tree (kept by triggers), or a GiST index
on the box in PostgreSQL (built in, no PostGIS needed). `selectors._located` reads it."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE ngsi_location_rtree USING rtree(id, min_x, max_x, min_y, max_y)",
    "INSERT INTO ngsi_location_rtree SELECT id, min_x, max_x, min_y, max_y"
    " FROM ngsi_entitylocation",
    "CREATE TRIGGER ngsi_location_rtree_insert AFTER INSERT ON ngsi_entitylocation BEGIN"
    " INSERT INTO ngsi_location_rtree VALUES (new.id, new.min_x, new.max_x, new.min_y,"
    " new.max_y); END",
    "CREATE TRIGGER ngsi_location_rtree_update AFTER UPDATE ON ngsi_entitylocation BEGIN"
    " UPDATE ngsi_location_rtree SET min_x = new.min_x, max_x = new.max_x,"
    " min_y = new.min_y, max_y = new.max_y WHERE id = old.id; END",
    "CREATE TRIGGER ngsi_location_rtree_delete AFTER DELETE ON ngsi_entitylocation BEGIN"
    " DELETE FROM ngsi_location_rtree WHERE id = old.id; END",
]
SQLITE_UNDO = [
    "DROP TRIGGER ngsi_location_rtree_insert",
    "DROP TRIGGER ngsi_location_rtree_update",
    "DROP TRIGGER ngsi_location_rtree_delete",
    "DROP TABLE ngsi_location_rtree",
]
POSTGRESQL = [
    "CREATE INDEX ngsi_location_box ON ngsi_entitylocation USING gist"
    " (box(point(min_x, min_y), point(max_x, max_y)))",
]
POSTGRESQL_UNDO = ["DROP INDEX ngsi_location_box"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("ngsi", "0002_entity_value")]

    operations = [
        migrations.RemoveIndex(model_name="entitylocation", name="ngsi_location_x"),
        migrations.RemoveIndex(model_name="entitylocation", name="ngsi_location_y"),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_UNDO, "postgresql": POSTGRESQL_UNDO}),
        )
    ]
