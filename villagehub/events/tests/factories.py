from datetime import timedelta
from typing import Any

from django.utils import timezone

from villagehub.events import services
from villagehub.events.models import Event


def event_make(**fields) -> Event:
    """A published event open for registration, ten days ahead, through the service."""
    start = timezone.now().replace(microsecond=0) + timedelta(days=10)
    values: dict[str, Any] = {
        "title": "Smart Café in Testville",
        "kind": Event.Kind.CAFE,
        "status": Event.Status.PUBLISHED,
        "time_zone": "Europe/Ljubljana",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "registration_open": True,
        "capacity": 3,
        "summary": "Coffee and smart villages.",
        "online_url": "https://meet.example.org/cafe",
    }
    values.update(fields)
    return services.event_create(**values)


def register(event: Event, n: int | str, **fields):
    values: dict[str, Any] = {
        "event": event,
        "name": f"Person {n}",
        "email": f"person{n}@example.org",
        "language": "en",
        "privacy_consent": True,
        "privacy_notice_version": "2026-11-23",
    }
    values.update(fields)
    return services.registration_create(**values)


def event_hold(event: Event, *, hours_ago: int = 3) -> Event:
    """Move an event (after people registered) into the past, as if it had taken place:
    check-in, the survey and its results are then open."""
    start = timezone.now().replace(microsecond=0) - timedelta(hours=hours_ago)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    event.refresh_from_db()
    return event
