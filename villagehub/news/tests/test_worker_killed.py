"""Durable sending with a real worker: a worker process delivers an issue to a real SMTP
server (aiosmtpd), is killed with SIGKILL in the middle, and a new worker finishes. Nothing
is lost, at most the one message in flight is repeated, and every message the server
received is the one its recipient should get."""

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.core import signing
from django.utils import timezone

from villagehub.core.tests.processes import worker_database_url
from villagehub.news import services
from villagehub.news.models import Delivery, Issue, Subscription
from villagehub.news.selectors import MANAGE_SALT, IssueMessages
from villagehub.news.services import issue_create, issue_send
from villagehub.taxonomy.tests.factories import ThemeFactory

from .factories import NewsItemFactory, network_with_community

SUBSCRIBERS = 300
# Slow enough that the kill lands mid-delivery, fast enough for a test of a few seconds.
RATE = 150
LEASE_SECONDS = 2


class _Recorder:
    """Keeps every message as the server received it: envelope recipients and bytes."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    recorder = _Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    recorder.port = port
    yield recorder
    controller.stop()


def _worker(port: int, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "villagehub.settings",
        "DATABASE_URL": worker_database_url(),
        "TASKS_BACKEND": "database",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "HUB_URL": django_settings.HUB_URL,
        "SECRET_KEY": django_settings.SECRET_KEY,
        "NEWSLETTER_RATE": str(RATE),
        "NEWSLETTER_LEASE": str(LEASE_SECONDS),
    }
    # The task runner of `villagehub worker` (as the benchmark runs it: without queueing the
    # periodic tasks first, which only slow the start), and without the reloader (on by
    # default with DEBUG): the process killed must be the one that delivers, not a parent
    # that leaves its child sending on.
    return subprocess.Popen(
        [sys.executable, "-m", "villagehub.cli", "manage", "db_worker", "--interval", "0.1",
         "--no-startup-delay", "--no-reload"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.05)


def _subscribers(themes) -> list[Subscription]:
    """Confirmed subscribers in two languages; every third chooses one theme, so that
    messages differ by what each chose as well as by language."""
    now = timezone.now()
    subscriptions = Subscription.objects.bulk_create(
        [
            Subscription(
                email=f"reader{n}@example.org",
                language="sv" if n % 2 else "en",
                status=Subscription.Status.CONFIRMED,
                kinds=list(Subscription.Kind.values),
                consent_at=now,
                confirmed_at=now,
            )
            for n in range(SUBSCRIBERS)
        ]
    )
    Subscription.themes.through.objects.bulk_create(
        [
            Subscription.themes.through(subscription_id=s.pk, theme_id=themes[n % 2].pk)
            for n, s in enumerate(subscriptions)
            if n % 3 == 0
        ]
    )
    return subscriptions


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_killed_mid_delivery_loses_nothing_and_repeats_at_most_one(
    smtp_server, settings, monkeypatch, tmp_path
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The first check for a dead worker's rows comes one lease after sending starts.
    monkeypatch.setattr(services, "DELIVERY_LEASE", timedelta(seconds=LEASE_SECONDS))
    network, _town = network_with_community()
    fibre, canteens = ThemeFactory(slug="fibre-test"), ThemeFactory(slug="canteens-test")
    NewsItemFactory(
        slug="fibre",
        title="Fibre for every farm",
        network=network,
        themes=[fibre],
        translations={"sv": {"title": "Fiber till varje gård", "summary": "Alla gårdar."}},
    )
    NewsItemFactory(slug="canteen", title="Organic canteen", network=network, themes=[canteens])
    subscriptions = {s.email: s for s in _subscribers([fibre, canteens])}
    issue = issue_create(by=None, network=network, subject="Spring news")
    assert issue_send(issue=issue, workers=1) == SUBSCRIBERS

    with (tmp_path / "worker.log").open("wb") as log:
        worker = _worker(smtp_server.port, log)
        try:
            _wait_for(lambda: len(smtp_server.received) >= 100, 60, "a third delivered")
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            killed_after = len(smtp_server.received)
            assert killed_after < SUBSCRIBERS - 50, "the kill came too late to mean anything"
            time.sleep(0.5)
            assert len(smtp_server.received) == killed_after, "something still sends"
            worker = _worker(smtp_server.port, log)
            _wait_for(
                lambda: Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENT).exists(),
                60,
                "the issue sent by the second worker",
            )
        finally:
            worker.terminate()
            worker.wait()

    assert not Delivery.objects.filter(issue=issue, status=Delivery.Status.PENDING).exists()
    received = Counter(rcpt[0] for rcpt, _content in smtp_server.received)
    assert sorted(received) == sorted(subscriptions)  # none lost, no one else
    assert sum(received.values()) - SUBSCRIBERS <= 1  # the one in flight, at most
    assert all(len(rcpt) == 1 for rcpt, _content in smtp_server.received)

    messages = IssueMessages(Issue.objects.get(pk=issue.pk))
    for rcpt, content in smtp_server.received:
        subscription = subscriptions[rcpt[0]]
        got = email.message_from_bytes(content, policy=email.policy.default)
        unsubscribe = str(got["List-Unsubscribe"]).strip(" <>")
        token = unsubscribe.rstrip("/").rsplit("/", 1)[-1]
        assert signing.loads(token, salt=MANAGE_SALT) == [subscription.pk, subscription.email]
        assert str(got["To"]) == subscription.email
        assert str(got["Subject"]) == "Spring news"
        # Both parts exactly as the hub renders this subscriber's message on its own (its
        # signed token, which carries the time it was made, put in for the one received).
        expected = messages.message(subscription)
        own = expected.extra_headers["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[-1]
        html = next(body for body, kind in expected.alternatives if kind == "text/html")
        text_part = got.get_body(("plain",)).get_content().replace("\r\n", "\n")
        html_part = got.get_body(("html",)).get_content().replace("\r\n", "\n")
        assert text_part == expected.body.replace(own, token)
        assert html_part == html.replace(own, token)
        assert f'<html lang="{subscription.language}">' in html_part
        fibre_title = "Fiber till varje gård" if subscription.language == "sv" else "Fibre for"
        chose_canteens = canteens in subscription.themes.all()
        assert (fibre_title in text_part) is not chose_canteens
