"""Writing comments, moderating them and closing them: the one write path of comments."""

from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villagehub.communities.models import Network
from villagehub.core.services import model_save
from villagehub.core.types import AnyUser, User
from villagehub.notices.models import Kind
from villagehub.notices.services import notices_create

from .models import Comment, CommentReport, CommentsOff
from .selectors import (
    Commentable,
    comments_open,
    item_moderated_by,
    item_path,
    network_switchable_by,
    networks_of,
)


def _body_checked(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    return body


@transaction.atomic
def comment_create(
    *,
    item: Commentable,
    author: AnyUser,
    body: str,
    language: str,
    parent: Comment | None = None,
) -> Comment:
    """A comment under an item, or a reply to one of its top-level comments."""
    if not author.is_authenticated:
        raise PermissionDenied
    if not comments_open(item):
        raise ValidationError({"body": _("Comments are closed here.")})
    content_type = ContentType.objects.get_for_model(item)
    if parent is not None and (
        parent.content_type_id != content_type.pk
        or parent.object_id != item.pk
        or parent.parent_id is not None
        or parent.is_deleted
    ):
        raise ValidationError({"parent": _("Reply to a comment of this page.")})
    return model_save(
        Comment(content_type=content_type, object_id=item.pk, parent=parent, author=author),
        {"body": _body_checked(body), "language": language},
    )


@transaction.atomic
def comment_update(*, comment: Comment, by: User, body: str, language: str) -> Comment:
    if comment.author_id != by.pk or comment.is_deleted:
        raise PermissionDenied
    return model_save(
        comment,
        {"body": _body_checked(body), "language": language, "edited_at": timezone.now()},
    )


def _remove(comment: Comment) -> None:
    """Delete a comment; one with replies keeps its place, without text or author. A
    placeholder left without replies goes too."""
    if comment.parent_id is None and comment.replies.exists():
        Comment.objects.filter(pk=comment.pk).update(
            body="", author=None, deleted_at=timezone.now(), hidden_reason=""
        )
        return
    parent_id = comment.parent_id
    comment.delete()
    if parent_id is not None:
        Comment.objects.filter(
            pk=parent_id, deleted_at__isnull=False, replies__isnull=True
        ).delete()


@transaction.atomic
def comment_delete(*, comment: Comment, by: User) -> None:
    """The author takes their comment back."""
    if comment.author_id != by.pk or comment.is_deleted:
        raise PermissionDenied
    _remove(comment)


@transaction.atomic
def comments_erase(*, user: User) -> int:
    """Every comment a person wrote goes (erasure); returns how many."""
    # Replies first, so that a comment of theirs with only their replies goes entirely.
    comments = list(
        Comment.objects.filter(author=user).order_by(F("parent_id").desc(nulls_last=True), "pk")
    )
    for comment in comments:
        comment.refresh_from_db()
        _remove(comment)
    return len(comments)


@transaction.atomic
def comment_hide(*, comment: Comment, by: User, reason: str) -> Comment:
    if not item_moderated_by(by, cast(Commentable, comment.item)):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the comment is hidden.")})
    return model_save(
        comment, {"hidden_at": timezone.now(), "hidden_by": by, "hidden_reason": reason}
    )


@transaction.atomic
def comment_restore(*, comment: Comment, by: User) -> Comment:
    if not item_moderated_by(by, cast(Commentable, comment.item)):
        raise PermissionDenied
    return model_save(comment, {"hidden_at": None, "hidden_by": None, "hidden_reason": ""})


@transaction.atomic
def comment_report(*, comment: Comment, by: AnyUser, reason: str) -> bool:
    """Tell the coordinators of the item's networks (a notice each) that a comment should
    not be there; returns whether this report is new.

    A person signed in reports a comment once. Anyone else may report too (the view limits
    how often an address posts; the address is not stored): each such report is kept, but
    the coordinators hear only of a comment's first report, so that visitors cannot flood
    them."""
    if comment.is_deleted:
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what is wrong with the comment.")})
    if not by.is_authenticated:
        reported_before = comment.reports.exists()
        CommentReport.objects.create(comment=comment, by=None, reason=reason[:300])
        if reported_before:
            return True
    else:
        try:
            with transaction.atomic():
                _report, created = CommentReport.objects.get_or_create(
                    comment=comment, by=by, defaults={"reason": reason[:300]}
                )
        except IntegrityError:  # the same person's report, a moment earlier
            return False
        if not created:
            return False
    item = cast(Commentable, comment.item)
    notices_create(
        networks=networks_of(item),
        kind=Kind.COMMENT_REPORT,
        subject=format_lazy(gettext_lazy("A comment on “{title}”"), title=str(item)),
        path=f"{item_path(item)}#comment-{comment.pk}",
    )
    return True


@transaction.atomic
def comments_switch(
    *, by: User, open: bool, item: Commentable | None = None, network: Network | None = None
) -> None:
    """Open or close comments on one item (its moderators) or on a network's items (its
    coordinators)."""
    if (item is None) == (network is None):
        raise ValueError("an item or a network")
    if item is not None:
        if not item_moderated_by(by, item):
            raise PermissionDenied
        where: dict[str, Any] = {
            "content_type": ContentType.objects.get_for_model(item),
            "object_id": item.pk,
        }
    elif network is not None:
        if not network_switchable_by(by, network):
            raise PermissionDenied
        where = {"network": network}
    if open:
        CommentsOff.objects.filter(**where).delete()
    else:
        CommentsOff.objects.get_or_create(**where)
