"""Capacity holds under concurrent registrations, on SQLite and PostgreSQL alike."""

import threading

import pytest
from django.db import connection, connections

from villagehub.events import selectors
from villagehub.events.models import Registration

from .factories import event_make, register

PLACES, PEOPLE = 5, 24


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_overbook():
    event = event_make(capacity=PLACES)
    start = threading.Barrier(PEOPLE)
    errors = []

    def attempt(n):
        try:
            start.wait()
            register(event, n)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    registrations = Registration.objects.filter(event=event)
    assert registrations.filter(status="confirmed").count() == PLACES
    waiting = list(registrations.filter(status="waitlisted").order_by("queued_at", "pk"))
    assert len(waiting) == PEOPLE - PLACES
    assert [selectors.waitlist_position(r) for r in waiting] == list(range(1, PEOPLE - PLACES + 1))
    assert connection.vendor in {"sqlite", "postgresql"}
