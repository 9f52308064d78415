"""A name that only looks like one already in the hub (a Cyrillic "Т" in "Тorup", an invisible
character in "Tor\u200bup") is refused wherever records are named."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from villagehub.communities.models import Community, Network
from villagehub.communities.services import (
    community_create,
    community_update,
    network_create,
    network_update,
)
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.contributions.models import Submission
from villagehub.organisations.models import Organisation
from villagehub.organisations.services import organisation_create, organisation_update

pytestmark = pytest.mark.django_db

LOOKALIKES = ["Тorup", "Tor\u200bup", "Tor\u202eup", "TORUP", "Ｔｏｒｕｐ", "Torup\u2060"]
LOOKALIKE_MESSAGE = "looks the same as “Torup”, already in the hub"


@pytest.fixture
def proposer(client):
    network = NetworkFactory()
    CommunityFactory(slug="torup", name="Torup", country="DK")
    user = User.objects.create_user("ana", email="ana@example.org", password="x" * 20)
    client.force_login(user)
    return network


def propose(client, network, name, country="DK"):
    return client.post(
        "/contribute/communities/new/",
        {"name": name, "kind": "village", "country": country, "language": "da",
         "description": "En landsby.", "network": network.pk, "submit": "1"},
    )  # fmt: skip


@pytest.mark.parametrize("name", LOOKALIKES)
def test_a_proposed_community_that_looks_like_one_in_the_hub_is_refused(client, proposer, name):
    response = propose(client, proposer, name)

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "Torup is already in the hub: ask to edit it from its page instead."
    ]
    assert not Submission.objects.exists()


def test_the_same_name_in_another_country_may_be_proposed(client, proposer):
    propose(client, proposer, "Torup", country="SE")

    assert Submission.objects.get().data["name"] == "Torup"


@pytest.mark.parametrize("name", LOOKALIKES[:3])
def test_a_community_that_looks_like_one_in_its_country_is_refused(name):
    community_create(name="Torup", kind="village", country="DK")

    with pytest.raises(ValidationError) as error:
        community_create(name=name, kind="village", country="DK")

    assert list(error.value.message_dict) == ["name"]
    assert LOOKALIKE_MESSAGE in error.value.message_dict["name"][0]
    assert Community.objects.count() == 1


def test_villages_may_share_a_name_spelt_the_same_way_and_across_countries():
    community_create(name="Torup", kind="village", country="DK")

    community_create(name="Torup", kind="village", country="DK")
    community_create(name="Тorup", kind="village", country="SE")

    names = sorted(Community.objects.values_list("country", "name"))
    assert names == [("DK", "Torup"), ("DK", "Torup"), ("SE", "Тorup")]


def test_renaming_or_moving_a_community_onto_a_lookalike_is_refused():
    community_create(name="Torup", kind="village", country="DK")
    other = community_create(name="Тorup", kind="village", country="SE")

    with pytest.raises(ValidationError) as error:
        community_update(community=other, country="DK")
    assert LOOKALIKE_MESSAGE in error.value.message_dict["name"][0]

    community_update(community=other, name="Torup Strand", country="DK")
    assert Community.objects.get(pk=other.pk).name == "Torup Strand"


def test_a_record_keeping_its_name_saves_beside_a_lookalike_stored_before():
    torup = community_create(name="Torup", kind="village", country="DK")
    Community.objects.create(slug="cyrillic", name="Тorup", kind="village", country="DK")

    community_update(community=torup, name="Torup", population=300)

    assert Community.objects.get(pk=torup.pk).population == 300


def test_organisations_and_networks_refuse_lookalikes_on_create_and_rename():
    organisation_create(name="Torup", kind="ngo")
    network_create(name="Torup", kind="regional")
    second = organisation_create(name="Lohja", kind="ngo")
    network = network_create(name="Lohja", kind="regional")

    for attempt in (
        lambda: organisation_create(name="Тorup", kind="ngo"),
        lambda: network_create(name="Tor\u200bup", kind="regional"),
        lambda: organisation_update(organisation=second, name="TORUP"),
        lambda: network_update(network=network, name="Тorup"),
    ):
        with pytest.raises(ValidationError) as error:
            attempt()
        assert LOOKALIKE_MESSAGE in error.value.message_dict["name"][0]
    assert sorted(Organisation.objects.values_list("name", flat=True)) == ["Lohja", "Torup"]
    assert sorted(Network.objects.values_list("name", flat=True)) == ["Lohja", "Torup"]


def test_the_back_office_names_the_field(admin_client):
    network_create(name="Torup", kind="regional")

    response = admin_client.post(
        "/admin/communities/network/add/", {"slug": "torup-2", "name": "Тorup", "kind": "regional"}
    )

    assert response.status_code == 200
    assert LOOKALIKE_MESSAGE in str(response.context["adminform"].form.errors["name"])
