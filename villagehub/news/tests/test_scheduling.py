"""Issues sent at a chosen time and automatic digests: each starts exactly once, however
many workers look for them at the same moment."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.news.models import Delivery, Digest, Issue
from villagehub.news.services import (
    digests_assemble,
    issue_create,
    issue_schedule,
    issues_send_due,
    network_digest_set,
)
from villagehub.news.tasks import newsletters_run

from .factories import NewsItemFactory, network_with_community
from .test_newsletters import _subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    network, _town = network_with_community()
    other_network, _other = network_with_community()
    NewsItemFactory(slug="fibre", title="Fibre for every farm", network=network)
    coordinator = person("coordinator", coordinator=network)
    for n in range(3):
        _subscriber(f"reader{n}@example.org", networks=[network])
    _subscriber("finn@example.org", "fi", networks=[network])
    mail.outbox.clear()
    return {"network": network, "other_network": other_network, "coordinator": coordinator}


def _issue(world, subject="Spring news"):
    return issue_create(by=world["coordinator"], network=world["network"], subject=subject)


def test_a_scheduled_issue_waits_for_its_time_and_is_sent_once(
    world, django_capture_on_commit_callbacks
):
    issue = _issue(world)
    now = timezone.now()
    issue_schedule(issue=issue, send_at=now + timedelta(hours=2))
    assert issue.status == Issue.Status.SCHEDULED
    assert issues_send_due(now=now + timedelta(hours=1)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert issues_send_due(now=now + timedelta(hours=2)) == [issue.pk]
        assert issues_send_due(now=now + timedelta(hours=3)) == []
    assert sorted(m.to[0] for m in mail.outbox) == [
        "finn@example.org",
        "reader0@example.org",
        "reader1@example.org",
        "reader2@example.org",
    ]
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    with pytest.raises(ValidationError):
        issue_schedule(issue=issue, send_at=now + timedelta(days=1))


def test_a_time_in_the_past_is_refused_naming_the_field(world):
    with pytest.raises(ValidationError) as error:
        issue_schedule(issue=_issue(world), send_at=timezone.now() - timedelta(minutes=1))
    assert list(error.value.message_dict) == ["send_at"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_finding_a_due_issue_at_once_start_it_once(world):
    issue = _issue(world)
    issue_schedule(issue=issue, send_at=timezone.now() + timedelta(minutes=1))
    later = timezone.now() + timedelta(minutes=2)
    start = threading.Barrier(2)
    started, errors = [], []

    def worker():
        try:
            start.wait()
            started.extend(issues_send_due(now=later))
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert started == [issue.pk]
    assert Delivery.objects.filter(issue=issue).count() == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        d.subscription.email for d in Delivery.objects.filter(issue=issue)
    )


def test_the_coordinator_schedules_and_unschedules_through_the_page(client, world):
    issue = _issue(world)
    sign_in(client, world["coordinator"])
    address = f"/news/newsletters/{issue.pk}/send/"
    past = client.post(address, {"action": "schedule", "send_at": "2001-01-01T10:00"})
    assert past.status_code == 400
    assert "Send at</a>: Choose a time in the future." in past.content.decode()
    when = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    client.post(address, {"action": "schedule", "send_at": when.strftime("%Y-%m-%dT%H:%M")})
    issue.refresh_from_db()
    assert (issue.status, issue.send_at) == (Issue.Status.SCHEDULED, when)
    assert "Scheduled for" in client.get(f"/news/newsletters/{issue.pk}/").content.decode()
    client.post(address, {"action": "unschedule"})
    issue.refresh_from_db()
    assert (issue.status, issue.send_at) == (Issue.Status.DRAFT, None)
    other = person("other", coordinator=world["other_network"])
    sign_in(client, other)
    assert client.post(address, {"action": "unschedule"}).status_code == 404


def test_a_weekly_digest_is_assembled_once_a_week_in_every_language(
    world, django_capture_on_commit_callbacks
):
    network_digest_set(network=world["network"], frequency="weekly", by=world["coordinator"])
    monday = timezone.make_aware(timezone.datetime(2026, 11, 30, 8, 0))
    with django_capture_on_commit_callbacks(execute=True):
        (first,) = digests_assemble(now=monday)
        assert digests_assemble(now=monday + timedelta(days=3)) == []
    digest = Issue.objects.get(pk=first)
    name = world["network"].name
    assert (digest.digest_period, digest.subject, digest.intro) == (
        "2026-W49",
        f"{name}: the week's news",
        "",
    )
    assert digest.since == monday - timedelta(days=7)
    assert digest.translations["fi"]["subject"] != digest.subject
    assert digest.status == Issue.Status.SENDING or digest.status == Issue.Status.SENT
    finn = next(m for m in mail.outbox if m.to == ["finn@example.org"])
    assert finn.subject == digest.translations["fi"]["subject"]
    with django_capture_on_commit_callbacks(execute=True):
        (second,) = digests_assemble(now=monday + timedelta(days=7))
    # The next digest covers what came since the previous one.
    assert Issue.objects.get(pk=second).since == digest.created_at


def test_monthly_digests_and_none(world):
    network_digest_set(network=world["network"], frequency="monthly", by=None)
    network_digest_set(network=world["other_network"], frequency="none", by=None)
    day = timezone.make_aware(timezone.datetime(2026, 12, 3, 8, 0))
    (issue_id,) = digests_assemble(now=day)
    assert Issue.objects.get(pk=issue_id).digest_period == "2026-12"
    assert digests_assemble(now=day + timedelta(days=20)) == []
    assert len(digests_assemble(now=day + timedelta(days=30))) == 1


def test_only_a_networks_coordinators_choose_its_digest(client, world):
    other = person("other", coordinator=world["other_network"])
    with pytest.raises(ValidationError):
        network_digest_set(network=world["network"], frequency="weekly", by=other)
    sign_in(client, other)
    client.post(
        "/news/newsletters/digest/",
        {"digest-network": world["network"].slug, "digest-frequency": "weekly"},
    )
    assert not Digest.objects.exists()
    sign_in(client, world["coordinator"])
    page = client.get("/news/newsletters/").content.decode()
    assert "No automatic digest" in page
    client.post(
        "/news/newsletters/digest/",
        {"digest-network": world["network"].slug, "digest-frequency": "monthly"},
    )
    assert Digest.objects.get().frequency == "monthly"
    assert "Every month" in client.get("/news/newsletters/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_workers_assembling_digests_at_once_make_one(world):
    network_digest_set(network=world["network"], frequency="weekly", by=None)
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            start.wait()
            newsletters_run.call()
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Issue.objects.exclude(digest_period="").count() == 1
    assert len(mail.outbox) == 4


def test_a_slow_batch_renews_its_lease_so_that_no_other_worker_takes_it(world, monkeypatch):
    from django.core.mail import get_connection

    from villagehub.news import services
    from villagehub.news.services import issue_deliver_all, issue_send

    monkeypatch.setattr(services, "LEASE_RENEWAL", 2)
    issue = _issue(world)
    issue_send(issue=issue, workers=0)
    claims = []

    def watching_connection():
        connection = get_connection("django.core.mail.backends.locmem.EmailBackend")
        send = connection.send_messages

        def send_and_look(messages):
            claims.append(
                sorted(
                    Delivery.objects.filter(issue=issue, status=Delivery.Status.PENDING)
                    .values_list("claimed_at", flat=True)
                    .distinct()
                )
            )
            return send(messages)

        connection.send_messages = send_and_look
        return connection

    assert issue_deliver_all(issue=issue, connection_factory=watching_connection) == 4
    # Before the third message the two rows still waiting carry a renewed lease.
    first_claim = claims[0][0]
    assert len(claims[2]) == 1 and claims[2][0] > first_claim
