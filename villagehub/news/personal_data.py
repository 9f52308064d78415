"""What news keeps about people: newsletter subscriptions (see core/personal_data.py)."""

from typing import Any

from villagehub.core.personal_data import Person, Share

from . import selectors, services


def _export(person: Person) -> dict[str, Any]:
    return {"newsletter_subscriptions": selectors.subscriptions_data(emails=person.emails)}


def _erase(person: Person) -> dict[str, int]:
    return {"subscriptions": services.subscriptions_erase(emails=person.emails)}


SHARE = Share(export=_export, erase=_erase)
