import pytest

from villagehub.accounts.tests.factories import person
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.practices.services import practice_create


@pytest.fixture
def world():
    """Two networks, each with a community, an editor and a coordinator."""
    net_a, net_b = NetworkFactory(), NetworkFactory()
    town_a, town_b = CommunityFactory(), CommunityFactory()
    town_a.networks.add(net_a)
    town_b.networks.add(net_b)
    practice_b = practice_create(title="B's practice", summary="Of B.", community=town_b)
    return {
        "town_a": town_a,
        "town_b": town_b,
        "practice_b": practice_b,
        "editor_a": person("editor_a", community_editor=town_a),
        "editor_b": person("editor_b", community_editor=town_b),
        "coordinator_a": person("coordinator_a", coordinator=net_a),
        "participant": person("participant"),
    }
