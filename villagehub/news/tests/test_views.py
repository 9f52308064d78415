import pytest
from django.utils import timezone

from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.core.models import PageView
from villagehub.news.models import NewsItem
from villagehub.news.services import news_create
from villagehub.taxonomy.models import Theme

from .factories import NewsItemFactory, network_with_community

pytestmark = pytest.mark.django_db

QUERIES = 4


@pytest.fixture
def world():
    network, town = network_with_community()
    broadband = Theme.objects.get(slug="broadband")
    fibre = NewsItemFactory(
        slug="fibre",
        title="Fibre for every farm",
        summary="All farms are connected.",
        body="## How it was done\n\n<script>alert(1)</script>\n\n- dig\n- connect",
        network=network,
        themes=[broadband],
        language="en",
        translations={"sv": {"title": "Fiber till varje gård", "summary": "Alla gårdar."}},
        countries=["FI"],
    )
    sauna = NewsItemFactory(
        slug="sauna",
        title="Saunan avautuu",
        summary="Kylän sauna on auki.",
        network=None,
        community=town,
        language="fi",
    )
    draft = NewsItemFactory(slug="draft", title="Draft", network=network, published_at=None)
    return {
        "network": network,
        "town": town,
        "fibre": fibre,
        "sauna": sauna,
        "draft": draft,
        "editor": person("editor", community_editor=town),
        "coordinator": person("coordinator", coordinator=network),
    }


def _slugs(response):
    return [item.slug for item in response.context["page"].object_list]


def test_news_list_shows_published_items_only(client, world):
    response = client.get("/news/")
    assert response.status_code == 200
    assert sorted(_slugs(response)) == ["fibre", "sauna"]


def test_news_list_query_count_is_fixed(client, world, django_assert_num_queries):
    for _n in range(5):
        NewsItemFactory(network=world["network"])
    # The count, the page, its themes and the networks of the filter menu.
    with django_assert_num_queries(QUERIES):
        client.get("/news/")


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("theme=broadband", ["fibre"]),
        ("country=fi", ["fibre"]),
        ("language=sv", ["fibre"]),
        ("language=fi", ["sauna"]),
        ("q=farms", ["fibre"]),
        ("q=gård", ["fibre"]),
    ],
)
def test_news_list_filters(client, world, query, slugs):
    assert _slugs(client.get(f"/news/?{query}")) == slugs


def test_news_of_a_network_and_of_a_community(client, world):
    response = client.get(f"/news/?network={world['network'].slug}")
    assert sorted(_slugs(response)) == ["fibre", "sauna"]
    assert f"News of {world['network'].name}" in response.content.decode()
    response = client.get(f"/news/?community={world['town'].slug}")
    assert _slugs(response) == ["sauna"]


def test_a_bad_filter_is_named_and_ignored(client, world):
    response = client.get("/news/?network=no-such-network&language=xx")
    assert response.status_code == 200
    assert sorted(_slugs(response)) == ["fibre", "sauna"]
    assert response.context["problems"] == [
        "The filter “Network” was ignored: there is no such network.",
        "The filter “Language” was ignored: Select a valid choice. xx is not one of the "
        "available choices.",
    ]


def test_detail_renders_markdown_safely_and_in_the_visitors_language(client, world):
    page = client.get("/news/fibre/").content.decode()
    assert "<h2>How it was done</h2>" in page
    assert "<li>dig</li>" in page
    assert "<script>alert(1)</script>" not in page
    swedish = client.get("/sv/news/fibre/").content.decode()
    assert '<h1 lang="sv">Fiber till varje gård</h1>' in swedish
    sauna = client.get("/sv/news/sauna/").content.decode()
    assert '<h1 lang="fi">Saunan avautuu</h1>' in sauna
    assert "Ännu inte översatt till ditt språk: visas på originalspråket (suomi)." in sauna


def test_a_draft_is_hidden_but_its_writers_see_it(client, world):
    assert client.get("/news/draft/").status_code == 404
    sign_in(client, world["editor"])
    assert client.get("/news/draft/").status_code == 404  # another publisher's draft
    sign_in(client, world["coordinator"])
    response = client.get("/news/draft/")
    assert response.status_code == 200
    assert "Draft: not published yet." in response.content.decode()


def test_an_editor_writes_and_a_coordinator_publishes_through_the_pages(client, world):
    sign_in(client, world["editor"])
    response = client.post(
        "/news/write/",
        {
            "publisher": f"community:{world['town'].slug}",
            "title": "Café on Friday",
            "summary": "Join the village café.",
            "body": "Bring **questions**.",
            "language": "en",
            "themes": ["broadband"],
            "countries": ["dk"],
            "related_communities": world["town"].slug,
        },
    )
    assert response.status_code == 302
    item = NewsItem.objects.get(slug="cafe-on-friday")
    assert response["Location"] == "/news/cafe-on-friday/"
    assert item.community == world["town"]
    assert item.published_at is None
    assert [c.code for c in item.countries] == ["DK"]
    assert list(item.related_communities.all()) == [world["town"]]
    assert client.post("/news/cafe-on-friday/publish/").status_code == 404

    sign_in(client, world["coordinator"])
    response = client.post("/news/cafe-on-friday/publish/", {"action": "publish"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.published_at is not None
    assert "cafe-on-friday" in _slugs(client.get("/news/"))


def test_bad_input_names_the_field(client, world):
    sign_in(client, world["editor"])
    response = client.post(
        "/news/write/",
        {
            "publisher": f"network:{world['network'].slug}",
            "title": "",
            "summary": "S",
            "language": "en",
            "related_practices": "no-such-practice",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"publisher", "title", "related_practices"}
    assert errors["related_practices"] == ["Not found: no-such-practice."]
    assert NewsItem.objects.filter(title="").count() == 0


def test_people_without_a_role_are_sent_away_from_writing(client, world):
    sign_in(client, person("visitor"))
    response = client.get("/news/write/")
    assert response.status_code == 302
    assert response["Location"] == "/news/"


def test_views_are_counted_per_day_without_cookies_and_bots_are_not(client, world):
    browser = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}
    for _n in range(3):
        response = client.get("/news/fibre/", headers=browser)
        # Only the language switcher's CSRF cookie, which every page sets.
        assert set(response.cookies) == {"csrftoken"}
    client.get("/news/fibre/", headers={"User-Agent": "Googlebot/2.1"})
    client.get("/news/fibre/", headers={"User-Agent": ""})
    (row,) = PageView.objects.filter(object_id=world["fibre"].pk).values_list("day", "count")
    assert row == (timezone.localdate(), 3)
    assert "3 views" not in client.get("/news/fibre/", headers=browser).content.decode()
    sign_in(client, world["coordinator"])
    assert "5 views" in client.get("/news/fibre/", headers=browser).content.decode()


def test_a_title_that_names_a_page_gets_another_slug(world):
    item = news_create(by=None, title="Write", summary="S", network=world["network"])
    assert item.slug == "write-news"


def test_the_home_page_shows_the_latest_news_and_a_subscribe_link(client, world):
    page = client.get("/").content.decode()
    assert '<a href="/news/fibre/" lang="en">Fibre for every farm</a>' in page
    assert '<a href="/news/subscribe/">Subscribe to the newsletter</a>' in page


def test_news_joins_the_hubs_search(client, world):
    response = client.get("/search/?q=farms")
    assert response.status_code == 200
    (hit,) = response.context["results"]["news"]["hits"]
    assert hit.document.url == "/news/fibre/"
    assert response.context["results"]["news"]["label"] == "News"


def test_back_office_writes_and_publishes_news_through_the_services(client, world, admin_user):
    sign_in(client, admin_user)
    for changelist in ("newsitem", "subscription", "issue"):
        assert client.get(f"/admin/news/{changelist}/", {"q": "farm"}).status_code == 200
    response = client.post(
        "/admin/news/newsitem/add/",
        {
            "slug": "hub-news",
            "title": "Hub news",
            "summary": "From the hub itself.",
            "body": "",
            "language": "en",
            "translations": "{}",
            "source": "",
            "image_alt": "",
            "countries": [],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    item = NewsItem.objects.get(slug="hub-news")
    assert (item.network, item.community, item.published_at) == (None, None, None)
    client.post(
        "/admin/news/newsitem/",
        {"action": "publish", "_selected_action": [item.pk]},
    )
    item.refresh_from_db()
    assert item.published_at is not None
    assert "hub-news" in _slugs(client.get("/news/"))
