from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from villagehub.communities.models import Community, Representative
from villagehub.communities.services import community_create, community_update, community_upsert
from villagehub.taxonomy.models import Theme


def test_community_create_saves_fields_relations_and_representatives(db):
    broadband = Theme.objects.get(slug="broadband")
    community = community_create(
        name="Raudanmaa",
        kind=Community.Kind.VILLAGE,
        country="FI",
        themes=[broadband],
        representatives=[{"name": "Heini Niklas-Salminen", "role": "Café host"}],
    )
    community.refresh_from_db()
    assert community.slug == "raudanmaa"
    assert list(community.themes.values_list("slug", flat=True)) == ["broadband"]
    assert list(community.representatives.values_list("name", "role")) == [
        ("Heini Niklas-Salminen", "Café host")
    ]


def test_community_create_makes_slugs_unique(db):
    first = community_create(name="Torup", kind=Community.Kind.VILLAGE, country="DK")
    second = community_create(name="Torup", kind=Community.Kind.VILLAGE, country="SE")
    assert (first.slug, second.slug) == ("torup", "torup-2")


def test_community_create_folds_accents_in_slugs(db):
    community = community_create(name="Jožef Škofja Loka", kind="town", country="SI")
    assert community.slug == "jozef-skofja-loka"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"latitude": Decimal("55.9")}, "longitude"),
        ({"country": "XX"}, "country"),
        ({"kind": "castle"}, "kind"),
        ({"population": -5}, "population"),
        ({"population_year": 2020}, "population_year"),
        ({"latitude": Decimal("91"), "longitude": Decimal("0")}, "latitude"),
        ({"website": "not a url"}, "website"),
    ],
)
def test_community_create_rejects_invalid_fields_by_name(db, fields, field):
    base = {"name": "Torup", "kind": Community.Kind.VILLAGE, "country": "DK"}
    with pytest.raises(ValidationError) as error:
        community_create(**{**base, **fields})
    assert field in error.value.message_dict
    assert not Community.objects.exists()


def test_community_update_replaces_representatives(db):
    community = community_create(
        name="Torup",
        kind="village",
        country="DK",
        representatives=[{"name": "A", "role": "x"}, {"name": "B", "role": "y"}],
    )
    community_update(community=community, representatives=[{"name": "B", "role": "host"}])
    assert list(Representative.objects.values_list("name", "role")) == [("B", "host")]


def test_community_update_refuses_duplicate_representatives(db):
    community = community_create(name="Torup", kind="village", country="DK")
    with pytest.raises(ValidationError) as error:
        community_update(community=community, representatives=[{"name": "A"}, {"name": "A"}])
    assert "representatives" in error.value.message_dict


def test_community_upsert_updates_in_place(db):
    community_upsert(slug="torup", name="Torup", kind="village", country="DK")
    community_upsert(slug="torup", name="Torup", kind="village", country="DK", region="Halsnæs")
    assert list(Community.objects.values_list("slug", "region")) == [("torup", "Halsnæs")]


@pytest.mark.parametrize(
    ("population", "band"),
    [(1999, "under-2000"), (2000, "2000-5000"), (4999, "2000-5000"), (5000, "5000-50000"),
     (50000, "5000-50000"), (50001, "over-50000"), (None, None)],
)  # fmt: skip
def test_size_bands_include_their_bounds(population, band):
    assert Community(population=population).size_band == band
