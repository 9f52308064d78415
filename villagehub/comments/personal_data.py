"""What comments keep about people: the comments they wrote, the ones they reported, and
their names in other people's comments (see core/personal_data.py)."""

from typing import Any

from villagehub.core.personal_data import Mention, Person, Share

from . import selectors, services
from .models import Comment, CommentReport


def _export(person: Person) -> dict[str, Any]:
    account = person.account
    return {
        "comments": selectors.comments_data(account) if account is not None else [],
        "comment_reports": selectors.comment_reports_data(account) if account is not None else [],
    }


def _erase(person: Person) -> dict[str, int]:
    if person.account is None:
        return {}
    return {"comments": services.comments_erase(user=person.account)}


SHARE = Share(
    export=_export,
    erase=_erase,
    mentions=(
        Mention(Comment, ("body", "hidden_reason")),
        Mention(CommentReport, ("reason",)),
    ),
)
