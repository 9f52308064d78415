"""What the events programme keeps about people: their registrations (with their answers,
feedback and the mail sent about them), the events and series they organise, their offers to
host a café, and their names in speakers' consents and photo descriptions (see
core/personal_data.py)."""

from typing import Any

from django.contrib.auth.models import User

from villagehub.core.personal_data import Mention, Person, Share

from . import selectors, services
from .models import Photo, SpeakerConsent


def _account(user: User) -> dict[str, Any]:
    return {
        "events_organised": list(user.events_organised.values_list("slug", flat=True)),
        "series_organised": list(user.series_organised.values_list("slug", flat=True)),
        "offers_to_host_a_cafe": [
            {
                "series": o.series.slug,
                "community": str(o.community),
                "theme": o.theme,
                "date_ideas": o.date_ideas,
                "speakers": o.speakers,
                "status": o.status,
                "decline_reason": o.decline_reason,
                "created_at": o.created_at.isoformat(),
            }
            for o in user.event_host_requests.select_related("series", "community")
        ],
    }


def _export(person: Person) -> dict[str, Any]:
    return {
        "event_registrations": [
            row for email in sorted(person.emails) for row in selectors.registrations_data(email)
        ]
    }


def _traces(person: Person) -> set[str]:
    return selectors.registration_names(person.emails)


def _erase(person: Person) -> dict[str, int]:
    return {
        "registrations": sum(
            services.registrations_erase(email=email) for email in sorted(person.emails)
        )
    }


SHARE = Share(
    account=_account,
    export=_export,
    traces=_traces,
    erase=_erase,
    mentions=(
        # Without its row a speaker's consent reads as refused: they are no longer named.
        Mention(SpeakerConsent, ("speaker",), delete=True),
        Mention(Photo, ("description",)),
    ),
)
