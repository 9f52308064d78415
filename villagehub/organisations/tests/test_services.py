import pytest
from django.core.exceptions import ValidationError

from villagehub.core.models import Revision
from villagehub.organisations.models import Organisation
from villagehub.organisations.selectors import organisation_list
from villagehub.organisations.services import (
    organisation_create,
    organisation_update,
    organisation_upsert,
)
from villagehub.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

NGO = Organisation.Kind.NGO


def test_organisation_create_makes_a_slug_from_the_name_and_shows_it_in_its_list():
    made = organisation_create(name="Smart Little Village", kind=NGO, country="SE")
    again = organisation_create(name="Smart Little Village", kind=NGO, country="FI")
    assert (made.slug, again.slug) == ("smart-little-village", "smart-little-village-2")
    assert [o.name for o in organisation_list(filters={"q": "little"})] == [
        "Smart Little Village",
        "Smart Little Village",
    ]


def test_organisation_create_refuses_a_lookalike_of_another_name():
    organisation_create(name="Torup Ting", kind=NGO)
    with pytest.raises(ValidationError) as refused:
        organisation_create(name="\u0422orup Ting", kind=NGO)  # a Cyrillic Т
    assert set(refused.value.message_dict) == {"name"}
    assert Organisation.objects.count() == 1


def test_organisation_create_names_the_invalid_field_and_stores_nothing():
    with pytest.raises(ValidationError) as refused:
        organisation_create(name="Fibre Co", kind="bakery")
    assert set(refused.value.message_dict) == {"kind"}
    assert not Organisation.objects.exists()


def test_organisation_update_may_keep_its_own_name_but_not_take_a_lookalike():
    OrganisationFactory(name="Village Cooperative")
    mine = OrganisationFactory(name="Fibre Co")
    organisation_update(organisation=mine, name="Fibre Co", acronym="FC")
    with pytest.raises(ValidationError):
        organisation_update(organisation=mine, name="Village C\u043eoperative")  # Cyrillic о
    mine.refresh_from_db()
    assert (mine.name, mine.acronym) == ("Fibre Co", "FC")


def test_organisation_upsert_creates_then_updates_and_records_only_the_change():
    made = organisation_upsert(slug="lv-cap-network", name="Latvian CAP network", kind=NGO)
    assert not Revision.objects.exists()
    organisation_upsert(slug="lv-cap-network", name="Latvian Rural Network", kind=NGO)
    stored = Organisation.objects.get()
    assert (stored.pk, stored.name) == (made.pk, "Latvian Rural Network")
    (revision,) = Revision.objects.all()
    assert revision.changes["name"] == ["Latvian CAP network", "Latvian Rural Network"]


def test_organisation_list_filters_by_kind_and_orders_by_name():
    OrganisationFactory(name="B research", kind=Organisation.Kind.RESEARCH)
    OrganisationFactory(name="A research", kind=Organisation.Kind.RESEARCH)
    OrganisationFactory(name="C network", kind=Organisation.Kind.NETWORK_OPERATOR)
    assert [o.name for o in organisation_list(filters={"kind": "research"})] == [
        "A research",
        "B research",
    ]
