"""Every temporal instance gets a UUID, its instanceId: the database makes one for each
existing row while it adds the column, and for each new row from then on."""

from django.db import migrations, models

import villagehub.ngsi.models

UNIQUE = models.UniqueConstraint(fields=["instance_uuid"], name="ngsi_instance_uuid_unique")


def unique_index_add(apps, schema_editor):
    """The constraint as a unique index built after the rows are in: SQLite would otherwise
    copy the whole table once more and fill the index row by row (docs/benchmarks.md). A
    unique index is what SQLite makes of the constraint anyway."""
    model = apps.get_model("ngsi", "AttributeInstance")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE UNIQUE INDEX {UNIQUE.name} ON {model._meta.db_table} (instance_uuid)"
        )
    else:
        schema_editor.add_constraint(model, UNIQUE)


def unique_index_remove(apps, schema_editor):
    model = apps.get_model("ngsi", "AttributeInstance")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX {UNIQUE.name}")
    else:
        schema_editor.remove_constraint(model, UNIQUE)


class Migration(migrations.Migration):

    dependencies = [
        ("ngsi", "0006_jsonldcontext_implicitly_created_and_hits"),
    ]

    operations = [
        migrations.AddField(
            model_name="attributeinstance",
            name="instance_uuid",
            field=models.UUIDField(
                db_default=villagehub.ngsi.models.Uuid7(), editable=False
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(model_name="attributeinstance", constraint=UNIQUE)
            ],
            database_operations=[migrations.RunPython(unique_index_add, unique_index_remove)],
        ),
    ]
