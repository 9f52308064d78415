"""Comments on news items, events and practices, and the switches that close them.

A comment points at its item through a generic relation (content type and id): one table
for the three kinds, read with one query per page (`selectors.comment_thread`).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villagehub.core.models import CONTENT_LANGUAGES


class Comment(models.Model):
    """What a signed-in person wrote under an item, or in reply to a top-level comment
    (one level: a reply has no replies). Moderators hide a comment with a reason and may
    restore it; its author edits or deletes it. A deleted comment that has replies keeps its
    place without its text or author, so the replies still read in order."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    # The replies shown under a top-level comment, set by `selectors.comment_thread`.
    thread_replies: list["Comment"]
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    body = models.TextField(_("comment"), max_length=4000, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=CONTENT_LANGUAGES, default="en"
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} #{self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class CommentReport(models.Model):
    """Someone told the moderators that a comment should not be there: a person signed in
    (once per comment), or a visitor without an account (`by` empty: nothing about them is
    kept)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="comment_reports",
        null=True,
        blank=True,
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        constraints = [
            models.UniqueConstraint(fields=["comment", "by"], name="comment_report_once")
        ]

    def __str__(self) -> str:
        return f"#{self.comment_id}: {self.reason}"


class CommentsOff(models.Model):
    """Comments are closed on one item, or on everything a network publishes or organises:
    the row's presence is the switch."""

    network = models.OneToOneField(
        "communities.Network",
        verbose_name=_("network"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), auto_now_add=True)

    class Meta:
        verbose_name = _("comments closed")
        verbose_name_plural = _("comments closed")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(network__isnull=False, content_type__isnull=True, object_id__isnull=True)
                    | Q(network__isnull=True, content_type__isnull=False, object_id__isnull=False)
                ),
                name="comments_off_network_or_item",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="comments_off_item_once"
            ),
        ]

    def __str__(self) -> str:
        return str(self.network_id or f"{self.content_type_id}:{self.object_id}")
