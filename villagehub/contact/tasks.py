from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_countries import countries
from django_tasks import task

from villagehub.accounts.selectors import language_of_address
from villagehub.core.mail import email_send
from villagehub.core.tasks import task_again

from . import services
from .models import ContactReply

RETENTION_TASK_INTERVAL = timedelta(days=1)


@task()
def contact_reply_mail(reply_id: int) -> bool:
    """Mail a coordinator's reply to the person who wrote (at most once)."""
    if not services.contact_reply_claim(reply_id=reply_id):
        return False
    reply = ContactReply.objects.select_related("message__network", "by").get(pk=reply_id)
    message = reply.message
    place = message.network.name if message.network else str(countries.name(message.country))
    headers = {"Reply-To": reply.by.email} if reply.by and reply.by.email else {}
    # Someone whose account holds the address reads it in the language they chose for it;
    # anyone else in the language of the page they wrote from.
    language = language_of_address(message.email) or message.language
    email_send(
        to=message.email,
        template="contact/reply",
        context={"message": message, "reply": reply, "place": place},
        language=language,
        headers=headers,
    )
    return True


@task()
def contact_retention_run() -> int:
    """Delete the contact messages older than `CONTACT_RETENTION_DAYS`, then queue the next
    daily run (the worker queues the first)."""
    deleted = services.contact_messages_delete_expired(days=settings.CONTACT_RETENTION_DAYS)
    task_again(contact_retention_run, at=timezone.now() + RETENTION_TASK_INTERVAL)
    return deleted
