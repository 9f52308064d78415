import pytest

from villagehub.catalogue.services import dataset_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def datasets():
    dataset_create(
        title="Broadband coverage",
        description="Households with fibre.",
        data_themes=["TECH"],
        spatial_countries=["FI"],
        distributions=[
            {"title": "CSV", "download_url": "https://example.org/b.csv", "format": "CSV"}
        ],
    )
    dataset_create(
        title="Draft",
        description="Not yet public.",
        is_published=False,
    )


def titles(response):
    assert response.status_code == 200
    return [d.title for d in response.context["page"].object_list]


def test_catalogue_lists_published_datasets_with_the_hub_own(client, datasets):
    listed = titles(client.get("/catalogue/"))

    assert "Broadband coverage" in listed
    assert "Communities" in listed
    assert "Draft" not in listed


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=fibre", ["Broadband coverage"]),
        ("theme=TECH", ["Broadband coverage", "Reference installations", "Solutions"]),
        ("country=fi", ["Broadband coverage"]),
        ("format=GEOJSON", ["Communities"]),
    ],
)
def test_catalogue_filters(client, datasets, query, expected):
    assert titles(client.get(f"/catalogue/?{query}")) == expected


def test_bad_filter_is_reported_not_a_500(client, datasets):
    response = client.get("/catalogue/?theme=NOPE")

    assert response.status_code == 200
    assert response.context["problems"]


def test_dataset_page_in_swedish_shows_the_hub_dataset_translated(client):
    response = client.get("/sv/catalogue/hub-communities/")

    assert response.status_code == 200
    assert '<h1 lang="sv">Lokalsamhällen</h1>' in response.content.decode()


def test_unpublished_dataset_is_not_found(client, datasets):
    assert client.get("/catalogue/draft/").status_code == 404
    assert client.get("/catalogue/draft.ttl").status_code == 404
