import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders

from villagehub.accounts.models import Role
from villagehub.accounts.services import role_grant
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.news.tests.factories import NewsItemFactory
from villagehub.practices.tests.factories import PracticeFactory


@pytest.fixture
def places(db):
    network = NetworkFactory(slug="smart-rural-21", name="Smart Rural 21")
    torup = CommunityFactory(
        slug="torup",
        name="Torup",
        country="DK",
        population=1200,
        latitude=Decimal("55.94"),
        longitude=Decimal("11.95"),
    )
    torup.networks.add(network)
    penela = CommunityFactory(
        slug="penela", name="Penela", country="PT", kind="municipality", population=5500
    )
    PracticeFactory(community=torup, title="Torup Ting")
    return {"torup": torup, "penela": penela, "network": network}


def test_community_list_shows_every_community_with_its_practice_count(client, places):
    response = client.get("/communities/")
    assert response.status_code == 200
    rows = [(c.name, c.practice_count) for c in response.context["page"].object_list]
    assert rows == [("Penela", 0), ("Torup", 1)]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("country=pt", ["Penela"]),
        ("kind=municipality", ["Penela"]),
        ("network=smart-rural-21", ["Torup"]),
        ("size=under-2000", ["Torup"]),
        ("size=5000-50000", ["Penela"]),
        ("q=tor", ["Torup"]),
    ],
)
def test_community_list_filters(client, places, query, names):
    response = client.get(f"/communities/?{query}")
    assert [c.name for c in response.context["page"].object_list] == names


@pytest.mark.parametrize(
    "query", ["country=zz", "kind=castle", "network=nope", "size=huge", "theme=%00", "page=x"]
)
def test_community_list_ignores_malformed_filters_and_says_so(client, places, query):
    response = client.get(f"/communities/?{query}")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2
    if not query.startswith("page"):
        assert len(response.context["problems"]) == 1


def test_community_list_query_count_does_not_grow_with_rows(
    client, places, django_assert_max_num_queries
):
    for n in range(30):
        CommunityFactory(slug=f"extra-{n}", name=f"Extra {n}")
    # One more than the page needs: the table versions that key the page cache; two count
    # the goals and the size bands.
    with django_assert_max_num_queries(9):
        response = client.get("/communities/")
    assert response.status_code == 200


def test_community_list_draws_located_communities_on_the_map(client, places):
    response = client.get("/communities/")
    assert [p["slug"] for p in response.context["map_points"]] == ["torup"]
    assert b"<svg" in response.content
    # Country borders and coastlines under the dots, from a static file (no tile server).
    assert b'<image href="/static/img/europe.svg" width="700" height="380"/>' in response.content


def test_community_detail_shows_profile_and_practices(client, places):
    response = client.get("/communities/torup/")
    assert response.status_code == 200
    assert b"Torup Ting" in response.content
    assert b"Smart Rural 21" in response.content


def test_community_page_shows_the_news_it_published_or_is_named_in(client, places):
    NewsItemFactory(slug="own", title="Torup opens a shop", network=None, community=places["torup"])
    NewsItemFactory(slug="named", title="Fibre reaches Torup").related_communities.add(
        places["torup"]
    )
    NewsItemFactory(slug="other", title="Penela plants trees", network=None,
                    community=places["penela"])  # fmt: skip
    NewsItemFactory(slug="draft", title="Torup draft", network=None, community=places["torup"],
                    published_at=None)  # fmt: skip
    page = client.get("/communities/torup/").content.decode()
    assert re.findall(r'<h3><a href="/news/([\w-]+)/"', page) == ["named", "own"]
    assert '<a href="/news/?community=torup">All news</a>' in page
    page = client.get("/communities/penela/").content.decode()
    assert re.findall(r'<h3><a href="/news/([\w-]+)/"', page) == ["other"]
    places["penela"].news.all().delete()
    assert "Latest news" not in client.get("/communities/penela/").content.decode()


def test_community_detail_of_unknown_slug_is_a_helpful_404(client, places):
    response = client.get("/communities/atlantis/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b'href="/practices/"' in response.content


def test_communities_geojson_follows_rfc_7946(client, places):
    response = client.get("/communities.geojson")
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 1
    feature = data["features"][0]
    assert feature["type"] == "Feature"
    # Longitude first, then latitude (RFC 7946, section 3.1.1).
    assert feature["geometry"] == {"type": "Point", "coordinates": [11.95, 55.94]}
    assert feature["properties"]["name"] == "Torup"
    assert feature["properties"]["url"] == "http://testserver/communities/torup/"


def test_network_page_lists_member_communities(client, places):
    response = client.get("/networks/smart-rural-21/")
    assert response.status_code == 200
    assert [c.name for c in response.context["communities"]] == ["Torup"]


def test_pages_in_other_languages_live_under_a_prefix(client, places):
    response = client.get("/sv/communities/torup/")
    assert response.status_code == 200
    assert b'<html lang="sv">' in response.content


def test_community_page_offers_its_editor_the_edit_links_not_a_request(client, places):
    editor = get_user_model().objects.create_user("ed", "ed@example.org", "x" * 20)
    role_grant(user=editor, kind=Role.Kind.COMMUNITY_EDITOR, target=places["torup"])
    client.force_login(editor)
    html = client.get("/communities/torup/").content.decode()
    assert "You edit this community:" in html
    assert 'href="/contribute/communities/torup/edit/"' in html
    assert "Ask to edit it" not in html
    client.logout()
    assert "Ask to edit it" in client.get("/communities/torup/").content.decode()


def test_the_map_outline_is_europe_in_the_projection_of_the_dots():
    outline = json.loads(Path(finders.find("geo/europe-outline.geojson")).read_text())
    names = {f["properties"]["name"] for f in outline["features"]}
    assert {"Denmark", "France", "Finland", "Portugal", "Latvia", "Slovenia", "Sweden"} <= names
    svg = Path(finders.find("img/europe.svg")).read_text()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 700 380">')
    assert "<title>Slovenia</title>" in svg


@pytest.mark.parametrize("prefix", ["", "/lv", "/sv"])
def test_the_map_places_its_dots_with_decimal_points_in_every_language(client, places, prefix):
    """SVG coordinates are numbers: Latvian and Swedish write decimals with a comma, which
    put every dot in the map's corner."""
    (point,) = client.get(f"{prefix}/communities/").context["map_points"]
    page = client.get(f"{prefix}/communities/").content.decode()
    assert f'<circle cx="{point["x"]}" cy="{point["y"]}" r="6" class="pin">' in page
    assert "." in str(point["x"]) + str(point["y"])


def test_the_communities_table_labels_its_cells_for_narrow_screens(client, places):
    page = client.get("/lv/communities/").content.decode()
    assert '<table class="stack">' in page
    assert '<td data-label="Valsts">Dānija' in page
