"""Newsletter issues: what each subscriber gets, the message as a mail server receives it,
and durable sending when a worker dies mid-send."""

import email
import email.policy
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail import get_connection
from django.test import Client
from django.utils import timezone

from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.news.models import Delivery, Issue, Subscription
from villagehub.news.selectors import IssueContent, IssueMessages
from villagehub.news.services import (
    DELIVERY_LEASE,
    issue_create,
    issue_deliver_all,
    issue_message,
    issue_send,
    subscription_confirm,
    subscription_request,
)
from villagehub.practices.tests.factories import PracticeFactory
from villagehub.taxonomy.models import Theme

from .factories import NewsItemFactory, network_with_community

pytestmark = pytest.mark.django_db


class _Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (
                envelope.rcpt_tos,
                email.message_from_bytes(envelope.content, policy=email.policy.default),
            )
        )
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.connect = lambda: get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port
    )
    yield inbox
    controller.stop()


def _subscriber(email_address, language="en", *, themes=(), networks=(), kinds=None):
    subscription = subscription_request(
        email=email_address,
        language=language,
        themes=themes,
        networks=networks,
        kinds=kinds or list(Subscription.Kind.values),
        consent=True,
    )
    return subscription_confirm(subscription=subscription)


@pytest.fixture
def world():
    network, town = network_with_community()
    other_network, other_town = network_with_community()
    broadband = Theme.objects.get(slug="broadband")
    canteens = Theme.objects.get(slug="school-canteens")
    NewsItemFactory(
        slug="fibre",
        title="Fibre for every farm",
        summary="All farms are connected.",
        network=network,
        themes=[broadband],
        translations={"sv": {"title": "Fiber till varje gård", "summary": "Alla gårdar."}},
    )
    NewsItemFactory(slug="canteen", title="Organic canteen", network=network, themes=[canteens])
    NewsItemFactory(slug="elsewhere", title="Elsewhere", network=other_network)
    old = NewsItemFactory(slug="old", title="Old news", network=network)
    old.published_at = timezone.now() - timedelta(days=30)
    old.save()
    PracticeFactory(slug="sauna", title="Sauna cooperative", community=town)
    PracticeFactory(slug="far", title="Far away", community=other_town)
    coordinator = person("coordinator", coordinator=network)
    issue = issue_create(
        by=coordinator, network=network, subject="Spring news", intro="Hello **all**."
    )
    return {
        "network": network,
        "other_network": other_network,
        "broadband": broadband,
        "coordinator": coordinator,
        "issue": issue,
    }


def _titles(content):
    return {kind: [o.title for o in objs] for kind, objs in content.items()}


def test_each_subscriber_gets_only_what_they_chose(world):
    content = IssueContent(world["issue"])
    everything = _subscriber("all@example.org")
    assert _titles(content.for_subscription(everything)) == {
        "news": ["Organic canteen", "Fibre for every farm"],
        "practices": ["Sauna cooperative"],
        "events": [],
    }
    broadband_news = _subscriber("fibre@example.org", themes=[world["broadband"]], kinds=["news"])
    assert _titles(content.for_subscription(broadband_news)) == {"news": ["Fibre for every farm"]}


def test_a_coordinator_writes_issues_of_their_network_only(world):
    with pytest.raises(Exception) as refused:
        issue_create(by=world["coordinator"], network=world["other_network"], subject="X")
    assert refused.value.message_dict == {"network": ["You do not coordinate this network."]}


def test_the_message_as_the_mail_server_receives_it_in_two_languages(
    world, smtp, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.connect().port
    _subscriber("anna@example.org", "sv")
    _subscriber("ben@example.org", "en")
    _subscriber("other@example.org", "en", networks=[world["other_network"]])
    with django_capture_on_commit_callbacks(execute=True):
        assert issue_send(issue=world["issue"], workers=1) == 2
    world["issue"].refresh_from_db()
    assert world["issue"].status == Issue.Status.SENT
    received = {to[0]: message for to, message in smtp.messages}
    assert set(received) == {"anna@example.org", "ben@example.org"}

    for address, language, prefix, fibre in [
        ("anna@example.org", "sv", "/sv", "Fiber till varje gård"),
        ("ben@example.org", "en", "", "Fibre for every farm"),
    ]:
        message = received[address]
        assert message["Subject"] == "Spring news"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # A long header is folded onto a continuation line; its value is the same.
        unsubscribe = str(message["List-Unsubscribe"]).strip()
        assert unsubscribe.startswith(f"<https://hub.example.org{prefix}/news/unsubscribe/")
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert fibre in text and fibre in html
        assert "Elsewhere" not in text
        assert "Old news" not in text
        assert "Hello all." in text
        assert "<strong>all</strong>" in html
        assert f'<html lang="{language}">' in html
        assert "<img" not in html
        assert unsubscribe[1:-1] in text and unsubscribe[1:-1] in html
    assert "Nyheter" in received["anna@example.org"].get_body(("plain",)).get_content()
    assert "/sv/news/fibre/" in received["anna@example.org"].get_body(("html",)).get_content()

    # The mail client's one click (RFC 8058): a POST to the header's address, as it is, with
    # no session, cookie or CSRF token.
    for address in received:
        target = str(received[address]["List-Unsubscribe"]).strip()[1:-1]
        response = Client(enforce_csrf_checks=True).post(
            target.removeprefix("https://hub.example.org"),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
    assert set(
        Subscription.objects.filter(status=Subscription.Status.UNSUBSCRIBED).values_list(
            "email", flat=True
        )
    ) == {"anna@example.org", "ben@example.org"}


def test_messages_rendered_once_per_choice_and_language_equal_those_rendered_alone(
    world, monkeypatch
):
    # Signed links carry the second they were made: one second for both renderings.
    monkeypatch.setattr("time.time", lambda: 1_800_000_000.0)
    subscribers = [
        _subscriber("anna@example.org", "sv"),
        _subscriber("bo@example.org", "sv"),
        _subscriber("ben@example.org", "en"),
        _subscriber("fibre@example.org", "sv", themes=[world["broadband"]], kinds=["news"]),
    ]
    content = IssueContent(world["issue"])
    messages = IssueMessages(world["issue"], content)
    for subscription in Subscription.objects.prefetch_related("networks", "themes").filter(
        pk__in=[s.pk for s in subscribers]
    ):
        sent = messages.message(subscription)
        alone = issue_message(
            issue=world["issue"],
            subscription=subscription,
            content=content.for_subscription(subscription),
        )
        assert sent.to == alone.to == [subscription.email]
        assert (sent.subject, sent.body, sent.alternatives, sent.extra_headers) == (
            alone.subject,
            alone.body,
            alone.alternatives,
            alone.extra_headers,
        )
    # Anna and Bo chose alike in one language: their body was rendered once.
    assert messages._body.cache_info().misses == 3


def test_a_subscriber_whose_choices_are_not_in_a_digest_gets_no_message(world):
    digest = issue_create(by=None, network=world["network"], subject="Digest")
    nothing = _subscriber("events@example.org", kinds=["events"])
    assert IssueMessages(digest).message(nothing) is None


class _Killed(BaseException):
    """A worker killed in the middle of handing a message to SMTP."""


def test_a_worker_killed_mid_send_loses_nothing_and_repeats_only_the_one_in_flight(world, smtp):
    addresses = [f"p{n}@example.org" for n in range(7)]
    for address in addresses:
        _subscriber(address)
    issue_send(issue=world["issue"], workers=0)
    assert Delivery.objects.filter(issue=world["issue"]).count() == 7

    def dying_connection():
        connection = smtp.connect()
        send = connection.send_messages
        calls = []

        def send_then_die(messages):
            calls.append(1)
            sent = send(messages)
            if len(calls) == 3:
                raise _Killed  # the third message reached the server, its row is not marked
            return sent

        connection.send_messages = send_then_die
        return connection

    with pytest.raises(_Killed):
        issue_deliver_all(issue=world["issue"], connection_factory=dying_connection)
    assert len(smtp.messages) == 3
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 2

    # Another worker right away finds the dead one's rows still leased, and sends nothing.
    assert issue_deliver_all(issue=world["issue"], connection_factory=smtp.connect) == 0
    Delivery.objects.update(claimed_at=timezone.now() - DELIVERY_LEASE - timedelta(seconds=1))
    assert issue_deliver_all(issue=world["issue"], connection_factory=smtp.connect) == 5

    delivered = [to[0] for to, _message in smtp.messages]
    assert sorted(set(delivered)) == sorted(addresses)
    assert len(delivered) == 8
    assert [a for a in set(delivered) if delivered.count(a) > 1] == ["p2@example.org"]
    assert list(Delivery.objects.filter(attempts__gt=1).values_list("attempts", flat=True)) == [2]
    world["issue"].refresh_from_db()
    assert world["issue"].status == Issue.Status.SENT


def test_coordinator_composes_previews_tests_and_sends_through_the_pages(
    client, world, django_capture_on_commit_callbacks
):
    _subscriber("anna@example.org", "sv")
    mail.outbox.clear()
    sign_in(client, world["coordinator"])
    response = client.post(
        "/news/newsletters/",
        {
            "network": world["network"].slug,
            "subject": "Weekly digest",
            "intro": "",
            "language": "en",
            "days": "7",
        },
    )
    issue = Issue.objects.get(subject="Weekly digest")
    assert response["Location"] == f"/news/newsletters/{issue.pk}/"
    page = client.get(f"/news/newsletters/{issue.pk}/?as=anna@example.org")
    assert page.context["audience"] == 1
    assert page.context["preview"]["email"] == "anna@example.org"
    assert "Fiber till varje gård" in page.context["preview"]["text"]
    html = client.get(f"/news/newsletters/{issue.pk}/preview.html")
    assert "Fibre for every farm" in html.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/news/newsletters/{issue.pk}/send/", {"action": "test"})
    (test,) = mail.outbox
    assert test.to == ["coordinator@example.org"]
    assert test.subject == "[Test] Weekly digest"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/news/newsletters/{issue.pk}/send/", {"action": "send"})
    assert [m.to for m in mail.outbox[1:]] == [["anna@example.org"]]
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_other_coordinators_and_editors_cannot_see_an_issue(client, world):
    other = person("other", coordinator=world["other_network"])
    sign_in(client, other)
    assert client.get(f"/news/newsletters/{world['issue'].pk}/").status_code == 404
    sign_in(client, person("nobody"))
    assert client.get("/news/newsletters/").status_code == 404
