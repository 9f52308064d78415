from pathlib import Path

import yaml
from django.db import migrations

VOCABULARY = Path(__file__).resolve().parent.parent / "vocabulary.yaml"


def load(apps, schema_editor):
    Goal = apps.get_model("taxonomy", "Goal")
    Theme = apps.get_model("taxonomy", "Theme")
    FundingSource = apps.get_model("taxonomy", "FundingSource")
    for number in range(1, 18):
        Goal.objects.get_or_create(number=number)
    data = yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))
    for model, key in ((Theme, "themes"), (FundingSource, "funding_sources")):
        for position, entry in enumerate(data[key]):
            entry = dict(entry)
            slug, name = entry.pop("slug"), entry.pop("en")
            translations = {lang: {"name": label} for lang, label in entry.items()}
            model.objects.update_or_create(
                slug=slug,
                defaults={"name": name, "language": "en", "translations": translations,
                          "position": position},
            )


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
