from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ROLE_REQUEST = "role_request", _("A request to edit a community")
    SUBMISSION = "submission", _("A practice or profile change to review")
    NEW_COMMUNITY = "new_community", _("A proposed community")
    DATASET = "dataset", _("A new data set")
    HOST_REQUEST = "host_request", _("An offer to host a café")
    COMMENT_REPORT = "comment_report", _("A comment reported")
    CONTACT = "contact", _("A message through the contact form")
    NEWS = "news", _("A news item to publish")
    SOLUTION = "solution", _("A solution to review")
    STRATEGY = "strategy", _("A strategy to review")
    PUBLISHED = "published", _("Your work was published")
    RETURNED = "returned", _("Your work was returned with a comment")
    REGISTRATION_OPEN = "registration_open", _("Registration opened for your event")
    EVENT_FULL = "event_full", _("Your event is full")
    WAITLIST_MOVED = "waitlist_moved", _("The waiting list of your event moved")


class Notice(models.Model):
    """Something a person must know or act on (a coordinator's review, an editor's
    published or returned work, an organiser's registrations): shown in their inbox on
    /contribute/, and mailed at once, in a daily summary or never, as they chose for its
    kind."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("about"), max_length=255)
    path = models.CharField(_("where to act"), max_length=255)
    # The language of the mail: the one the person wrote in when known (an editor's
    # proposal), else the hub's default language.
    language = models.CharField(_("language"), max_length=8, blank=True)
    # Names an occasion that must give one notice only (an event filling up once), so that
    # a task run twice or two requests at once do not tell a person twice.
    key = models.CharField(_("occasion"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~Q(key=""), name="notice_once_per_occasion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class NoticePreference(models.Model):
    class Frequency(models.TextChoices):
        AT_ONCE = "at_once", _("At once")
        DAILY = "daily", _("In a daily summary")
        NEVER = "never", _("Never")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    frequency = models.CharField(
        _("e-mail"), max_length=8, choices=Frequency.choices, default=Frequency.AT_ONCE
    )

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notice_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.frequency}"
