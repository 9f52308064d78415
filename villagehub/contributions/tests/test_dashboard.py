import pytest
from django.contrib.auth import get_user_model

from villagehub.accounts.services import role_grant
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory

pytestmark = pytest.mark.django_db


def test_a_coordinator_is_not_told_to_ask_to_edit_a_community(client):
    network = NetworkFactory()
    CommunityFactory().networks.add(network)
    coordinator = get_user_model().objects.create_user("co", "co@example.org", "x" * 20)
    role_grant(user=coordinator, kind="coordinator", target=network)
    client.force_login(coordinator)
    html = client.get("/contribute/").content.decode()
    assert "you edit no community yourself" in html
    assert "You do not edit a community yet" not in html


def test_a_newcomer_is_told_how_to_become_an_editor(client):
    client.force_login(get_user_model().objects.create_user("p", "p@example.org", "x" * 20))
    html = client.get("/contribute/").content.decode()
    assert "You do not edit a community yet" in html
