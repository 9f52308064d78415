"""Waiting-list offers: a freed place is held for the first person waiting for a set time,
then passes to the next. The clock is frozen by patching `django.utils.timezone.now`."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from villagehub.events import selectors, services, tasks
from villagehub.events.models import Notice, Registration

from .factories import event_make, register

pytestmark = pytest.mark.django_db


class Clock:
    """A frozen clock that tests move on by hand."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    clock = Clock(timezone.now().replace(microsecond=0))
    with mock.patch("django.utils.timezone.now", clock):
        yield clock


def _status(registration) -> str:
    return Registration.objects.get(pk=registration.pk).status


def _full_event_with_queue(**fields):
    event = event_make(capacity=1, waitlist_offers=True, **fields)
    first, _ = register(event, 1)
    second, _ = register(event, 2)
    third, _ = register(event, 3)
    return event, first, second, third


def test_a_freed_place_is_offered_to_the_first_person_waiting_for_48_hours(
    clock, django_capture_on_commit_callbacks
):
    event, first, second, third = _full_event_with_queue()
    assert event.waitlist_offer_hours == 48
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=first)
    second.refresh_from_db()
    assert second.status == "offered"
    assert second.offer_expires_at == clock.now + timedelta(hours=48)
    assert _status(third) == "waitlisted"
    offer = next(m for m in mail.outbox if m.to == ["person2@example.org"])
    assert offer.subject == "A place is offered to you: Smart Café in Testville"
    assert "is held for you until" in offer.body
    assert Notice.objects.filter(registration=second, kind="offer").count() == 1
    # The offered place is held: a newcomer joins the waiting list behind the others.
    newcomer, _ = register(event, 4)
    assert newcomer.status == "waitlisted"
    assert selectors.event_places_left(event) == 0


def test_an_accepted_offer_confirms_the_place(clock):
    _event, first, second, third = _full_event_with_queue()
    services.registration_cancel(registration=first)
    clock.advance(hours=47, minutes=59)
    accepted = services.registration_offer_accept(registration=second)
    assert accepted.status == "confirmed"
    assert accepted.offer_expires_at is None
    clock.advance(hours=5)
    assert services.waitlist_offers_expire() == 0
    assert _status(second) == "confirmed"
    assert _status(third) == "waitlisted"


def test_an_offer_not_accepted_in_time_passes_to_the_next_person(
    clock, django_capture_on_commit_callbacks
):
    _event, first, second, third = _full_event_with_queue(waitlist_offer_hours=6)
    services.registration_cancel(registration=first)
    clock.advance(hours=5, minutes=59)
    assert services.waitlist_offers_expire() == 0
    assert _status(second) == "offered"
    mail.outbox.clear()
    clock.advance(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.waitlist_offers_expire() == 1
    assert _status(second) == "cancelled"
    third.refresh_from_db()
    assert third.status == "offered"
    assert third.offer_expires_at == clock.now + timedelta(hours=6)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        (
            "person2@example.org",
            "The offered place has gone to the next person: Smart Café in Testville",
        ),
        ("person3@example.org", "A place is offered to you: Smart Café in Testville"),
    ]
    with pytest.raises(services.OfferRefused) as refused:
        services.registration_offer_accept(registration=second)
    assert refused.value.code == "not_offered"


def test_accepting_after_the_deadline_is_refused_and_passes_the_place_on(clock):
    _event, first, second, third = _full_event_with_queue()
    services.registration_cancel(registration=first)
    clock.advance(hours=48)
    with pytest.raises(services.OfferRefused) as refused:
        services.registration_offer_accept(registration=second)
    assert refused.value.code == "expired"
    assert _status(second) == "cancelled"
    assert _status(third) == "offered"


def test_a_lapsed_offer_ends_when_the_next_person_registers_even_if_its_task_was_lost(clock):
    event = event_make(capacity=1, waitlist_offers=True, waitlist_offer_hours=1)
    first, _ = register(event, 1)
    second, _ = register(event, 2)
    services.registration_cancel(registration=first)
    assert _status(second) == "offered"
    clock.advance(hours=2)
    # Nobody ran the expiry: the registration itself ends the offer before counting, and
    # the freed place goes to the newcomer (nobody else is waiting).
    newcomer, _ = register(event, 3)
    assert _status(second) == "cancelled"
    assert newcomer.status == "confirmed"
    assert event.registrations.filter(status__in=Registration.HOLDING).count() == 1


def test_the_periodic_sweep_ends_lapsed_offers_and_queues_its_next_run(clock, settings):
    from django_tasks_db.models import DBTaskResult

    _event, first, second, third = _full_event_with_queue(waitlist_offer_hours=2)
    services.registration_cancel(registration=first)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    clock.advance(hours=3)
    assert tasks.waitlist_offers_sweep.call() == 1
    assert _status(second) == "cancelled"
    assert _status(third) == "offered"
    (next_run,) = DBTaskResult.objects.filter(task_path__endswith="waitlist_offers_sweep")
    assert next_run.run_after == clock.now + tasks.OFFER_SWEEP_INTERVAL


@pytest.mark.django_db(transaction=True)
def test_each_offer_queues_a_deferred_task_due_when_it_lapses(clock, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    event, first, second, third = _full_event_with_queue(waitlist_offer_hours=3)
    services.registration_cancel(registration=first)
    (expiry,) = DBTaskResult.objects.filter(task_path__endswith="waitlist_offer_expire")
    assert expiry.run_after == clock.now + timedelta(hours=3)
    assert expiry.args_kwargs["args"] == [event.pk]
    clock.advance(hours=3)
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert _status(second) == "cancelled"
    assert _status(third) == "offered"


def test_an_offer_never_outlasts_the_start_of_the_event(clock):
    start = clock.now + timedelta(hours=10)
    _event, first, second, _third = _full_event_with_queue(
        starts_at=start, ends_at=start + timedelta(hours=1)
    )
    services.registration_cancel(registration=first)
    second.refresh_from_db()
    assert second.offer_expires_at == start


def test_promote_at_once_stays_the_default(clock):
    event = event_make(capacity=1)
    assert event.waitlist_offers is False
    first, _ = register(event, 1)
    second, _ = register(event, 2)
    services.registration_cancel(registration=first)
    assert _status(second) == "confirmed"


def test_a_person_offered_a_place_accepts_it_from_their_link(client, clock):
    _event, first, second, _third = _full_event_with_queue()
    services.registration_cancel(registration=first)
    token = selectors.registration_token(second)
    page = client.get(f"/events/registration/{token}/").content.decode()
    assert "A place has become free and is held for you." in page
    assert "Accept the place" in page
    response = client.post(f"/events/registration/{token}/accept/")
    assert response.status_code == 302
    assert _status(second) == "confirmed"
    page = client.get(f"/events/registration/{token}/").content.decode()
    assert "The place is yours: your registration is confirmed." in page
    assert "Accept the place" not in page


def test_cancelling_an_offer_passes_it_on_at_once(clock):
    _event, first, second, third = _full_event_with_queue()
    services.registration_cancel(registration=first)
    services.registration_cancel(registration=second)
    assert _status(third) == "offered"
