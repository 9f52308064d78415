import pytest
from django.core.management import call_command

from villagehub.communities.models import Community

CHANGELISTS = [
    "/admin/communities/community/",
    "/admin/communities/network/",
    "/admin/organisations/organisation/",
    "/admin/countries/factsheet/",
    "/admin/practices/practice/",
    "/admin/taxonomy/theme/",
    "/admin/taxonomy/fundingsource/",
    "/admin/taxonomy/goal/",
    "/admin/catalogue/dataset/",
]


@pytest.fixture
def coordinator(db, client, django_user_model):
    call_command("demo", no_migrate=True)
    user = django_user_model.objects.create_superuser("coordinator", "c@example.org", "pw-12345")
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", CHANGELISTS)
def test_back_office_lists_every_model_with_search(coordinator, url):
    response = coordinator.get(url, {"q": "a"})
    assert response.status_code == 200


def test_back_office_edits_go_through_the_service_validation(coordinator):
    torup = Community.objects.get(slug="torup")
    response = coordinator.post(
        f"/admin/communities/community/{torup.pk}/change/",
        {
            "slug": "torup",
            "name": "Torup",
            "kind": "village",
            "country": "DK",
            "latitude": "55.9",
            "longitude": "",
            "language": "en",
            "translations": "{}",
            "representatives-TOTAL_FORMS": "0",
            "representatives-INITIAL_FORMS": "0",
        },
    )
    # Latitude without longitude is refused by the model validation the services run.
    assert response.status_code == 200
    assert b"Give both latitude and longitude" in response.content
    torup.refresh_from_db()
    assert str(torup.latitude) == "55.94000"


def test_back_office_saves_a_valid_change(coordinator):
    torup = Community.objects.get(slug="torup")
    response = coordinator.post(
        f"/admin/communities/community/{torup.pk}/change/",
        {
            "slug": "torup",
            "name": "Torup",
            "kind": "village",
            "country": "DK",
            "region": "Halsnæs",
            "population": "1200",
            "population_year": "2024",
            "language": "en",
            "translations": "{}",
            "networks": [torup.networks.get().pk],
            "representatives-TOTAL_FORMS": "2",
            "representatives-INITIAL_FORMS": "1",
            "representatives-0-id": torup.representatives.get().pk,
            "representatives-0-community": torup.pk,
            "representatives-0-name": "Peter Plant",
            "representatives-0-role": "Café host",
            "representatives-0-position": "0",
            "representatives-1-community": torup.pk,
            "representatives-1-name": "A second villager",
            "representatives-1-role": "",
            "representatives-1-position": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    torup.refresh_from_db()
    assert (torup.region, torup.population, torup.networks.count()) == ("Halsnæs", 1200, 1)
    assert list(torup.representatives.values_list("name", "role", "position")) == [
        ("Peter Plant", "Café host", 0),
        ("A second villager", "", 1),
    ]
