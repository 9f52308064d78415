import re

import pytest
from django.test import Client

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.practices.services import practice_create, practice_update
from villagehub.practices.tests.factories import PracticeFactory

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture
def listed(db):
    return PracticeFactory(title="Village fibre", community=CommunityFactory(country="FI"))


def test_a_kept_page_is_served_with_one_query(listed, client, django_assert_num_queries):
    first = client.get("/practices/")
    assert "Village fibre" in first.content.decode()
    with django_assert_num_queries(1):  # the table versions
        again = client.get("/practices/")
    assert again.status_code == 200
    assert "Village fibre" in again.content.decode()


def test_a_write_through_any_path_shows_at_once(listed, client):
    client.get("/practices/")
    practice_create(title="Shared school bus", community=listed.community, summary="Bus.")
    assert "Shared school bus" in client.get("/practices/").content.decode()
    practice_update(practice=listed, title="Village fibre cooperative")
    assert "Village fibre cooperative" in client.get("/practices/").content.decode()
    # A raw write that no service saw (an import, the admin's bulk action, SQL) counts too.
    type(listed).objects.filter(pk=listed.pk).update(title="Renamed in bulk")
    assert "Renamed in bulk" in client.get("/practices/").content.decode()


def test_every_address_and_language_has_its_own_page(listed, client):
    assert "Village fibre" in client.get("/practices/?country=fi").content.decode()
    assert "Village fibre" not in client.get("/practices/?country=se").content.decode()
    assert '<html lang="sv">' in client.get("/sv/practices/").content.decode()
    assert '<html lang="en">' in client.get("/practices/").content.decode()


def test_each_visitor_gets_their_own_csrf_token_and_it_works(listed):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    token_first = TOKEN.search(first.get("/practices/").content.decode()).group(1)
    page = second.get("/practices/")  # served from the cache
    token_second = TOKEN.search(page.content.decode()).group(1)
    assert token_first != token_second
    assert "csrftoken" in page.cookies
    changed = second.post(
        "/i18n/setlang/",
        {"language": "sv", "next": "/practices/", "csrfmiddlewaretoken": token_second},
    )
    assert changed.status_code == 302
    assert changed["Location"] == "/sv/practices/"


def test_signed_in_people_never_get_a_kept_page(listed, client, django_user_model):
    client.get("/practices/")
    client.force_login(django_user_model.objects.create_user("ana", "ana@example.org", "x"))
    assert "Sign out" in client.get("/practices/").content.decode()
    client.logout()
    anonymous = Client()
    assert "Sign out" not in anonymous.get("/practices/").content.decode()


def test_the_cache_can_be_turned_off(listed, client, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/practices/")
    with pytest.raises(pytest.fail.Exception), django_assert_max_num_queries(1):
        client.get("/practices/")
