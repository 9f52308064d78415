from datetime import timedelta

from django.utils import timezone

from villagehub.events import services
from villagehub.events.models import Event


def event_make(**fields) -> Event:
    """A published event open for registration, ten days ahead, through the service."""
    start = timezone.now().replace(microsecond=0) + timedelta(days=10)
    values = {
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
    values = {
        "event": event,
        "name": f"Person {n}",
        "email": f"person{n}@example.org",
        "language": "en",
        "privacy_consent": True,
        "privacy_notice_version": "2026-11-23",
    }
    values.update(fields)
    return services.registration_create(**values)
