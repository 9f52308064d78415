"""The home page and a network's page as a front door: upcoming events, the next café, the
latest news and practices, propose your community, subscribe."""

import pytest

from villagehub.events.models import Event
from villagehub.events.tests.factories import event_make
from villagehub.news.tests.factories import NewsItemFactory, network_with_community
from villagehub.practices.tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    network, town = network_with_community()
    other, other_town = network_with_community()
    cafe = event_make(title="Smart Café in Torup")
    cafe.organiser_networks.add(network)
    workshop = event_make(title="Workshop elsewhere", kind=Event.Kind.WORKSHOP)
    workshop.organiser_networks.add(other)
    NewsItemFactory(title="Fibre for every farm", network=network)
    NewsItemFactory(title="News elsewhere", network=other)
    PracticeFactory(title="Village sauna", community=town)
    PracticeFactory(title="Practice elsewhere", community=other_town)
    return {"network": network, "cafe": cafe}


def test_the_home_page_is_the_front_door(client, world):
    page = client.get("/").content.decode()
    for text in (
        "Smart Café in Torup",
        "Workshop elsewhere",
        "Fibre for every farm",
        "Village sauna",
    ):
        assert text in page
    assert f'<a href="/events/{world["cafe"].slug}/register/">Join the next café</a>' in page
    assert '<a href="/contribute/communities/new/">Propose your community</a>' in page
    assert '<a href="/news/subscribe/">Subscribe to the newsletter</a>' in page


def test_a_networks_page_is_its_own_front_door(client, world):
    slug = world["network"].slug
    page = client.get(f"/networks/{slug}/").content.decode()
    for text in ("Smart Café in Torup", "Fibre for every farm", "Village sauna"):
        assert text in page
    for text in ("Workshop elsewhere", "News elsewhere", "Practice elsewhere"):
        assert text not in page
    assert f'href="/contribute/communities/new/?network={slug}">Propose your community' in page
    assert f'href="/news/subscribe/?networks={slug}">Subscribe to the newsletter' in page
    subscribe = client.get(f"/news/subscribe/?networks={slug}")
    assert subscribe.context["form"].initial["networks"] == [slug]
