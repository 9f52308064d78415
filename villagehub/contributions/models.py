"""Participation with review: people ask to edit a community; editors propose practices and
changes; coordinators of the community's networks decide."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from villagehub.core.uploads import image_validators


class _EditorRoleTarget:
    """A request or invitation names one community or one organisation to edit."""

    @property
    def target(self):
        return self.community or self.organisation

    @property
    def kind(self) -> str:
        from villagehub.accounts.models import Role

        return Role.Kind.COMMUNITY_EDITOR if self.community_id else Role.Kind.ORGANISATION_EDITOR


class RoleRequest(_EditorRoleTarget, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_requests"
    )
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_requests",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_requests",
    )
    message = models.TextField(_("message to the coordinators"), blank=True, max_length=1000)
    # The language the person uses the hub in: the decision is written to them in it.
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("request to edit a community")
        verbose_name_plural = _("requests to edit a community")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "community"],
                condition=Q(status="pending", community__isnull=False),
                name="role_request_one_pending",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(status="pending", organisation__isnull=False),
                name="role_request_one_pending_organisation",
            ),
            models.CheckConstraint(
                condition=Q(community__isnull=False, organisation__isnull=True)
                | Q(community__isnull=True, organisation__isnull=False),
                name="role_request_names_one_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.target}"


def _submission_upload(submission: "Submission", filename: str) -> str:
    # A draft's image must not be found by guessing its address.
    return f"submissions/{secrets.token_urlsafe(16)}/{filename}"


class Submission(models.Model):
    """A new practice or a change to one, as an editor proposes it; the published practice
    stays as it is until a coordinator publishes the submission."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        PUBLISHED = "published", _("Published")
        RETURNED = "returned", _("Returned with a comment")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    class Kind(models.TextChoices):
        PRACTICE = "practice", _("Practice")
        COMMUNITY = "community", _("Community profile")
        ORGANISATION = "organisation", _("Organisation profile")
        NEW_COMMUNITY = "new_community", _("New community")
        FACTSHEET = "factsheet", _("Country factsheet")
        NEW_PROVIDER = "new_provider", _("New solution provider")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="submissions",
    )
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="submissions",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="submissions",
    )
    practice = models.ForeignKey(
        "practices.Practice",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="submissions",
        help_text=_("Empty for a new practice."),
    )
    # A practice presented at an event, proposed by its organisers: published, it is linked
    # to the event both ways.
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("presented at"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practice_proposals",
    )
    # A community not yet in the hub asks to join this network; its coordinators review.
    network = models.ForeignKey(
        "communities.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="submissions",
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.PRACTICE)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    data = models.JSONField(_("proposed content"), default=dict)
    language = models.CharField(max_length=8, default="en")
    image = models.FileField(
        _("image"),
        upload_to=_submission_upload,
        blank=True,
        validators=image_validators(max_bytes=5 * 1024 * 1024),
    )
    comment = models.TextField(_("coordinator's comment"), blank=True)
    # The practice's values before publication: with author and time, the record's history.
    previous = models.JSONField(_("values before the change"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        if self.kind in (self.Kind.NEW_COMMUNITY, self.Kind.NEW_PROVIDER):
            return self.data.get("name", "") or str(self.pk)
        if self.kind == self.Kind.COMMUNITY:
            return str(self.community)
        if self.kind == self.Kind.ORGANISATION:
            return str(self.organisation)
        if self.kind == self.Kind.FACTSHEET:
            return str(countries.name(self.data.get("country", ""))) or str(self.pk)
        return self.data.get("title", "") or str(self.pk)


class Invitation(_EditorRoleTarget, models.Model):
    """A coordinator invites someone by e-mail to edit a community (or the back office, an
    organisation); the signed link in the e-mail gives the role to the account that holds
    that (verified) address."""

    email = models.EmailField(_("e-mail"))
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(community__isnull=False, organisation__isnull=True)
                | Q(community__isnull=True, organisation__isnull=False),
                name="invitation_names_one_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.target}"
