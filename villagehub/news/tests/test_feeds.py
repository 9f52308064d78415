import re
import xml.etree.ElementTree as ET

import pytest

from villagehub.taxonomy.models import Theme

from .factories import NewsItemFactory, network_with_community

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def items():
    network, _town = network_with_community()
    other, _ = network_with_community()
    NewsItemFactory(
        slug="fibre",
        title="Fibre <for> every farm",
        summary="All farms & fields are connected.",
        network=network,
        themes=[Theme.objects.get(slug="broadband")],
        translations={"sv": {"title": "Fiber till varje gård"}},
    )
    NewsItemFactory(slug="sauna", title="Saunan avautuu", network=other, language="fi")
    NewsItemFactory(slug="draft", network=network, published_at=None)
    return {"network": network, "other": other}


def _entries(response):
    root = ET.fromstring(response.content)  # noqa: S314 - the hub's own feed
    return root, root.findall(f"{ATOM}entry")


def test_feed_lists_published_news_with_plain_text_summaries(client, items):
    response = client.get("/news/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root, entries = _entries(response)
    assert root.find(f"{ATOM}title").text == "News of Village Hub"
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert sorted(titles) == ["Fibre <for> every farm", "Saunan avautuu"]
    fibre = next(e for e in entries if e.find(f"{ATOM}title").text.startswith("Fibre"))
    summary = fibre.find(f"{ATOM}summary")
    assert summary.get("type") == "text"
    assert summary.text == "All farms & fields are connected."
    assert fibre.find(f"{ATOM}link").get("href") == "http://testserver/news/fibre/"


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("theme=broadband", ["Fibre <for> every farm"]),
        ("language=fi", ["Saunan avautuu"]),
        ("language=sv", ["Fiber till varje gård"]),
    ],
)
def test_feed_per_theme_and_language(client, items, query, titles):
    _root, entries = _entries(client.get(f"/news/feed.atom?{query}"))
    assert [e.find(f"{ATOM}title").text for e in entries] == titles


def test_feed_per_network(client, items):
    _root, entries = _entries(client.get(f"/news/feed.atom?network={items['other'].slug}"))
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Saunan avautuu"]


def _announced_feed(page) -> str:
    (href,) = re.findall(
        r'<link rel="alternate" type="application/atom\+xml"[^>]* href="([^"]*)"',
        page.content.decode(),
    )
    return href


def test_a_filtered_list_announces_the_feed_of_the_same_filters(client, items):
    """Feed readers find the network's, theme's or language's feed from the list's page."""
    other = items["other"].slug
    page = client.get(f"/news/?theme=broadband&language=sv&q=fibre&page=1&network={other}")
    assert _announced_feed(page) == (
        f"/news/feed.atom?theme=broadband&amp;language=sv&amp;network={other}"
    )
    _root, entries = _entries(client.get(_announced_feed(client.get("/news/?language=fi"))))
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Saunan avautuu"]


def test_feed_with_a_bad_filter_is_400_naming_the_parameter(client, items):
    response = client.get("/news/feed.atom?network=nope&language=xx")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "network: there is no such network.",
        "language: Select a valid choice. xx is not one of the available choices.",
    ]
