"""Who is told what: editors of their published or returned work, coordinators of what
waits for review, organisers of their registrations."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from villagehub.accounts.tests.factories import person
from villagehub.contributions.services import submission_publish, submission_return, submission_save
from villagehub.events import services as event_services
from villagehub.events.tasks import event_registration_opened
from villagehub.events.tests.factories import event_make, register
from villagehub.news.services import news_create, news_publish
from villagehub.news.tests.factories import network_with_community
from villagehub.notices.models import Notice
from villagehub.notices.services import notice_preferences_set
from villagehub.solutions import services as solution_services
from villagehub.solutions.tests.factories import provider
from villagehub.strategies import services as strategy_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    network, town = network_with_community()
    return {
        "network": network,
        "town": town,
        "coordinator": person("coordinator", coordinator=network),
        "editor": person("editor", community_editor=town),
    }


def _submitted(world):
    return submission_save(
        author=world["editor"],
        community=world["town"],
        data={"title": "Sauna", "summary": "A sauna.", "language": "fi", "themes": []},
        submit=True,
    )


def test_an_editor_is_told_in_their_inbox_and_by_mail_when_their_practice_is_published(
    world, settings, django_capture_on_commit_callbacks
):
    settings.HUB_NAME = "Smart Rural Hub"
    submission = _submitted(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        practice = submission_publish(submission=submission, by=world["coordinator"])
    (notice,) = Notice.objects.filter(user=world["editor"])
    assert (notice.kind, notice.subject, notice.path) == (
        "published",
        "Sauna",
        practice.get_absolute_url(),
    )
    (message,) = mail.outbox
    assert message.to == ["editor@example.org"]
    assert message.subject == "Published: Sauna"
    assert f"https://hub.example.org{practice.get_absolute_url()}" in message.body
    assert "Smart Rural Hub" in message.alternatives[0][0]
    assert Notice.objects.get(pk=notice.pk).emailed_at is not None


def test_a_returned_proposal_carries_the_comment_and_respects_never(
    world, django_capture_on_commit_callbacks
):
    notice_preferences_set(user=world["editor"], frequencies={"returned": "never"})
    submission = _submitted(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submission_return(submission=submission, by=world["coordinator"], comment="Add results.")
    (notice,) = Notice.objects.filter(user=world["editor"])
    assert (notice.kind, notice.path) == ("returned", f"/contribute/submissions/{submission.pk}/")
    assert mail.outbox == []


def test_a_returned_proposal_is_mailed_with_the_comment_at_once(
    world, django_capture_on_commit_callbacks
):
    submission = _submitted(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submission_return(submission=submission, by=world["coordinator"], comment="Add results.")
    (message,) = mail.outbox
    assert message.subject == "Returned with a comment: Sauna"
    assert "Add results." in message.body
    assert f"https://hub.example.org/contribute/submissions/{submission.pk}/" in message.body


def test_an_editors_news_draft_waits_for_the_coordinators_and_its_publication_tells_the_editor(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = news_create(
            by=world["editor"], title="Sauna opens", summary="Warm.", community=world["town"]
        )
    (waiting,) = Notice.objects.filter(user=world["coordinator"])
    assert (waiting.kind, waiting.path) == ("news", f"/news/{item.slug}/edit/")
    with django_capture_on_commit_callbacks(execute=True):
        news_publish(item=item, by=world["coordinator"])
        news_publish(item=item, by=world["coordinator"])
    (told,) = Notice.objects.filter(user=world["editor"])
    assert (told.kind, told.path) == ("published", f"/news/{item.slug}/")
    # A coordinator's own draft waits for nobody.
    news_create(by=world["coordinator"], title="Ours", summary="S.", community=world["town"])
    assert Notice.objects.filter(user=world["coordinator"]).count() == 1


def test_a_solution_sent_for_review_tells_every_coordinator_and_the_outcome_its_provider(
    world, django_capture_on_commit_callbacks
):
    company = provider()
    seller = person("seller", organisation_editor=company)
    made = solution_services.solution_create(
        provider=company, name="Fibre kit", summary="S.", trl=8
    )
    with django_capture_on_commit_callbacks(execute=True):
        solution_services.solution_submit(solution=made)
    (waiting,) = Notice.objects.filter(user=world["coordinator"])
    assert (waiting.kind, waiting.path) == ("solution", f"/solutions/{made.slug}/review/")
    assert mail.outbox[-1].to == ["coordinator@example.org"]
    solution_services.solution_return(solution=made, by=world["coordinator"], comment="TRL?")
    solution_services.solution_submit(solution=made)
    solution_services.solution_publish(solution=made, by=world["coordinator"])
    assert list(Notice.objects.filter(user=seller).order_by("pk").values_list("kind", "path")) == [
        ("returned", f"/solutions/{made.slug}/edit/"),
        ("published", f"/solutions/{made.slug}/"),
    ]


def test_a_strategy_sent_for_review_tells_the_coordinators_and_its_publication_the_editors(world):
    strategy = strategy_services.strategy_create(community=world["town"], title="Vision 2030")
    strategy_services.strategy_submit(strategy=strategy)
    (waiting,) = Notice.objects.filter(user=world["coordinator"])
    assert (waiting.kind, waiting.path) == (
        "strategy",
        f"/communities/{world['town'].slug}/strategy/review/",
    )
    strategy_services.strategy_publish(strategy=strategy, by=world["coordinator"])
    (told,) = Notice.objects.filter(user=world["editor"])
    assert (told.kind, told.path) == ("published", f"/communities/{world['town'].slug}/strategy/")


def test_organisers_hear_when_their_event_fills_up_and_when_the_waiting_list_moves(
    world, django_capture_on_commit_callbacks
):
    event = event_make(capacity=2, waiting_list=True)
    event.organiser_networks.add(world["network"])
    named = person("named-organiser")
    event.organisers.add(named, world["coordinator"])  # told once, not twice
    register(event, 1)
    assert not Notice.objects.filter(user=world["coordinator"]).exists()
    register(event, 2)
    register(event, 3)  # waits: the event was already full, no second "full"
    (full,) = Notice.objects.filter(user=world["coordinator"])
    assert (full.kind, full.subject, full.path) == (
        "event_full",
        event.title,
        f"/events/{event.slug}/manage/",
    )
    first = event.registrations.get(email="person1@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        event_services.registration_cancel(registration=first)
    moved = Notice.objects.filter(user=world["coordinator"], kind="waitlist_moved")
    assert moved.count() == 1
    told = Notice.objects.filter(user=named).values_list("kind", flat=True)
    assert sorted(told) == ["event_full", "waitlist_moved"]
    assert any(m.to == ["coordinator@example.org"] for m in mail.outbox)


def test_organisers_hear_once_when_registration_opens(world):
    opens = timezone.now().replace(microsecond=0) + timedelta(days=2)
    event = event_make(registration_opens_at=opens)
    event.organiser_networks.add(world["network"])
    # A person the series names as organiser hears of its events' openings too.
    series_organiser = person("series-organiser")
    series = event_services.series_create(name="Village cafés")
    series.organisers.add(series_organiser)
    event_services.event_update(event=event, series=series)
    assert event_registration_opened.call(event.pk, opens.isoformat()) == 2
    assert Notice.objects.get(user=series_organiser).kind == "registration_open"

    assert event_registration_opened.call(event.pk, opens.isoformat()) == 0
    (notice,) = Notice.objects.filter(user=world["coordinator"])
    assert notice.kind == "registration_open"
    # Moved later: the task queued for the old time does nothing.
    event_services.event_update(event=event, registration_opens_at=opens + timedelta(days=1))
    assert event_registration_opened.call(event.pk, opens.isoformat()) == 0


def test_the_opening_is_scheduled_as_a_deferred_task_when_the_event_is_made(
    world, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    opens = timezone.now().replace(microsecond=0) + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        event_make(registration_opens_at=opens)
    (scheduled,) = DBTaskResult.objects.filter(task_path__endswith="event_registration_opened")
    assert scheduled.run_after == opens
