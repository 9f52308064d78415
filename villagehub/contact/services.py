"""Messages through the contact forms and the coordinators' replies: the one write path."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from villagehub.communities.models import Network
from villagehub.core.services import model_save
from villagehub.core.types import User
from villagehub.notices.models import Kind
from villagehub.notices.selectors import path_for
from villagehub.notices.services import notices_create

from . import tasks
from .models import ContactMessage, ContactReply
from .selectors import contact_messages_for, networks_reached


@transaction.atomic
def contact_message_create(
    *,
    name: str,
    email: str,
    body: str,
    language: str,
    consent: bool,
    network: Network | None = None,
    country: str = "",
) -> ContactMessage:
    """Keep the message and tell the coordinators who read it (a notice each, mailed as
    they chose). The notice names the page, not the sender: the message stays here."""
    if not consent:
        raise ValidationError(
            {"consent": _("Agree that the hub keeps your message so that it can be answered.")}
        )
    message = model_save(
        ContactMessage(network=network, country=country.upper()),
        {
            "name": name.strip(),
            "email": email.strip().lower(),
            "body": body.strip(),
            "language": language,
            "consent_at": timezone.now(),
            "consent_notice_version": settings.PRIVACY_NOTICE_VERSION,
        },
    )
    # Lazy: each coordinator reads the sentence, and the country's name, in their language.
    place = network.name if network is not None else lazy(countries.name, str)(country.upper())
    notices_create(
        networks=networks_reached(network=network, country=country),
        kind=Kind.CONTACT,
        subject=format_lazy(
            gettext_lazy("A message through the contact form of {place}"), place=place
        ),
        path=path_for("contact:message", message.pk),
    )
    return message


@transaction.atomic
def contact_reply_send(*, message: ContactMessage, by: User, body: str) -> ContactReply:
    """A coordinator answers: the reply is kept with the message and mailed to the sender
    after the commit."""
    if not contact_messages_for(by).filter(pk=message.pk).exists():
        raise PermissionDenied
    if not (body or "").strip():
        raise ValidationError({"body": _("Write your reply first.")})
    reply = model_save(ContactReply(message=message, by=by), {"body": body.strip()})
    transaction.on_commit(lambda: tasks.contact_reply_mail.enqueue(reply.pk))
    return reply


def contact_reply_claim(*, reply_id: int) -> bool:
    """A reply is mailed at most once: the claim is a conditional update."""
    return bool(
        ContactReply.objects.filter(pk=reply_id, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
    )


@transaction.atomic
def contact_messages_erase(*, emails: Iterable[str]) -> int:
    """Delete the messages sent from these addresses (erasure), with their replies."""
    emails = {e.strip().lower() for e in emails}
    messages = ContactMessage.objects.filter(email__in=emails)
    count = messages.count()
    messages.delete()
    return count


@transaction.atomic
def contact_messages_delete_expired(*, days: int) -> int:
    """Delete the messages older than the retention period, with their replies; returns the
    messages deleted."""
    old = ContactMessage.objects.filter(created_at__lt=timezone.now() - timedelta(days=days))
    count = old.count()
    old.delete()
    return count
