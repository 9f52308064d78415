import io

import pytest
from django.core.management import call_command

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.practices.selectors import (
    practice_facets,
    practice_facets_from_records,
    practice_list,
)
from villagehub.practices.tests.factories import PracticeFactory
from villagehub.taxonomy.models import Goal, Theme


@pytest.fixture
def practices(db):
    broadband = Theme.objects.get(slug="broadband")
    canteens = Theme.objects.get(slug="school-canteens")
    goal_9 = Goal.objects.get(number=9)
    raudanmaa = CommunityFactory(slug="raudanmaa", name="Raudanmaa", country="FI", population=900)
    mouans = CommunityFactory(
        slug="mouans-sartoux", name="Mouans-Sartoux", country="FR", population=10000
    )
    fibre = PracticeFactory(
        slug="fibre",
        title="Village fibre",
        community=raudanmaa,
        themes=[broadband],
        goals=[goal_9],
    )
    canteen = PracticeFactory(
        slug="canteens",
        title="Organic canteens",
        community=mouans,
        themes=[canteens],
        language="fr",
        summary="Cantines 100 % bio.",
        translations={"en": {"summary": "100 % organic canteens."}},
    )
    PracticeFactory(slug="hidden", title="Draft", community=mouans, is_published=False)
    return {"fibre": fibre, "canteen": canteen}  # fmt: skip


def _slugs(response):
    return [p.slug for p in response.context["page"].object_list]


def test_practice_list_shows_published_practices_only(client, practices):
    response = client.get("/practices/")
    assert sorted(_slugs(response)) == ["canteens", "fibre"]


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("country=fi", ["fibre"]),
        ("country=FI", ["fibre"]),
        ("theme=school-canteens", ["canteens"]),
        ("sdg=9", ["fibre"]),
        ("size=under-2000", ["fibre"]),
        ("size=5000-50000", ["canteens"]),
        ("q=organic", ["canteens"]),
        ("q=raudanmaa", ["fibre"]),
        ("country=fi&theme=school-canteens", []),
    ],
)
def test_practice_list_filters(client, practices, query, slugs):
    assert _slugs(client.get(f"/practices/?{query}")) == slugs


def test_practice_facets_count_each_value_under_the_other_filters(client, practices):
    facets = client.get("/practices/?country=fi").context["facets"]
    # The country facet ignores the country filter itself, so both countries stay choosable.
    assert [(f["value"], f["count"]) for f in facets["country"]] == [("fi", 1), ("fr", 1)]
    assert [(f["value"], f["count"]) for f in facets["theme"]] == [("broadband", 1)]
    # Goals and size bands are offered whole, each with its count (none too).
    assert [(f["value"], f["count"]) for f in facets["sdg"] if f["count"]] == [(9, 1)]
    assert [f["value"] for f in facets["sdg"]] == list(range(1, 18))
    assert [(f["value"], f["count"]) for f in facets["size"]] == [
        ("under-2000", 1),
        ("2000-5000", 0),
        ("5000-50000", 0),
        ("over-50000", 0),
    ]


@pytest.mark.parametrize("query", ["sdg=abc", "sdg=18", "theme=nope", "country=xx", "size=%FF"])
def test_practice_list_reports_malformed_filters_instead_of_failing(client, practices, query):
    response = client.get(f"/practices/?{query}")
    assert response.status_code == 200
    assert len(response.context["problems"]) == 1
    assert sorted(_slugs(response)) == ["canteens", "fibre"]


def test_practice_list_query_count_does_not_grow_with_rows(
    client, practices, django_assert_max_num_queries
):
    community = CommunityFactory(slug="many", name="Many")
    for n in range(40):
        PracticeFactory(slug=f"p-{n}", community=community, themes=[Theme.objects.first()])
    with django_assert_max_num_queries(10):
        assert client.get("/practices/").status_code == 200


def test_practice_detail_shows_the_translation_when_there_is_one(client, practices):
    response = client.get("/practices/canteens/")
    assert b"100 % organic canteens." in response.content
    assert b'class="note"' not in response.content


def test_practice_detail_falls_back_to_the_original_with_a_note(client, practices):
    response = client.get("/sv/practices/canteens/")
    assert b"Cantines 100 % bio." in response.content
    assert b'lang="fr"' in response.content
    assert b'class="note"' in response.content


def test_unpublished_practices_are_not_found(client, practices):
    assert client.get("/practices/hidden/").status_code == 404


def test_practice_search_puts_the_best_match_first(client, practices):
    older = PracticeFactory(slug="older", title="Broadband cooperative", summary="Fibre.")
    PracticeFactory(slug="newer", title="Newer", summary="A note on broadband, among others.")
    # The title weighs more than the summary, whatever the dates.
    assert _slugs(client.get("/practices/?q=broadband"))[0] == older.slug
    # Other orders stay available.
    assert _slugs(client.get("/practices/?q=broadband&sort=newest"))[0] == "newer"


def test_practice_search_counts_and_pages_from_the_index(client, practices):
    community = CommunityFactory(slug="many", name="Many", country="FI", population=100)
    for n in range(25):
        PracticeFactory(slug=f"p-{n}", title=f"Sauna {n}", community=community)
    response = client.get("/practices/?q=sauna&country=fi&size=under-2000&page=2")
    assert response.context["page"].paginator.count == 25
    assert len(_slugs(response)) == 5
    assert [(f["value"], f["count"]) for f in response.context["facets"]["country"]] == [("fi", 25)]


@pytest.mark.parametrize(
    "filters",
    [
        {"q": "canteens"},
        {"q": "village"},
        {"q": "skolmat", "country": "fr"},
        {"q": "village", "theme": "broadband", "size": "under-2000"},
        {"q": "village", "sdg": 9, "theme": "broadband"},
    ],
)
def test_practice_facets_from_the_index_equal_those_from_the_records(db, filters):
    call_command("demo", no_migrate=True, stdout=io.StringIO())
    facets = practice_facets(filters=filters)
    total = facets.pop("total")
    assert facets == practice_facets_from_records(filters=filters)
    # The newest-first order counts through the records: the same number.
    assert total == practice_list(filters={**filters, "sort": "newest"}).count()
