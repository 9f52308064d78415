"""Who may do what: every lookup that depends on the person asking goes through here."""

from allauth.account.authentication import get_authentication_records
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Role


def networks_coordinated(user: AbstractBaseUser) -> QuerySet:
    from villagehub.communities.models import Network

    if not user.is_authenticated:
        return Network.objects.none()
    return Network.objects.filter(
        pk__in=Role.objects.filter(user=user, kind=Role.Kind.COORDINATOR).values("network_id")
    )


def two_factor_enabled(user: AbstractBaseUser) -> bool:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user, types=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])


def two_factor_passed(request: HttpRequest) -> bool:
    """Whether this session proved the second factor: allauth records every authentication
    step of a session (password, then "mfa" at sign-in or on re-authentication). Having an
    authenticator is not enough: a session opened with the password alone has no such step."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


def person_data(*, email: str, user: AbstractBaseUser | None = None) -> dict:
    """All personal data the hub holds about a person (GDPR art. 15 and 20), as JSON-ready
    data: their account if they have one, and everything tied to their e-mail addresses."""
    from allauth.account.models import EmailAddress

    from villagehub.core.models import OutboxMessage
    from villagehub.events.selectors import registrations_data
    from villagehub.news.selectors import subscriptions_data

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
        from villagehub.contributions.models import RoleRequest, Submission

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
        account["requests_to_edit"] = [
            {"record": str(r.target), "message": r.message, "status": r.status}
            for r in RoleRequest.objects.filter(user=user).select_related(
                "community", "organisation"
            )
        ]
    from villagehub.contributions.models import Invitation

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


def api_token_user(key: str):
    """The owner of an API key, or None; records when the key was last used."""
    from django.utils import timezone

    from .models import ApiToken
    from .services import api_key_hash

    if not key.startswith("vh_") or len(key) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=api_key_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def followed_news(user: AbstractBaseUser) -> dict:
    """Upcoming events and the latest practices of the themes a person follows."""
    from villagehub.events.selectors import event_upcoming
    from villagehub.practices.selectors import practice_list_base
    from villagehub.taxonomy.models import Theme

    themes = Theme.objects.filter(pk__in=user.followed_themes.values("theme_id"))
    return {
        "themes": themes,
        "events": event_upcoming().filter(themes__in=themes).distinct()[:10],
        "practices": practice_list_base()
        .filter(themes__in=themes)
        .distinct()
        .order_by("-created_at", "-pk")[:10],
    }
