"""Reads of comments: which items take comments, who moderates them, and an item's thread."""

from dataclasses import dataclass, field
from typing import Any, TypeAlias, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import translation

from villagehub.accounts.selectors import networks_coordinated
from villagehub.communities.models import Network
from villagehub.contributions.selectors import practices_looked_after_by
from villagehub.core.types import AnyUser, User
from villagehub.events.models import Event
from villagehub.events.selectors import event_list_base, events_managed_by
from villagehub.news.models import NewsItem
from villagehub.news.selectors import news_publishable_by
from villagehub.practices.models import Practice
from villagehub.practices.selectors import practice_list_base

from .models import Comment, CommentsOff

# The kinds of item that take comments, as they are named in addresses.
# The items people may comment on.
Commentable: TypeAlias = NewsItem | Event | Practice

KINDS: dict[str, type[Commentable]] = {"news": NewsItem, "event": Event, "practice": Practice}

# The back office moderates everything.
BACK_OFFICE_PERMISSION = "comments.change_comment"


def kind_of(item: Commentable) -> str:
    return next(kind for kind, model in KINDS.items() if isinstance(item, model))


def item_path(item: Commentable) -> str:
    """The item's address without a language prefix (for notices, read in any language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return item.get_absolute_url()


def item_get(*, kind: str, pk: int) -> Commentable:
    """A published item that may carry comments; a 404 for anything else."""
    visible = {
        "news": lambda: NewsItem.objects.filter(published_at__isnull=False),
        "event": event_list_base,
        "practice": practice_list_base,
    }
    if kind not in visible:
        raise Http404
    item = cast(Commentable | None, visible[kind]().filter(pk=pk).first())
    if item is None:
        raise Http404
    return item


def networks_of(item: Commentable) -> QuerySet[Network]:
    """The networks an item belongs to: whose coordinators moderate it and whose switch
    closes its comments."""
    if isinstance(item, NewsItem):
        condition = Q(pk=item.network_id) | Q(communities=item.community_id)
    elif isinstance(item, Event):
        condition = Q(organised_events=item.pk) | Q(series=item.series_id)
    else:
        condition = Q(communities=item.community_id)
    return Network.objects.filter(pk__in=Network.objects.filter(condition).values("pk"))


def item_moderated_by(user: AnyUser, item: Commentable) -> bool:
    """The item's authors (the news item's writer; the editors of a practice's community)
    and the coordinators of its networks moderate its comments."""
    if not user.is_authenticated:
        return False
    if user.has_perm(BACK_OFFICE_PERMISSION):
        return True
    if isinstance(item, NewsItem):
        return (
            item.written_by_id == user.pk or news_publishable_by(user).filter(pk=item.pk).exists()
        )
    if isinstance(item, Event):
        return events_managed_by(user).filter(pk=item.pk).exists()
    return practices_looked_after_by(user).filter(pk=item.pk).exists()


def comments_open(item: Commentable) -> bool:
    """Whether the item takes new comments: not closed on itself or on one of its networks."""
    return not CommentsOff.objects.filter(
        Q(content_type=ContentType.objects.get_for_model(item), object_id=item.pk)
        | Q(network__in=networks_of(item))
    ).exists()


def comments_closed_on_item(item: Commentable) -> bool:
    return CommentsOff.objects.filter(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk
    ).exists()


def comments_closed_on_network(network: Network) -> bool:
    return CommentsOff.objects.filter(network=network).exists()


def network_switchable_by(user: AnyUser, network: Network) -> bool:
    return user.is_authenticated and (
        user.has_perm(BACK_OFFICE_PERMISSION)
        or networks_coordinated(user).filter(pk=network.pk).exists()
    )


def comments_of(item: Commentable) -> QuerySet[Comment]:
    return Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk
    )


@dataclass
class Thread:
    """An item's comments in order, each top-level comment with its replies."""

    comments: list[Comment] = field(default_factory=list)
    count: int = 0


def comment_thread(item: Commentable) -> Thread:
    """One query for the whole thread, whatever its length."""
    rows = list(comments_of(item).select_related("author").order_by("created_at", "pk"))
    thread = Thread()
    tops: dict[int, Comment] = {}
    for comment in rows:
        comment.thread_replies = []
        if comment.parent_id is None:
            tops[comment.pk] = comment
            thread.comments.append(comment)
    for comment in rows:
        if comment.parent_id in tops:
            tops[comment.parent_id].thread_replies.append(comment)
    thread.count = sum(1 for c in rows if not c.is_deleted and not c.is_hidden)
    return thread


def comment_get(*, pk: int) -> Comment:
    """A comment on an item that can still be seen (its item published)."""
    comment = Comment.objects.select_related("content_type", "author").filter(pk=pk).first()
    model = comment and comment.content_type.model_class()
    kind = next((kind for kind, known in KINDS.items() if known is model), None)
    if comment is None or kind is None:
        raise Http404
    comment.item = item_get(kind=kind, pk=comment.object_id)
    return comment


def comment_get_for_author(*, pk: int, user: AnyUser) -> Comment:
    """The person's own comment (not yet deleted); someone else's is a 404."""
    comment = comment_get(pk=pk)
    if not user.is_authenticated or comment.author_id != user.pk or comment.is_deleted:
        raise Http404
    return comment


def comment_get_for_moderator(*, pk: int, user: User) -> Comment:
    comment = comment_get(pk=pk)
    if comment.is_deleted or not item_moderated_by(user, cast(Commentable, comment.item)):
        raise Http404
    return comment


def comments_data(user: User) -> list[dict[str, Any]]:
    """A person's comments, for their data export."""
    return [
        {
            "on": f"{c.content_type.model} {c.object_id}",
            "in_reply_to": c.parent_id,
            "text": c.body,
            "language": c.language,
            "written_at": c.created_at.isoformat(),
            "edited_at": c.edited_at.isoformat() if c.edited_at else None,
            "hidden": c.is_hidden,
            "hidden_reason": c.hidden_reason,
        }
        for c in Comment.objects.filter(author=user).select_related("content_type")
    ]


def comment_reports_data(user: User) -> list[dict[str, Any]]:
    return [
        {"comment": r.comment_id, "reason": r.reason, "reported_at": r.created_at.isoformat()}
        for r in user.comment_reports.all()
    ]
