"""One-to-one meetings at an event (brokerage, as b2match runs them): the event's slots
and tables, each participant's profile, the requests between them and the meetings the
scheduler placed."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villagehub.core.models import Timestamped


class Matchmaking(Timestamped):
    """An event's offer of one-to-one meetings, and what the last scheduler run reported."""

    event = models.OneToOneField(
        "events.Event", on_delete=models.CASCADE, related_name="matchmaking"
    )
    is_open = models.BooleanField(
        _("open to participants"),
        default=True,
        help_text=_("Participants may fill their profile and ask for meetings."),
    )
    tables = models.PositiveSmallIntegerField(
        _("tables"), default=10, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    # Raised by every scheduler run: an agenda e-mail is sent once per plan.
    plan_version = models.PositiveIntegerField(default=0, editable=False)
    planned_at = models.DateTimeField(null=True, blank=True, editable=False)
    plan_objective = models.PositiveIntegerField(null=True, blank=True, editable=False)
    plan_bound = models.PositiveIntegerField(null=True, blank=True, editable=False)
    plan_status = models.CharField(max_length=20, blank=True, editable=False)
    plan_seconds = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("matchmaking")
        verbose_name_plural = _("matchmaking")

    def __str__(self) -> str:
        return str(self.event)


class Slot(models.Model):
    matchmaking = models.ForeignKey(Matchmaking, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    is_break = models.BooleanField(_("break"), default=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The slot ends before it starts.")})


class MatchProfile(Timestamped):
    """A participant's card: held by a confirmed registration of the event."""

    matchmaking = models.ForeignKey(Matchmaking, on_delete=models.CASCADE, related_name="profiles")
    registration = models.OneToOneField(
        "events.Registration", on_delete=models.CASCADE, related_name="match_profile"
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    offers = models.TextField(_("what you offer"), max_length=2000, blank=True)
    needs = models.TextField(_("what you are looking for"), max_length=2000, blank=True)
    available_slots = models.ManyToManyField(
        Slot, verbose_name=_("available"), blank=True, related_name="available_profiles"
    )
    # The plan version whose agenda this person was last sent (see `plan_version`).
    agenda_sent_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["organisation", "pk"]
        verbose_name = _("participant profile")
        verbose_name_plural = _("participant profiles")

    def __str__(self) -> str:
        return self.organisation


class MeetingRequest(Timestamped):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    class Priority(models.IntegerChoices):
        LOW = 1, _("Low")
        NORMAL = 2, _("Normal")
        HIGH = 3, _("High")

    OPEN = (Status.REQUESTED, Status.ACCEPTED)

    matchmaking = models.ForeignKey(Matchmaking, on_delete=models.CASCADE, related_name="requests")
    requester = models.ForeignKey(
        MatchProfile, on_delete=models.CASCADE, related_name="requests_made"
    )
    recipient = models.ForeignKey(
        MatchProfile, on_delete=models.CASCADE, related_name="requests_received"
    )
    message = models.TextField(_("message"), max_length=1000, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(requester=models.F("recipient")), name="request_not_to_self"
            ),
            models.UniqueConstraint(
                fields=["requester", "recipient"],
                condition=Q(status__in=["requested", "accepted"]),
                name="request_one_open_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["matchmaking", "status"])]

    def __str__(self) -> str:
        return f"{self.requester} → {self.recipient}"


class Meeting(Timestamped):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")

    request = models.OneToOneField(MeetingRequest, on_delete=models.CASCADE, related_name="meeting")
    matchmaking = models.ForeignKey(Matchmaking, on_delete=models.CASCADE, related_name="meetings")
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="meetings")
    table = models.PositiveSmallIntegerField(_("table"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    requester_outcome = models.TextField(_("what came of it"), max_length=2000, blank=True)
    recipient_outcome = models.TextField(_("what came of it"), max_length=2000, blank=True)

    class Meta:
        ordering = ["slot__starts_at", "table", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(fields=["slot", "table"], name="meeting_one_per_table")
        ]

    def __str__(self) -> str:
        return f"{self.request} ({self.slot}, {self.table})"
