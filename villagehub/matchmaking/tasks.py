"""Background work for one-to-one meetings: each participant's agenda by e-mail. Tasks take
ids and send an agenda once per person and plan (`services.agenda_claim`)."""

from django_tasks import task

from villagehub.core.mail import email_send

from . import selectors, services
from .models import MatchProfile


@task()
def agenda_email_task(profile_id: int, plan_version: int) -> bool:
    profile = (
        MatchProfile.objects.select_related("registration", "matchmaking__event")
        .filter(pk=profile_id)
        .first()
    )
    if profile is None or not services.agenda_claim(profile_id=profile_id, version=plan_version):
        return False
    event = profile.matchmaking.event
    registration = profile.registration
    email_send(
        to=registration.email,
        template="matchmaking/agenda",
        context={
            "registration": registration,
            "title": event.localized("title", registration.language).text,
            "zone": event.time_zone,
            "meetings": [
                (meeting, selectors.meeting_partner(meeting, profile))
                for meeting in selectors.agenda(profile)
            ],
            "agenda_url": selectors.participant_url(registration, "matchmaking:agenda"),
        },
        language=registration.language,
        attachments=[
            (
                "meetings.ics",
                selectors.agenda_ical(profile),
                "text/calendar; charset=utf-8; method=PUBLISH",
            )
        ],
    )
    return True
