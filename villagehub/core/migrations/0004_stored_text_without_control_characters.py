"""Remove the characters XML 1.0 forbids from text stored before the hub refused them.

Every text field (and every string inside a JSON field) of the hub's own models is cleaned;
the search documents are left to `villagehub reindex`, as they are written from the records.
Rows are found in the database (one query per model) and only those rows are rewritten.
The rule is copied here, not imported, so that this migration keeps doing what it did.
"""

import re

from django.db import migrations, models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The ones a database can hold (lone surrogates cannot be stored in UTF-8 text).
STORABLE = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF)]
# The hub's own apps (a migration's models know their app's label only); not `search`.
HUB_APPS = {
    "accounts", "catalogue", "communities", "contributions", "core", "countries", "events",
    "organisations", "practices", "taxonomy",
}


def _clean(value):
    if isinstance(value, str):
        return FORBIDDEN.sub("", value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _matches(field, vendor: str) -> Q:
    characters = [c for c in STORABLE if not (c == "\x00" and vendor == "postgresql")]
    if isinstance(field, models.JSONField):
        # Stored JSON writes a control character as an escape (\u001b): look for both.
        lookup = f"{field.name}_text__contains"
        needles = characters + [f"\\u{ord(c):04x}" for c in characters]
    else:
        lookup = f"{field.name}__contains"
        needles = characters
    condition = Q()
    for needle in needles:
        condition |= Q(**{lookup: needle})
    return condition


def clean_stored_text(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for model in apps.get_models():
        if model._meta.app_label not in HUB_APPS:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not fields:
            continue
        rows = model._base_manager.annotate(
            **{
                f"{f.name}_text": Cast(f.name, TextField())
                for f in fields
                if isinstance(f, models.JSONField)
            }
        )
        condition = Q()
        for field in fields:
            condition |= _matches(field, vendor)
        names = [f.attname for f in fields]
        for row in rows.filter(condition).values("pk", *names).iterator():
            changed = {n: _clean(row[n]) for n in names if _clean(row[n]) != row[n]}
            if changed:
                model._base_manager.filter(pk=row["pk"]).update(**changed)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_table_versions"),
        ("accounts", "0004_followed_themes"),
        ("catalogue", "0003_dataset_publisher_network"),
        ("communities", "0003_community_updated_at_index_for_http_caching"),
        ("contributions", "0001_initial"),
        ("countries", "0001_initial"),
        ("events", "0001_events_registrations_and_feedback"),
        ("organisations", "0002_organisation_logo"),
        ("practices", "0005_published_newest_partial_index"),
        ("taxonomy", "0002_goals_themes_and_funding_sources"),
    ]

    operations = [migrations.RunPython(clean_stored_text, migrations.RunPython.noop)]
