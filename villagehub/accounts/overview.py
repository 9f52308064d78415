"""What a person's own pages show, gathered from every app: all the data the hub holds about
them (`person_data`, for the "my data" page, the download and the erasure requests) and the
news of the themes they follow. Erasure is `services.person_erase`.

This module sits above the apps' selectors; `accounts.selectors` ("who may do what") sits
below them, so that the apps may ask it who coordinates what without an import circle.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractBaseUser

from villagehub.contributions.models import Invitation, RoleRequest, Submission
from villagehub.core.models import OutboxMessage
from villagehub.events.selectors import event_upcoming, registrations_data
from villagehub.news.selectors import subscriptions_data
from villagehub.practices.selectors import practice_list_base
from villagehub.taxonomy.models import Theme

from .models import Role
from .selectors import two_factor_enabled


def person_data(*, email: str, user: AbstractBaseUser | None = None) -> dict:
    """All personal data the hub holds about a person (GDPR art. 15 and 20), as JSON-ready
    data: their account if they have one, and everything tied to their e-mail addresses."""
    emails = {email.strip().lower()}
    account = None
    if user is not None and user.is_authenticated:
        emails |= {
            e.lower()
            for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
        }
        account = {
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": list(
                EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
            ),
            "roles": [str(role) for role in Role.objects.filter(user=user)],
            "followed_themes": [f.theme.slug for f in user.followed_themes.select_related("theme")],
            "two_factor_authentication": two_factor_enabled(user),
            "privacy_consents": [
                {"version": c.notice_version, "given_at": c.given_at.isoformat()}
                for c in user.consents.all()
            ],
        }
    contributions = []
    if user is not None and user.is_authenticated:
        contributions = [
            {
                "kind": s.kind,
                "record": str(s.community or s.organisation),
                "status": s.status,
                "proposed": s.data,
                "comment": s.comment,
                "updated_at": s.updated_at.isoformat(),
            }
            for s in Submission.objects.filter(author=user).select_related(
                "community", "organisation"
            )
        ]
        account["events_organised"] = list(user.events_organised.values_list("slug", flat=True))
        account["series_organised"] = list(user.series_organised.values_list("slug", flat=True))
        account["offers_to_host_a_cafe"] = [
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
        ]
        account["requests_to_edit"] = [
            {"record": str(r.target), "message": r.message, "status": r.status}
            for r in RoleRequest.objects.filter(user=user).select_related(
                "community", "organisation"
            )
        ]
    return {
        "account": account,
        "contributions": contributions,
        "invitations": [
            {
                "email": i.email,
                "to_edit": str(i.target),
                "invited_at": i.created_at.isoformat(),
                "accepted_at": i.accepted_at.isoformat() if i.accepted_at else None,
            }
            for i in Invitation.objects.filter(email__in=emails).select_related(
                "community", "organisation"
            )
        ],
        "event_registrations": [row for e in sorted(emails) for row in registrations_data(e)],
        "newsletter_subscriptions": subscriptions_data(emails=emails),
        "emails_in_outbox": [
            {"to": m.to, "subject": m.subject, "sent_at": m.created_at.isoformat()}
            for e in sorted(emails)
            for m in OutboxMessage.objects.filter(to__icontains=e)
        ],
    }


def followed_news(user: AbstractBaseUser) -> dict:
    """Upcoming events and the latest practices of the themes a person follows."""
    themes = Theme.objects.filter(pk__in=user.followed_themes.values("theme_id"))
    return {
        "themes": themes,
        "events": event_upcoming().filter(themes__in=themes).distinct()[:10],
        "practices": practice_list_base()
        .filter(themes__in=themes)
        .distinct()
        .order_by("-created_at", "-pk")[:10],
    }
