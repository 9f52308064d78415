import csv
import importlib
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.utils import translation

from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.communities.services import community_update
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.indicators import selectors, services
from villagehub.indicators.models import INDICATORS, IndicatorValue, PeerFigures
from villagehub.ngsi.models import Entity

pytestmark = pytest.mark.django_db

WEB = IndicatorValue.Channel.WEB


def publish(community, value, *, year=2024, code="broadband-coverage", source="Statistics"):
    return services.indicator_value_publish(
        community=community,
        indicator=code,
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        value=Decimal(value),
        source=source,
        channel=WEB,
    )


@pytest.fixture
def peers():
    """Seven Danish towns of 5,000–50,000 in one network, and one small Swedish village."""
    network = NetworkFactory(slug="smart-rural", name="Smart Rural")
    towns = []
    for n, value in enumerate(["10", "20", "30", "40", "50", "60", "90"]):
        town = CommunityFactory(slug=f"town-{n}", name=f"Town {n}", country="DK",
                                population=6000 + n)  # fmt: skip
        town.networks.add(network)
        publish(town, value)
        towns.append(town)
    village = CommunityFactory(slug="byn", name="Byn", country="SE", population=800)
    publish(village, "75")
    return {"network": network, "towns": towns, "village": village}


# The curated list.


def test_every_indicator_serves_an_sdg_indicator_and_has_a_unit():
    assert len(INDICATORS) >= 8
    for indicator in INDICATORS.values():
        goal, target, number = indicator.sdg.split(".")
        assert 1 <= int(goal) <= 17 and target and number.isdigit()
        assert str(indicator.unit)
    assert INDICATORS["broadband-coverage"].sdg == "9.c.1"
    assert INDICATORS["renewable-energy-share"].sdg == "7.2.1"


def test_indicator_names_and_units_are_translated_in_every_language():
    from pathlib import Path

    import polib
    from django.conf import settings

    with translation.override("en"):
        texts = {str(i.name) for i in INDICATORS.values()}
        texts |= {str(i.unit) for i in INDICATORS.values() if i.unit != "%"}
    for code, _name in settings.LANGUAGES:
        if code == "en":
            continue
        po = polib.pofile(
            str(Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.po")
        )
        translated = {entry.msgid for entry in po.translated_entries()}
        assert texts - translated == set(), code


# Statistics, against figures computed by hand.


def test_distribution_of_seven_values():
    # Inclusive quartiles of 10..60, 90: positions 1 + 6/4 = 2.5 and 1 + 18/4 = 5.5.
    d = selectors.distribution([Decimal(v) for v in (90, 10, 30, 20, 50, 40, 60)])
    assert (d.count, d.minimum, d.maximum) == (7, 10, 90)
    assert d.lower_quartile == Decimal(25)
    assert d.median == Decimal(40)
    assert d.upper_quartile == Decimal(55)
    assert not d.withheld


def test_distribution_of_six_values_interpolates():
    d = selectors.distribution([Decimal(v) for v in (1, 2, 3, 4, 5, 6)])
    assert d.median == Decimal("3.5")
    assert d.lower_quartile == Decimal("2.25")
    assert d.upper_quartile == Decimal("4.75")


def test_fewer_than_five_values_are_withheld():
    d = selectors.distribution([Decimal(1), Decimal(2), Decimal(3), Decimal(4)])
    assert d.withheld
    assert (d.count, d.median, d.lower_quartile, d.upper_quartile) == (4, None, None, None)
    assert not selectors.distribution([Decimal(v) for v in range(5)]).withheld


def test_rank_counts_from_the_highest_and_ties_share_a_rank():
    values = [Decimal(v) for v in (50, 40, 40, 10)]
    assert [selectors.rank(v, values) for v in values] == [1, 2, 2, 4]


def test_comparison_of_a_community_with_its_peers(peers):
    town = peers["towns"][2]  # 30
    result = selectors.comparison(
        code="broadband-coverage", groups=selectors.groups_of(town), community=town
    )
    assert result.year == 2024
    by_key = {f.group.key: f for f in result.groups}
    assert list(by_key) == ["band:5000-50000", "country:DK", "network:smart-rural", "all"]
    band = by_key["band:5000-50000"]
    assert (band.distribution.count, band.distribution.median) == (7, Decimal(40))
    assert (band.value, band.rank) == (Decimal(30), 5)
    everyone = by_key["all"]
    # The Swedish village's 75 joins: 10 20 30 40 50 60 75 90.
    assert everyone.distribution.count == 8
    assert everyone.distribution.median == Decimal(45)
    assert everyone.rank == 6


def test_a_group_of_fewer_than_five_is_withheld_and_has_no_rank(peers):
    village = peers["village"]
    result = selectors.comparison(
        code="broadband-coverage", groups=selectors.groups_of(village), community=village
    )
    by_key = {f.group.key: f for f in result.groups}
    assert by_key["band:under-2000"].distribution.withheld
    assert by_key["band:under-2000"].rank is None
    assert by_key["country:SE"].distribution.count == 1
    assert by_key["all"].rank == 2


def test_trend_per_year_uses_each_year_of_the_community(peers):
    town = peers["towns"][0]
    publish(town, "15", year=2023)
    result = selectors.comparison(
        code="broadband-coverage", groups=selectors.groups_of(town), community=town
    )
    assert [(year, value) for year, value, _row in result.trend] == [
        (2023, Decimal(15)),
        (2024, Decimal(10)),
    ]
    first_year = result.trend[0][2]
    assert all(f.distribution.withheld for f in first_year)


# Services.


def test_publish_replaces_the_value_of_the_same_period():
    town = CommunityFactory()
    publish(town, "40")
    publish(town, "45", source="Survey 2025")
    row = IndicatorValue.objects.get()
    assert (row.value, row.source) == (Decimal(45), "Survey 2025")


@pytest.mark.parametrize(
    ("code", "value", "field"),
    [
        ("broadband-coverage", "101", "value"),
        ("population", "-1", "value"),
        ("nope", "1", "indicator"),
    ],
)
def test_publish_refuses_values_out_of_range(code, value, field):
    with pytest.raises(ValidationError) as error:
        publish(CommunityFactory(), value, code=code)
    assert field in error.value.message_dict
    assert not IndicatorValue.objects.exists()


def test_publish_writes_the_ngsi_ld_view_with_the_whole_series():
    town = CommunityFactory(slug="torup")
    publish(town, "40", year=2023)
    publish(town, "55.5", year=2024)
    entity = Entity.objects.get(
        entity_id="urn:ngsi-ld:KeyPerformanceIndicator:torup-broadband-coverage"
    )
    assert entity.hub_record
    kpi = next(v for k, v in entity.attrs.items() if k.endswith("/kpiValue"))
    assert [(i.get("datasetId"), i["value"]) for i in kpi] == [
        (None, 55.5),
        ("urn:villagehub:period:2023-01-01/2023-12-31", 40.0),
        ("urn:villagehub:period:2024-01-01/2024-12-31", 55.5),
    ]
    assert kpi[0]["observedAt"] == "2024-12-31T00:00:00Z"
    assert kpi[0]["unitCode"] == "P1"


def test_deleting_the_last_value_removes_the_view():
    town = CommunityFactory(slug="torup")
    first, second = publish(town, "40", year=2023), publish(town, "50", year=2024)
    services.indicator_value_delete(value=second)
    assert Entity.objects.filter(entity_id__endswith="torup-broadband-coverage").count() == 1
    services.indicator_value_delete(value=first)
    assert not Entity.objects.filter(entity_id__endswith="torup-broadband-coverage").exists()


def test_hub_sync_keeps_the_views_and_restores_a_missing_one():
    from villagehub.ngsi.services import hub_records_sync

    town = CommunityFactory(slug="torup")
    publish(town, "40")
    Entity.objects.filter(entity_id__endswith="torup-broadband-coverage").delete()
    hub_records_sync()
    assert Entity.objects.filter(entity_id__endswith="torup-broadband-coverage").exists()
    hub_records_sync()
    assert Entity.objects.filter(entity_id__endswith="torup-broadband-coverage").count() == 1


# The web form and its permissions.


FORM = {"indicator": "broadband-coverage", "year": "2024", "value": "62.5", "source": "DST"}


def test_an_editor_publishes_a_year(client):
    town = CommunityFactory(slug="torup")
    sign_in(client, person("editor", community_editor=town))
    response = client.post("/communities/torup/indicators/", FORM)
    assert response.status_code == 302
    row = IndicatorValue.objects.get()
    assert (row.period_start, row.period_end, row.value, row.channel) == (
        date(2024, 1, 1),
        date(2024, 12, 31),
        Decimal("62.5"),
        "web",
    )


def test_an_editor_publishes_a_date_range(client):
    town = CommunityFactory(slug="torup")
    sign_in(client, person("editor", community_editor=town))
    data = {**FORM, "year": "", "period_start": "2024-07-01", "period_end": "2025-06-30"}
    assert client.post("/communities/torup/indicators/", data).status_code == 302
    row = IndicatorValue.objects.get()
    assert (row.period_start, row.period_end) == (date(2024, 7, 1), date(2025, 6, 30))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"year": ""}, "year", "Give the year, or both dates of the period."),
        ({"period_start": "2024-01-01", "period_end": "2024-02-01"}, "year", "not both"),
        (
            {"year": "", "period_start": "2024-05-01", "period_end": "2024-01-01"},
            "period_end",
            "end after",
        ),
        ({"value": "120"}, "value", "between 0 and 100"),
        ({"source": ""}, "source", "required"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_kept(client, change, field, message):
    town = CommunityFactory(slug="torup")
    sign_in(client, person("editor", community_editor=town))
    response = client.post("/communities/torup/indicators/", {**FORM, **change})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert 'value="DST"' in response.content.decode() or change.get("source") == ""
    assert not IndicatorValue.objects.exists()


def test_an_editor_of_another_community_cannot_publish_or_delete(client):
    town, other = CommunityFactory(slug="torup"), CommunityFactory(slug="other")
    value = publish(town, "40")
    sign_in(client, person("editor", community_editor=other))
    assert client.post("/communities/torup/indicators/", FORM).status_code == 404
    assert client.get("/communities/torup/indicators/").status_code == 404
    assert client.post(f"/communities/torup/indicators/{value.pk}/delete/").status_code == 404
    assert client.post(f"/communities/other/indicators/{value.pk}/delete/").status_code == 404
    assert IndicatorValue.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client):
    CommunityFactory(slug="torup")
    response = client.post("/communities/torup/indicators/", FORM)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_editor_deletes_a_value(client):
    town = CommunityFactory(slug="torup")
    value = publish(town, "40")
    sign_in(client, person("editor", community_editor=town))
    assert client.post(f"/communities/torup/indicators/{value.pk}/delete/").status_code == 302
    assert not IndicatorValue.objects.exists()


# Pages.


def test_the_list_shows_each_indicator_with_its_median(client, peers, django_assert_num_queries):
    publish(peers["village"], "1200", code="population", year=2023)
    # The kept figures of all communities, whatever the number of indicators and values.
    with django_assert_num_queries(1):
        response = client.get("/indicators/")
    assert response.status_code == 200
    row = next(r for r in response.context["overview"] if r[0].code == "broadband-coverage")
    assert (row[1], row[2], row[3].median) == (8, 2024, Decimal(45))
    population = next(r for r in response.context["overview"] if r[0].code == "population")
    assert (population[1], population[2], population[3].withheld) == (1, 2023, True)
    internet = next(r for r in response.context["overview"] if r[0].code == "internet-users")
    assert internet[1:] == (0, None, None)
    assert "9.c.1" in response.content.decode()


def test_the_indicator_page_compares_a_community(client, peers):
    response = client.get("/indicators/broadband-coverage/", {"community": "town-2"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert "5 of 7" in page
    assert len(page.encode()) < 60_000


def test_the_indicator_page_reads_the_kept_figures(client, peers, django_assert_num_queries):
    # The community, its networks, the figures of its groups, its own values.
    with django_assert_num_queries(4):
        response = client.get("/indicators/broadband-coverage/", {"community": "town-2"})
    assert response.context["comparison"].groups[0].rank == 5
    with django_assert_num_queries(1):
        assert client.get("/indicators/broadband-coverage/").status_code == 200


def test_the_community_page_reads_three_queries_for_its_indicators(
    peers, django_assert_num_queries
):
    town = peers["towns"][2]
    for n, code in enumerate(["population", "waste-recycled", "internet-users"]):
        publish(town, str(10 + n), code=code, year=2023)
    # Its values, its networks and the kept figures, for four indicators as for one.
    with django_assert_num_queries(3):
        rows = selectors.community_indicators(community=town)
    assert [indicator.code for indicator, *_rest in rows] == [
        "broadband-coverage",
        "population",
        "internet-users",
        "waste-recycled",
    ]


def _figures(community=None, **kwargs):
    groups = selectors.groups_of(community) if community else selectors.groups_by_size()
    result = selectors.comparison(code="broadband-coverage", groups=groups,
                                  community=community, **kwargs)  # fmt: skip
    return {
        figures.group.key: (figures.distribution.count, figures.distribution.median, figures.rank)
        for figures in result.groups
    }


def test_the_figures_follow_a_new_value_a_replaced_one_and_a_deleted_one(peers):
    town = peers["towns"][0]
    assert _figures(town)["network:smart-rural"] == (7, Decimal(40), 7)
    newcomer = CommunityFactory(slug="town-new", country="DK", population=7000)
    newcomer.networks.add(peers["network"])
    value = publish(newcomer, "100")
    assert _figures(town)["network:smart-rural"] == (8, Decimal(45), 8)
    assert _figures(newcomer)["network:smart-rural"] == (8, Decimal(45), 1)
    assert _figures()["all"] == (9, Decimal(50), None)
    publish(town, "95")  # replaces its 10
    assert _figures(town)["network:smart-rural"] == (8, Decimal("55"), 2)
    services.indicator_value_delete(value=value)
    assert _figures(town)["network:smart-rural"] == (7, Decimal(50), 1)


def test_the_figures_follow_a_community_that_changes_band_and_network(peers):
    village = peers["village"]
    assert _figures(village)["band:under-2000"] == (1, None, None)
    community_update(community=village, population=9000, networks=[peers["network"]])
    assert _figures(village) == {
        "band:5000-50000": (8, Decimal(45), 2),
        "country:SE": (1, None, None),
        "network:smart-rural": (8, Decimal(45), 2),
        "all": (8, Decimal(45), 2),
    }
    assert _figures()["band:under-2000"] == (0, None, None)


def test_the_trend_chart_draws_the_medians_and_the_communitys_values(client, peers):
    assert client.get("/indicators/broadband-coverage/").context["trend"] is None
    for n, town in enumerate(peers["towns"]):
        publish(town, str(5 + n), year=2023)
    response = client.get("/indicators/broadband-coverage/", {"community": "town-2"})
    trend = response.context["trend"]
    labels = [line.label for line in trend.lines]
    assert labels == [
        "Town 2",
        "5,000–50,000 inhabitants",
        "Denmark",
        "Smart Rural",
        "All communities",
    ]
    # 2023: 5..11, Town 2 has 7; 2024: Town 2 has 30, the band's median is 40.
    own, band = trend.lines[0], trend.lines[1]
    assert [year for _x, year in trend.years] == [2023, 2024]
    assert len(own.dots) == 2 and len(band.dots) == 2
    assert own.dots[0][1] > own.dots[1][1]  # 7 is drawn lower than 30
    assert band.dots[1][1] < own.dots[1][1]  # the median 40 above Town 2's 30
    assert response.content.decode().count("<polyline") == 5


def test_the_indicator_page_says_when_peers_are_too_few(client, peers):
    response = client.get("/indicators/broadband-coverage/", {"community": "byn"})
    assert "Fewer than 5 communities published a value" in response.content.decode()


def test_an_indicator_nobody_published_shows_how_to_publish(client):
    response = client.get("/indicators/internet-users/")
    assert response.status_code == 200
    assert "No community has published this indicator yet." in response.content.decode()


def test_unknown_indicator_and_community_are_404(client):
    assert client.get("/indicators/nope/").status_code == 404
    assert client.get("/indicators/population/", {"community": "nowhere"}).status_code == 404


def test_the_community_page_shows_its_indicators_against_its_peers(client, peers):
    response = client.get("/communities/town-2/")
    page = response.content.decode()
    assert "rank 5 of 7" in page
    assert "Smart Rural" in page


def test_the_community_page_without_values_invites_its_editor(client):
    town = CommunityFactory(slug="torup")
    assert "has not published indicators yet" in client.get("/communities/torup/").content.decode()
    sign_in(client, person("editor", community_editor=town))
    assert "/communities/torup/indicators/" in client.get("/communities/torup/").content.decode()


# Downloads.


def test_figures_download_csv_and_json_agree(client, peers):
    csv_response = client.get("/indicators/broadband-coverage/figures.csv", {"community": "town-2"})
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    band = next(r for r in rows if r["group"] == "band:5000-50000")
    assert (band["communities"], band["median"], band["lower_quartile"], band["rank"]) == (
        "7",
        "40",
        "25",
        "5",
    )
    data = json.loads(
        b"".join(
            client.get(
                "/indicators/broadband-coverage/figures.json", {"community": "town-2"}
            ).streaming_content
        )
    )
    assert [r["group"] for r in data] == [r["group"] for r in rows]
    se = next(r for r in data if r["group"] == "country:DK")
    assert se["median"] == "40" and se["rank"] == 5


def test_values_download_lists_every_value(client, peers):
    response = client.get("/indicators/broadband-coverage/values.json")
    data = json.loads(b"".join(response.streaming_content))
    assert len(data) == 8
    assert data[0] == {
        "community": "byn", "community_name": "Byn", "country": "SE",
        "indicator": "broadband-coverage",
        "indicator_name": "Broadband coverage (households reached by 100 Mbit/s or more)",
        "unit": "%", "sdg_indicator": "9.c.1", "period_start": "2024-01-01",
        "period_end": "2024-12-31", "value": "75", "source": "Statistics",
    }  # fmt: skip
    bulk = client.get("/downloads/indicators.csv")
    assert b"".join(bulk.streaming_content).decode().count("\n") == 9


def test_generate_makes_indicator_series_that_compare(db):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("generate", communities=60, seed=4, no_progress=True, stdout=out)
    assert "indicator values" in out.getvalue()
    rows = IndicatorValue.objects.filter(indicator="broadband-coverage")
    years = sorted(set(rows.values_list("period_end__year", flat=True)))
    assert years == [2020, 2021, 2022, 2023, 2024]
    assert 20 < rows.filter(period_end__year=2024).count() < 60
    assert all(0 <= v <= 100 for v in rows.values_list("value", flat=True))
    result = selectors.comparison(code="broadband-coverage", groups=selectors.groups_by_size())
    assert result.year == 2024
    assert not result.groups[0].distribution.withheld


def test_the_migration_fills_the_figures_of_values_published_before(peers):
    kept = {row.group: (row.count, row.figures) for row in PeerFigures.objects.all()}
    PeerFigures.objects.all().delete()
    fill = importlib.import_module("villagehub.indicators.migrations.0003_peer_figures_fill").fill
    fill(django_apps, None)
    assert {row.group: (row.count, row.figures) for row in PeerFigures.objects.all()} == kept
    assert kept["network:smart-rural"] == (7, {"minimum": "10.0000", "lower_quartile": "25.0000",
                                               "median": "40.0000", "upper_quartile": "55.0000",
                                               "maximum": "90.0000"})  # fmt: skip
