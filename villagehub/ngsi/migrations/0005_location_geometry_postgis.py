"""Each location row keeps its geometry (WKB, as shapely reads it); where the PostgreSQL server
offers PostGIS, the extension is created and the geometry becomes a PostGIS column with a
GiST index, on which `postgis.py` answers geo-queries. Without PostGIS (SQLite, or a server
without the extension) nothing more happens, and the boxes of migration 0003 serve."""

import shapely
from django.db import migrations, models, transaction
from django.db.utils import DatabaseError
from shapely.errors import GEOSException
from shapely.geometry import shape

POSTGIS = [
    # STORED: computed once when the row is written, so that COPY and INSERT, which do not
    # know the column, fill it too.
    "ALTER TABLE ngsi_entitylocation ADD COLUMN shape geometry"
    " GENERATED ALWAYS AS (ST_GeomFromWKB(wkb, 4326)) STORED",
    "CREATE INDEX ngsi_location_shape ON ngsi_entitylocation USING gist (shape)",
]
POSTGIS_UNDO = [
    "DROP INDEX IF EXISTS ngsi_location_shape",
    "ALTER TABLE ngsi_entitylocation DROP COLUMN IF EXISTS shape",
]


def geometries_fill(apps, schema_editor):
    """The geometry of every location row written before this migration: each entity's rows
    made again from its GeoProperties, as the services make them."""
    entity_model = apps.get_model("ngsi", "Entity")
    location_model = apps.get_model("ngsi", "EntityLocation")
    located = location_model.objects.values("entity_id").distinct()
    for entity in entity_model.objects.filter(pk__in=located).iterator(chunk_size=500):
        rows = []
        for key, instances in entity.attrs.items():
            for instance in instances:
                if instance.get("type") != "GeoProperty":
                    continue
                try:
                    geometry = shape(instance.get("value"))
                except (GEOSException, ValueError, TypeError, KeyError, IndexError, AttributeError):
                    continue
                if geometry.is_empty:
                    continue
                min_x, min_y, max_x, max_y = geometry.bounds
                rows.append(
                    location_model(
                        entity_id=entity.pk,
                        tenant=entity.tenant,
                        attribute=key,
                        min_x=min_x,
                        min_y=min_y,
                        max_x=max_x,
                        max_y=max_y,
                        wkb=shapely.to_wkb(geometry),
                    )
                )
        location_model.objects.filter(entity_id=entity.pk).delete()
        location_model.objects.bulk_create(rows)


def postgis_add(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
        if cursor.fetchone() is None:
            return
        try:
            # A savepoint: a role that may not create the extension leaves the box index
            # in use instead of failing the migration.
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except DatabaseError:
            return
        for sql in POSTGIS:
            cursor.execute(sql)


def postgis_remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in POSTGIS_UNDO:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("ngsi", "0004_subscription_time_interval")]

    operations = [
        migrations.AddField(
            model_name="entitylocation",
            name="wkb",
            field=models.BinaryField(editable=False, null=True),
        ),
        # The column before the rows: PostgreSQL alters no table with the rows' foreign key
        # checks still pending in the transaction.
        migrations.RunPython(postgis_add, postgis_remove),
        migrations.RunPython(geometries_fill, migrations.RunPython.noop),
    ]
