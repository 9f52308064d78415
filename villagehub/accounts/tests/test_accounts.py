import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import IntegrityError

from villagehub.accounts.models import Role
from villagehub.accounts.selectors import networks_coordinated
from villagehub.accounts.services import account_language_set, role_grant, role_revoke
from villagehub.accounts.tests.factories import UserFactory
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long village password 42"


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_sign_up_verifies_the_email_address_then_signs_in(client):
    refused = client.post(
        "/accounts/signup/",
        {"email": "aino@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert "Please accept the privacy notice to create an account." in refused.content.decode()
    response = client.post(
        "/accounts/signup/",
        {
            "email": "aino@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "privacy_consent": "on",
        },
    )
    assert response.status_code == 302
    (consent,) = User.objects.get(email="aino@example.org").consents.all()
    assert consent.notice_version == "2026-11-23"
    (message,) = mail.outbox
    assert message.to == ["aino@example.org"]
    assert message.body.startswith("Hello from Village Hub!")
    assert "Thank you for using Village Hub!\nhub.example.org" in message.body
    # Not signed in until the address is confirmed.
    assert "_auth_user_id" not in client.session
    confirm = link_in(message).split("testserver", 1)[-1]
    client.post(confirm)
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="aino@example.org").pk


def test_sign_in_with_email_and_sign_out(client):
    user = UserFactory(username="aino", password=PASSWORD, verified=True)
    client.post("/accounts/login/", {"login": "aino@example.org", "password": PASSWORD})
    assert int(client.session["_auth_user_id"]) == user.pk
    assert "Your account" in client.get("/").content.decode()
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory(username="aino", password=PASSWORD, verified=True)
    client.post("/accounts/password/reset/", {"email": "aino@example.org"})
    (message,) = mail.outbox
    reset = link_in(message).split("testserver", 1)[-1]
    form_page = client.get(reset, follow=True)
    new = "another long village password 7"
    client.post(form_page.redirect_chain[-1][0], {"password1": new, "password2": new})
    user.refresh_from_db()
    assert user.check_password(new)


def test_repeated_failed_sign_ins_are_refused_with_a_clear_message(client):
    UserFactory(username="aino", password=PASSWORD, verified=True)
    for _ in range(5):
        client.post("/accounts/login/", {"login": "aino@example.org", "password": "wrong"})
    blocked = client.post("/accounts/login/", {"login": "aino@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in blocked.content.decode()


@pytest.mark.parametrize(
    ("prefix", "text"),
    [("sv", "Logga in"), ("pt", "Iniciar sessão"), ("fi", "Kirjaudu"), ("sl", "Prijava")],
)
def test_account_pages_are_translated(client, prefix, text):
    # allauth ships Portuguese as pt_PT: `make install` gives it to the hub's `pt`.
    page = client.get(f"/{prefix}/accounts/login/")
    assert page.status_code == 200
    assert text in page.content.decode()


def test_roles_name_exactly_one_record_of_their_kind():
    user = UserFactory()
    network, community = NetworkFactory(), CommunityFactory()
    role = role_grant(user=user, kind=Role.Kind.COORDINATOR, target=network)
    assert role_grant(user=user, kind=Role.Kind.COORDINATOR, target=network) == role
    role_grant(user=user, kind=Role.Kind.COMMUNITY_EDITOR, target=community)
    assert list(networks_coordinated(user)) == [network]
    with pytest.raises(IntegrityError):
        Role.objects.create(user=user, kind=Role.Kind.COORDINATOR, community=community)


def test_revoking_a_role_ends_coordination():
    user = UserFactory()
    network = NetworkFactory()
    role_grant(user=user, kind=Role.Kind.COORDINATOR, target=network)
    role_revoke(user=user, kind=Role.Kind.COORDINATOR, target=network)
    assert not networks_coordinated(user).exists()


def test_a_participant_follows_themes_and_sees_their_events_and_practices(client):
    from villagehub.events.tests.factories import event_make
    from villagehub.practices.services import practice_create
    from villagehub.taxonomy.models import Theme

    canteens = Theme.objects.get(slug="school-canteens")
    broadband = Theme.objects.get(slug="broadband")
    event_make(title="Canteen café", themes=[canteens])
    event_make(title="Fibre café", themes=[broadband])
    practice_create(title="Organic canteen", summary="Local food.", themes=[canteens])
    user = UserFactory()
    client.force_login(user)
    assert "Follow themes" in client.get("/accounts/my-data/").content.decode()
    client.post("/accounts/themes/", {"themes": [canteens.pk]})
    page = client.get("/accounts/my-data/")
    assert [e.title for e in page.context["events"]] == ["Canteen café"]
    assert [p.title for p in page.context["practices"]] == ["Organic canteen"]
    client.post("/accounts/themes/", {"themes": []})
    assert not user.followed_themes.exists()


def test_sign_up_asks_for_consent_after_the_password_in_the_visitors_language(client):
    html = client.get("/sv/accounts/signup/").content.decode()
    assert html.index('name="password2"') < html.index('name="privacy_consent"')
    assert "Jag har läst integritetsmeddelandet" in html
    assert 'href="/sv/privacy/"' in html


def test_a_password_reset_is_written_in_the_language_the_person_chose(client):
    """Asked for from the English page, the message and its link are in the account's
    language (Latvian), and the link still sets the password."""
    user = UserFactory(username="aino", password=PASSWORD, verified=True)
    account_language_set(user=user, language="lv")
    client.post("/accounts/password/reset/", {"email": "aino@example.org"})
    (message,) = mail.outbox
    assert message.subject == "Paroles atjaunošanas e-pasts"
    reset = link_in(message).split("testserver", 1)[-1]
    assert reset.startswith("/lv/accounts/password/reset/key/")
    form_page = client.get(reset, follow=True)
    new = "another long village password 7"
    client.post(form_page.redirect_chain[-1][0], {"password1": new, "password2": new})
    user.refresh_from_db()
    assert user.check_password(new)


@pytest.mark.django_db
def test_a_token_records_its_use_to_the_minute(django_assert_num_queries):
    from datetime import timedelta

    from villagehub.accounts.models import ApiToken
    from villagehub.accounts.services import api_token_create, api_token_use

    user = UserFactory()
    token, key = api_token_create(user=user, name="sensor gateway")
    assert api_token_use(key=key) == user
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    # Used again within the minute: read, not written.
    with django_assert_num_queries(1):
        assert api_token_use(key=key) == user
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api_token_use(key=key)
    assert ApiToken.objects.get().last_used_at > first
    assert api_token_use(key=key[:-1] + "x") is None
