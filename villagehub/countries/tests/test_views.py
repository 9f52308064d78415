import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db):
    call_command("demo", no_migrate=True)


def test_country_list_compares_factsheets_side_by_side(client, demo):
    response = client.get("/countries/")
    assert response.status_code == 200
    assert [f.country.code for f in response.context["factsheets"]] == ["LV"]
    assert b"Specific Smart Villages intervention" in response.content
    assert b"Indirect support, no specific intervention" in response.content


def test_country_page_shows_the_latvian_factsheet(client, demo):
    response = client.get("/countries/lv/")
    assert response.status_code == 200
    factsheet = response.context["factsheet"]
    assert (factsheet.digital_key_feature, factsheet.social_innovation_key_feature) == (
        "no",
        "yes",
    )
    assert factsheet.last_updated.isoformat() == "2024-05-15"
    assert b"Ministry of Agriculture of the Republic of Latvia" in response.content


def test_country_without_factsheet_still_lists_its_communities(client, demo):
    response = client.get("/countries/fi/")
    assert response.status_code == 200
    assert response.context["factsheet"] is None
    assert [c.slug for c in response.context["communities"]] == ["raudanmaa"]


@pytest.mark.parametrize("code", ["xx", "latvia", "1"])
def test_unknown_country_code_is_a_404(client, demo, code):
    assert client.get(f"/countries/{code}/").status_code == 404


def test_country_list_compares_only_the_chosen_countries(client, demo):
    from villagehub.countries.services import factsheet_upsert

    factsheet_upsert(country="se", digital_key_feature="yes")
    factsheet_upsert(country="fi", digital_key_feature="partly")
    response = client.get("/countries/?c=lv&c=se&c=zz")
    assert [f.country.code for f in response.context["factsheets"]] == ["LV", "SE"]
    assert [f.country.code for f in response.context["available"]] == ["FI", "LV", "SE"]
    assert response.context["problems"] == [
        "The filter “Country” was ignored: there is no factsheet for “zz”."
    ]
