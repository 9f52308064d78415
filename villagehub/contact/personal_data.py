"""What the contact forms keep about people: the messages they sent, with the replies
(see core/personal_data.py)."""

from typing import Any

from villagehub.core.personal_data import Mention, Person, Share

from . import selectors, services
from .models import ContactMessage, ContactReply


def _export(person: Person) -> dict[str, Any]:
    return {"contact_messages": selectors.contact_data(emails=set(person.emails))}


def _erase(person: Person) -> dict[str, int]:
    return {"contact_messages": services.contact_messages_erase(emails=person.emails)}


SHARE = Share(
    export=_export,
    erase=_erase,
    mentions=(Mention(ContactMessage, ("body",)), Mention(ContactReply, ("body",))),
)
