"""Signing in: the back office goes through the hub's login, the second factor counts only
when this session passed it, and repeated wrong passwords lock the account for a while."""

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth.models import Permission

from villagehub.accounts.tests.factories import UserFactory
from villagehub.accounts.tests.helpers import sign_in
from villagehub.events.tests.factories import event_make

pytestmark = pytest.mark.django_db

EMAIL = "officer@example.org"
PASSWORD = "correct horse battery staple"


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


@pytest.fixture
def officer():
    """Staff who manage events in the back office, with an authenticator app set up."""
    user = UserFactory(username="officer", password=PASSWORD, is_staff=True, verified=True)
    user.user_permissions.add(Permission.objects.get(codename="change_event"))
    user.totp_secret = generate_totp_secret()
    TOTP.activate(user, user.totp_secret)
    return user


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def protected_pages():
    event = event_make()
    return [
        "/admin/",
        f"/events/{event.slug}/manage/",
        f"/events/export/registrations.csv?event={event.slug}",
        "/accounts/people/",
    ]


def test_the_back_office_login_sends_people_to_the_hubs_sign_in(client, officer):
    response = client.post(
        "/admin/login/?next=/admin/events/event/", {"username": "officer", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/events/event/"
    assert not signed_in(client)
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/accounts/login/?next=/admin/"


def test_the_back_office_login_refuses_a_next_address_elsewhere(client, officer):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_the_password_alone_asks_for_the_code_and_signs_nobody_in(client, officer):
    response = client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in(client)
    for url in protected_pages():
        assert client.get(url)["Location"].startswith(("/admin/login/", "/accounts/login/")), url


def test_a_session_without_the_second_factor_opens_no_protected_page(client, officer):
    sign_in(client, officer, second_factor=False)
    for url in protected_pages():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(
            ("/admin/login/", "/accounts/2fa/reauthenticate/?next=")
        ), url
    # The back office's login sends such a session to the code, never back in a loop.
    assert client.get("/admin/login/?next=/admin/")["Location"] == (
        "/accounts/2fa/reauthenticate/?next=/admin/"
    )
    response = client.post(
        "/accounts/2fa/reauthenticate/?next=/accounts/people/",
        {"code": totp_code(officer.totp_secret)},
    )
    assert response["Location"] == "/accounts/people/"
    for url in protected_pages():
        assert client.get(url).status_code == 200, url


def test_a_full_sign_in_with_the_code_opens_the_back_office_and_organiser_pages(client, officer):
    response = client.post(
        "/accounts/login/", {"login": EMAIL, "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(officer.totp_secret)})
    assert response["Location"] == "/admin/"
    assert signed_in(client)
    for url in protected_pages():
        assert client.get(url).status_code == 200, url


def test_a_wrong_code_signs_nobody_in(client, officer):
    client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Incorrect code."]
    assert not signed_in(client)


def test_six_wrong_passwords_lock_the_account_even_for_the_right_one(client, officer):
    for _attempt in range(6):
        response = client.post("/accounts/login/", {"login": EMAIL, "password": "wrong-guess"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Too many failed login attempts. Try again later."
    ]
    assert not signed_in(client)
    assert client.get("/accounts/2fa/authenticate/").status_code == 302


def test_the_back_office_refuses_people_who_are_not_staff_without_a_loop(client):
    client.force_login(UserFactory())
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/?next=/admin/").status_code == 403
