"""The figures of the values published before `PeerFigures` existed."""

from collections import defaultdict

from django.db import migrations

from villagehub.indicators.selectors import groups_figures


def fill(apps, schema_editor):
    IndicatorValue = apps.get_model("indicators", "IndicatorValue")
    PeerFigures = apps.get_model("indicators", "PeerFigures")
    Community = apps.get_model("communities", "Community")
    memberships = defaultdict(list)
    for community_id, slug in Community.networks.through.objects.values_list(
        "community_id", "network__slug"
    ):
        memberships[community_id].append(slug)
    latest = defaultdict(dict)
    for code, pk, end, value, country, population in IndicatorValue.objects.order_by(
        "period_end", "period_start"
    ).values_list(
        "indicator",
        "community_id",
        "period_end",
        "value",
        "community__country",
        "community__population",
    ):
        latest[(code, end.year)][pk] = (value, country, population)
    for (code, year), values in latest.items():
        PeerFigures.objects.bulk_create(
            PeerFigures(
                indicator=code,
                year=year,
                group=group,
                count=spread.count,
                figures=figures,
                values=sorted_values,
            )
            for group, (spread, figures, sorted_values) in groups_figures(
                values, memberships
            ).items()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0002_peer_figures"),
        ("communities", "0003_community_updated_at_index_for_http_caching"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
