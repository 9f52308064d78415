"""What contributions keep about people: their proposals, their requests to edit a record
and the invitations sent to their addresses (see core/personal_data.py)."""

from typing import Any

from django.contrib.auth.models import User

from villagehub.core.personal_data import Mention, Person, Share

from . import services
from .models import Invitation, RoleRequest, Submission


def _account(user: User) -> dict[str, Any]:
    return {
        "requests_to_edit": [
            {"record": str(r.target), "message": r.message, "status": r.status}
            for r in RoleRequest.objects.filter(user=user).select_related(
                "community", "organisation"
            )
        ]
    }


def _export(person: Person) -> dict[str, Any]:
    contributions = []
    if person.account is not None:
        contributions = [
            {
                "kind": s.kind,
                "record": str(s.community or s.organisation),
                "status": s.status,
                "proposed": s.data,
                "comment": s.comment,
                "updated_at": s.updated_at.isoformat(),
            }
            for s in Submission.objects.filter(author=person.account).select_related(
                "community", "organisation"
            )
        ]
    return {
        "contributions": contributions,
        "invitations": [
            {
                "email": i.email,
                "to_edit": str(i.target),
                "invited_at": i.created_at.isoformat(),
                "accepted_at": i.accepted_at.isoformat() if i.accepted_at else None,
            }
            for i in Invitation.objects.filter(email__in=person.emails).select_related(
                "community", "organisation"
            )
        ],
    }


def _erase(person: Person) -> dict[str, int]:
    submissions = 0
    if person.account is not None:
        submissions = services.submissions_erase(author=person.account)
    return {
        "submissions": submissions,
        "invitations": services.invitations_erase(emails=person.emails),
    }


SHARE = Share(
    account=_account,
    export=_export,
    erase=_erase,
    mentions=(Mention(Submission, ("data", "previous", "comment")),),
)
