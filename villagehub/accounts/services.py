import json
import re

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from villagehub.comments.services import comments_erase
from villagehub.contact.services import contact_messages_erase
from villagehub.core.services import model_save
from villagehub.events.selectors import registration_names
from villagehub.events.services import registrations_erase
from villagehub.news.services import subscriptions_erase

from .models import ApiToken, Role


@transaction.atomic
def role_grant(*, user: AbstractBaseUser, kind: str, target) -> Role:
    """Give a person a role for a network (coordinator), community or organisation (editor)."""
    field = Role.TARGETS[kind]
    existing = Role.objects.filter(user=user, kind=kind, **{field: target}).first()
    return existing or model_save(Role(user=user, kind=kind), {field: target})


@transaction.atomic
def role_revoke(*, user: AbstractBaseUser, kind: str, target) -> None:
    Role.objects.filter(user=user, kind=kind, **{Role.TARGETS[kind]: target}).delete()


@transaction.atomic
def person_erase(*, email: str, user: AbstractBaseUser | None = None) -> int:
    """Erase a person (GDPR art. 17): their account with its addresses, roles and
    authenticators, their unpublished proposals, the personal data of every registration
    made with their addresses (upcoming places are given up, as by a cancellation, so that
    the people waiting move up), and every mention of their addresses, username or names
    in the hub's logs: the back office's change log, record revisions, proposals and the
    outbox. Anonymous totals (attendance, survey scores) stay. Returns the registrations
    erased."""
    from allauth.account.models import EmailAddress

    from villagehub.contributions.models import Invitation, Submission

    emails = {email.strip().lower()}
    traces = set()
    if user is not None and user.is_authenticated:
        emails |= {
            e.lower()
            for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
        }
        traces |= {user.get_username(), user.get_full_name()}
        Submission.objects.filter(author=user).exclude(status=Submission.Status.PUBLISHED).delete()
        comments_erase(user=user)
        user.delete()
    traces |= emails | registration_names(emails)
    Invitation.objects.filter(email__in=emails).delete()
    subscriptions_erase(emails=emails)
    contact_messages_erase(emails=emails)
    erased = sum(registrations_erase(email=e) for e in sorted(emails))
    mentions_erase(traces=traces)
    return erased


def mentions_erase(*, traces: set[str]) -> None:
    """Remove every mention of these words (a person's addresses, username, names) from the
    tables that copy text about people: messages naming them are deleted, log rows keep
    their place with the words replaced by “—”."""
    from django.contrib.admin.models import LogEntry

    from villagehub.comments.models import Comment, CommentReport
    from villagehub.contact.models import ContactMessage, ContactReply
    from villagehub.contributions.models import Submission
    from villagehub.core.models import OutboxMessage, Revision
    from villagehub.events.models import Photo, SpeakerConsent

    traces = {t.strip() for t in traces if len(t.strip()) >= _SHORTEST_TRACE}
    if not traces:
        return
    _rows_mentioning(OutboxMessage, ("to", "subject", "body", "html"), traces).delete()
    # Without its row a speaker's consent reads as refused: they are no longer named.
    _rows_mentioning(SpeakerConsent, ("speaker",), traces).delete()
    pattern = re.compile(
        "|".join(rf"(?<!\w){re.escape(t)}(?!\w)" for t in sorted(traces, key=len, reverse=True)),
        re.IGNORECASE,
    )
    for model, fields in (
        (LogEntry, ("object_repr", "change_message")),
        (Revision, ("changes",)),
        (Submission, ("data", "previous", "comment")),
        (Comment, ("body", "hidden_reason")),
        (CommentReport, ("reason",)),
        (ContactMessage, ("body",)),
        (ContactReply, ("body",)),
        (Photo, ("description",)),
    ):
        for row in _rows_mentioning(model, fields, traces).only("pk", *fields):
            model.objects.filter(pk=row.pk).update(
                **{f: _words_replaced(getattr(row, f), pattern) for f in fields}
            )


# Shorter words (initials, "Ana") would blank unrelated text in the logs.
_SHORTEST_TRACE = 4


def _rows_mentioning(model, fields: tuple[str, ...], traces: set[str]):
    condition = Q()
    for field in fields:
        for trace in traces:
            # JSON columns may hold non-ASCII letters escaped (\u00e5).
            for form in {trace, json.dumps(trace)[1:-1]}:
                condition |= Q(**{f"{field}__icontains": form})
    return model.objects.filter(condition)


def _words_replaced(value, pattern: re.Pattern):
    if isinstance(value, str):
        return pattern.sub("—", value)
    if isinstance(value, list):
        return [_words_replaced(v, pattern) for v in value]
    if isinstance(value, dict):
        return {_words_replaced(k, pattern): _words_replaced(v, pattern) for k, v in value.items()}
    return value


def api_key_hash(key: str) -> str:
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()


def api_token_use(*, key: str) -> User | None:
    """The owner of an API key, or None; records when the key was last used."""
    if not key.startswith("vh_") or len(key) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=api_key_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str):
    """Make a token; returns it with its key, which is not stored and is shown only now."""
    import secrets

    from .models import ApiToken

    key = "vh_" + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip(), prefix=key[:10], key_hash=api_key_hash(key))
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, pk: int) -> None:
    user.api_tokens.filter(pk=pk).delete()


@transaction.atomic
def themes_follow_set(*, user: AbstractBaseUser, themes) -> None:
    """Follow exactly these themes."""
    from .models import ThemeFollow

    themes = list(themes)
    ThemeFollow.objects.filter(user=user).exclude(theme__in=themes).delete()
    for theme in themes:
        ThemeFollow.objects.get_or_create(user=user, theme=theme)
