import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from villagehub.accounts.overview import person_data
from villagehub.accounts.services import person_erase
from villagehub.communities.tests.factories import NetworkFactory
from villagehub.news.models import Subscription
from villagehub.news.selectors import MANAGE_SALT, subscription_token

pytestmark = pytest.mark.django_db


def _link(message, kind):
    return re.search(rf"https://hub\.example\.org(/\S*/{kind}/\S+/)", message.body).group(1)


@pytest.fixture
def subscribe(client, django_capture_on_commit_callbacks):
    """Post the form; what the service queues after its commit (the e-mail) runs."""

    def post(**extra):
        data = {
            "email": "Aino@Example.org",
            "kinds": ["news", "events"],
            "themes": ["broadband"],
            "countries": ["fi"],
            "language": "fi",
            "consent": "on",
            **extra,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/news/subscribe/", data)

    return post


def test_double_opt_in_records_consent_and_confirmation(client, subscribe, settings):
    network = NetworkFactory(slug="sr27")
    response = subscribe(networks=["sr27"])
    assert response.status_code == 200
    assert "aino@example.org" in response.content.decode().lower()
    subscription = Subscription.objects.get()
    assert subscription.email == "aino@example.org"
    assert subscription.status == Subscription.Status.PENDING
    assert subscription.kinds == ["events", "news"]
    assert [c.code for c in subscription.countries] == ["FI"]
    assert list(subscription.networks.all()) == [network]
    assert subscription.consent_at is not None
    assert subscription.consent_notice_version == settings.PRIVACY_NOTICE_VERSION
    assert subscription.confirmed_at is None

    (message,) = mail.outbox
    assert message.to == ["aino@example.org"]
    assert message.subject == "Vahvista Village Hub -uutiskirjeen tilaus"
    confirm = _link(message, "confirm")
    assert confirm.startswith("/fi/news/subscribe/confirm/")

    # A mail scanner following the link confirms nothing.
    assert client.get(confirm).status_code == 200
    assert Subscription.objects.get().status == Subscription.Status.PENDING
    response = client.post(confirm)
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CONFIRMED
    assert subscription.confirmed_at is not None


def test_no_consent_no_subscription_and_the_field_is_named(client, subscribe):
    response = subscribe(consent="")
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "consent": ["Please accept the privacy notice to subscribe."]
    }
    assert not Subscription.objects.exists()
    assert mail.outbox == []


def test_asking_again_for_a_subscribed_address_changes_nothing_and_sends_its_link(
    client, subscribe
):
    subscribe()
    client.post(_link(mail.outbox[0], "confirm"))
    # The confirmation was mailed a quarter of an hour ago.
    Subscription.objects.update(confirmation_sent_at=timezone.now() - timedelta(minutes=15))
    subscribe(kinds=["practices"], language="sv")
    subscription = Subscription.objects.get()
    assert subscription.kinds == ["events", "news"]
    assert subscription.language == "fi"
    known = mail.outbox[1]
    assert known.subject == "Village Hub -uutiskirjeen tilauksesi"
    assert known.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Asking again at once mails nothing more: the form cannot flood a mailbox.
    subscribe()
    assert len(mail.outbox) == 2


def test_preferences_by_signed_link_and_one_click_unsubscribe(client, subscribe):
    subscribe()
    subscription = Subscription.objects.get()
    token = subscription_token(subscription, salt=MANAGE_SALT)
    response = client.post(
        f"/news/subscription/{token}/", {"kinds": ["practices"], "language": "sv"}
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.kinds, subscription.language) == (["practices"], "sv")
    assert [t.slug for t in subscription.themes.all()] == []

    # A mail client posts the RFC 8058 body, without a session or CSRF token.
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        f"/news/unsubscribe/{token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    assert subscription.unsubscribed_at is not None

    client.post(f"/news/subscription/{token}/", {"resume": "1"})
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CONFIRMED


def test_bad_preferences_are_refused_naming_the_field(client, subscribe):
    subscribe()
    subscription = Subscription.objects.get()
    token = subscription_token(subscription, salt=MANAGE_SALT)
    response = client.post(f"/news/subscription/{token}/", {"kinds": ["news"], "language": "xx"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["language"]
    subscription.refresh_from_db()
    assert (subscription.kinds, subscription.language) == (["events", "news"], "fi")


@pytest.mark.parametrize(
    "path",
    [
        "/news/subscription/forged/",
        "/news/unsubscribe/forged/",
        "/news/subscribe/confirm/forged/",
    ],
)
def test_forged_links_are_404(client, path):
    assert client.get(path).status_code == 404


def test_a_preferences_link_does_not_confirm(client, subscribe):
    subscribe()
    token = subscription_token(Subscription.objects.get(), salt=MANAGE_SALT)
    assert client.post(f"/news/subscribe/confirm/{token}/").status_code == 404


def test_subscriptions_are_in_the_export_and_erased(client, subscribe):
    subscribe()
    data = person_data(email="aino@example.org")
    (row,) = data["newsletter_subscriptions"]
    assert row["email"] == "aino@example.org"
    assert row["status"] == "pending"
    assert row["themes"] == ["broadband"]
    person_erase(email="AINO@example.org")
    assert not Subscription.objects.exists()
