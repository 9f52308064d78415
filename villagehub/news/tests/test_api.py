import json

import pytest

from villagehub.taxonomy.models import Theme

from .factories import NewsItemFactory, network_with_community

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    network, town = network_with_community()
    NewsItemFactory(
        slug="fibre",
        title="Fibre",
        summary="Connected.",
        body="## Done\n\n<b>x</b>",
        network=network,
        themes=[Theme.objects.get(slug="broadband")],
        countries=["FI", "SE"],
    )
    NewsItemFactory(slug="sauna", title="Sauna", network=None, community=town, language="fi")
    NewsItemFactory(slug="draft", network=network, published_at=None)
    return {"network": network, "town": town}


def test_news_list_and_record(client, items):
    response = client.get("/api/v1/news")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert sorted(r["slug"] for r in body["results"]) == ["fibre", "sauna"]
    fibre = client.get("/api/v1/news/fibre").json()
    assert fibre["body"] == "## Done\n\n<b>x</b>"
    assert fibre["body_html"] == "<h2>Done</h2>\n<p>&lt;b&gt;x&lt;/b&gt;</p>\n"
    assert fibre["network"] == items["network"].slug
    assert fibre["community"] is None
    assert fibre["themes"] == ["broadband"]
    assert fibre["countries"] == ["FI", "SE"]
    assert fibre["url"] == "http://testserver/news/fibre/"


def test_news_filters(client, items):
    assert [r["slug"] for r in client.get("/api/v1/news?theme=broadband").json()["results"]] == [
        "fibre"
    ]
    by_town = client.get(f"/api/v1/news?community={items['town'].slug}").json()
    assert [r["slug"] for r in by_town["results"]] == ["sauna"]


def test_drafts_are_not_in_the_api(client, items):
    response = client.get("/api/v1/news/draft")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_bad_parameters_are_problems_naming_the_field(client, items):
    response = client.get("/api/v1/news?network=no-such&colour=red")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["colour"]
    # A well-formed slug that names no network is a filter that matches nothing (the schema
    # allows it, so a client generated from it may send it).
    response = client.get("/api/v1/news?network=no-such")
    assert response.status_code == 200
    assert (response.json()["count"], response.json()["results"]) == (0, [])
    response = client.get("/api/v1/news?sdg=99")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["sdg"]


def test_conditional_get_answers_304(client, items):
    first = client.get("/api/v1/news")
    again = client.get("/api/v1/news", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_news_bulk_download_leaves_drafts_out(client, items):
    response = client.get("/downloads/news.csv")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == (
        "slug,title,summary,body,language,translations,network,community,themes,goals,"
        "countries,related_practices,related_events,related_communities,published_at,updated_at"
    )
    assert sorted(line.split(",")[0] for line in lines[1:] if line[:1].isalpha()) == [
        "fibre",
        "sauna",
    ]
    data = json.loads(b"".join(client.get("/downloads/news.json").streaming_content))
    assert [d["slug"] for d in data] == ["sauna", "fibre"]
    assert data[1]["countries"] == ["FI", "SE"]


def test_cursor_paging_of_news(client, items):
    first = client.get("/api/v1/news?cursor=&limit=1").json()
    assert [r["slug"] for r in first["results"]] == ["sauna"]
    second = client.get(first["next"]).json()
    assert [r["slug"] for r in second["results"]] == ["fibre"]
