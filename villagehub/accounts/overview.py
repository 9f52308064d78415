"""What a person's own pages show: all the data the hub holds about them (`person_data`, for
the "my data" page, the download and the erasure requests, gathered through the registry in
core/personal_data.py) and the news of the themes they follow. Erasure is
`services.person_erase`.

This module sits above the apps' selectors; `accounts.selectors` ("who may do what") sits
below them, so that the apps may ask it who coordinates what without an import circle.
"""

from typing import Any

from villagehub.core.personal_data import person_export
from villagehub.core.types import User
from villagehub.events.selectors import event_upcoming
from villagehub.practices.selectors import practice_list_base
from villagehub.taxonomy.models import Theme

from .personal_data import account_data, person_find


def person_data(*, email: str, user: User | None = None) -> dict[str, Any]:
    """All personal data the hub holds about a person (GDPR art. 15 and 20), as JSON-ready
    data: their account if they have one, and everything tied to their e-mail addresses, as
    every app declares it in its personal_data.py."""
    person = person_find(email=email, user=user)
    data = person_export(person)
    if person.account is not None:
        data["account"] = {**account_data(person.account), **data["account"]}
    return data


def followed_news(user: User) -> dict[str, Any]:
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
