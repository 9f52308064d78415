"""The knowledge-exchange programme: events, their series, registrations and feedback."""

import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from villagehub.core.models import LANGUAGE_CODES, Sourced, Timestamped, TranslatableContent
from villagehub.core.uploads import image_validators

DEFAULT_REMINDER_MINUTES = [24 * 60, 60]
DEFAULT_OFFER_HOURS = 48


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(zone)s” is not a time zone name such as Europe/Ljubljana."),
            params={"zone": value},
        )


def validate_language_list(value: object) -> None:
    from villagehub.core.models import CONTENT_LANGUAGE_CODES

    if not isinstance(value, list) or not all(
        isinstance(code, str) and code in CONTENT_LANGUAGE_CODES for code in value
    ):
        raise ValidationError(_("Languages must be a list of EU language codes such as “en”."))


def validate_reminder_minutes(value: object) -> None:
    if not isinstance(value, list) or not all(
        isinstance(m, int) and not isinstance(m, bool) and 0 < m <= 60 * 24 * 60 for m in value
    ):
        raise ValidationError(
            _("Reminders must be a list of minutes before the start, e.g. [1440, 60].")
        )


class Series(TranslatableContent, Sourced, Timestamped):
    """A run of events under one name: numbered cafés, a yearly conference."""

    translatable_fields = ("name", "description")

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    networks = models.ManyToManyField(
        "communities.Network", verbose_name=_("networks"), blank=True, related_name="series"
    )
    organisations = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("organisations"),
        blank=True,
        related_name="series",
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisers"),
        blank=True,
        related_name="series_organised",
        help_text=_("People who run this series's events besides its networks' coordinators."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("event series")
        verbose_name_plural = _("event series")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("events:series", kwargs={"slug": self.slug})


class Event(TranslatableContent, Sourced, Timestamped):
    class Kind(models.TextChoices):
        CAFE = "cafe", _("Café")
        WEBINAR = "webinar", _("Webinar")
        WORKSHOP = "workshop", _("Workshop")
        CONFERENCE = "conference", _("Conference")
        CLUSTER_MEETING = "cluster_meeting", _("Cluster meeting")
        STUDY_VISIT = "study_visit", _("Study visit")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    class DatePrecision(models.TextChoices):
        # Sources often give only a day or a year; the hub shows no more than it knows.
        MINUTE = "minute", _("Date and time")
        DAY = "day", _("Day (time not known)")
        YEAR = "year", _("Year only")
        UNKNOWN = "unknown", _("Not known")

    translatable_fields = (
        "title", "summary", "description", "objectives", "date_note", "report_summary",
        "report_key_points",
    )  # fmt: skip

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    series = models.ForeignKey(
        Series,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    number = models.PositiveSmallIntegerField(_("number in the series"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    summary = models.TextField(_("summary"), max_length=600, blank=True)
    description = models.TextField(_("description"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True, help_text=_("One per line."))
    organiser_networks = models.ManyToManyField(
        "communities.Network",
        verbose_name=_("organising networks"),
        blank=True,
        related_name="organised_events",
    )
    organiser_organisations = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("organising organisations"),
        blank=True,
        related_name="organised_events",
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisers"),
        blank=True,
        related_name="events_organised",
        help_text=_("People who run this event besides its networks' coordinators."),
    )
    host_community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("host community"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_events",
    )
    host_representatives = models.ManyToManyField(
        "communities.Representative",
        verbose_name=_("host representatives"),
        blank=True,
        related_name="hosted_events",
    )
    themes = models.ManyToManyField(
        "taxonomy.Theme", verbose_name=_("themes"), blank=True, related_name="events"
    )
    goals = models.ManyToManyField(
        "taxonomy.Goal", verbose_name=_("Agenda 2030 goals"), blank=True, related_name="events"
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        validators=[validate_language_list],
        help_text=_('Language codes, e.g. ["en", "sl"].'),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Brussels", validators=[validate_time_zone]
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"),
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.MINUTE,
    )
    date_note = models.CharField(
        _("note on the date"),
        max_length=200,
        blank=True,
        help_text=_("What the source says when the exact date is not known."),
    )
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    venue_address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("town or city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    online_url = models.URLField(
        _("online meeting link"),
        blank=True,
        help_text=_("Shown only to registered participants."),
    )
    low_bandwidth = models.TextField(
        _("dial-in or low-bandwidth alternative"),
        blank=True,
        max_length=1000,
        help_text=_(
            "A telephone number with its access code, or a light way to follow (audio only, "
            "a chat). Shown only to confirmed participants, like the meeting link."
        ),
    )
    capacity = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        help_text=_("The foreseen number of participants; empty for no limit."),
    )
    registration_open = models.BooleanField(_("registration in the hub"), default=False)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    waiting_list = models.BooleanField(_("waiting list when full"), default=True)
    requires_approval = models.BooleanField(_("organiser approves registrations"), default=False)
    waitlist_offers = models.BooleanField(
        _("offer freed places for a limited time"),
        default=False,
        help_text=_(
            "When a place frees up, the first person waiting gets an offer to accept in the "
            "time below, then it passes to the next. Off: the first person waiting gets the "
            "place at once."
        ),
    )
    waitlist_offer_hours = models.PositiveSmallIntegerField(
        _("hours to accept an offered place"),
        default=DEFAULT_OFFER_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
    )
    reminder_minutes = models.JSONField(
        _("reminders (minutes before the start)"),
        default=list,
        blank=True,
        validators=[validate_reminder_minutes],
    )
    practices = models.ManyToManyField(
        "practices.Practice", verbose_name=_("practices"), blank=True, related_name="events"
    )
    feedback_published = models.BooleanField(_("publish the feedback summary"), default=False)
    check_in_minutes_before = models.PositiveIntegerField(
        _("check-in opens (minutes before the start)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(60 * 24 * 14)],
        help_text=_("Empty: from the start of the event's day, in its time zone."),
    )
    report_summary = models.TextField(_("report: summary"), blank=True, max_length=4000)
    report_key_points = models.TextField(
        _("report: key points"), blank=True, max_length=4000, help_text=_("One per line.")
    )
    report_published = models.BooleanField(_("report published"), default=False)
    recording_published = models.BooleanField(
        _("recording published"),
        default=False,
        help_text=_("The report links the recording only once the organisers publish it."),
    )
    # RFC 5545 SEQUENCE: raised whenever the time, place or status changes.
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "number"], name="event_number_unique_in_series"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = _("The event ends before it starts.")
        if self.date_precision != self.DatePrecision.UNKNOWN and not self.starts_at:
            errors["starts_at"] = _("Give the start, or set the date precision to “Not known”.")
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at < self.registration_opens_at
        ):
            errors["registration_closes_at"] = _("Registration closes before it opens.")
        if self.registration_open and self.date_precision != self.DatePrecision.MINUTE:
            errors["registration_open"] = _(
                "Registration needs the exact start date and time of the event."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)

    @property
    def is_on_site(self) -> bool:
        return bool(self.venue_name or self.city or self.latitude is not None)

    @property
    def reminders(self) -> list[int]:
        return self.reminder_minutes or DEFAULT_REMINDER_MINUTES

    @property
    def end_or_start(self):
        return self.ends_at or self.starts_at

    def is_past(self, now=None) -> bool:
        end = self.end_or_start
        return bool(end and end < (now or timezone.now()))

    def check_in_opens_at(self) -> datetime | None:
        """When organisers may start checking people in: a set time before the start, or
        by default the start of the event's day in its own time zone (None: no start)."""
        if self.starts_at is None:
            return None
        if self.check_in_minutes_before is not None:
            return self.starts_at - timedelta(minutes=self.check_in_minutes_before)
        local = timezone.localtime(self.starts_at, self.zone)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)

    def check_in_open(self, now=None) -> bool:
        opens = self.check_in_opens_at()
        return opens is not None and (now or timezone.now()) >= opens

    def has_ended(self, now=None) -> bool:
        """Whether the event is over: the survey opens and its results may show."""
        return self.starts_at is not None and self.is_past(now)

    def answers_editable(self, now=None) -> bool:
        """Answers to the event's own questions may change until registration closes."""
        return self.registration_state(now) == "open"

    def registration_state(self, now=None) -> str:
        """open, not_open, closed, or unavailable (no registration in the hub)."""
        now = now or timezone.now()
        if not self.registration_open or self.status != self.Status.PUBLISHED:
            return "unavailable"
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_open"
        closes = self.registration_closes_at or self.starts_at
        if closes and now >= closes:
            return "closed"
        return "open"


class Session(TranslatableContent):
    """A point of an event's agenda."""

    translatable_fields = ("title", "description")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    speakers = models.TextField(
        _("speakers"), blank=True, help_text=_("One per line: name, affiliation.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("agenda")

    def __str__(self) -> str:
        return self.title

    @property
    def speaker_list(self) -> list[str]:
        return [line.strip() for line in self.speakers.splitlines() if line.strip()]

    @property
    def people_public(self) -> list["Speaker"]:
        """The speakers who agreed to be shown: nobody who did not agree is named."""
        return [person for person in self.people.all() if person.publish_consent]


class Speaker(models.Model):
    """A person who speaks in a session. Name and photo are shown only with their consent."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to="events/speakers/",
        blank=True,
        validators=image_validators(max_bytes=2 * 1024 * 1024),
    )
    photo_description = models.CharField(
        _("description of the photo"),
        max_length=300,
        blank=True,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    publish_consent = models.BooleanField(
        _("agrees that name and photo are published"), default=False
    )
    recording_consent = models.BooleanField(_("agrees that the talk is recorded"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.photo and not self.photo_description.strip():
            raise ValidationError({"photo_description": _("Describe what the photo shows.")})


class Sponsor(models.Model):
    class Tier(models.TextChoices):
        MAIN = "main", _("Main sponsor")
        SPONSOR = "sponsor", _("Sponsor")
        PARTNER = "partner", _("Partner")
        MUNICIPAL = "municipal", _("Municipal partner")
        THEME = "theme", _("Theme partner")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sponsors")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices, default=Tier.PARTNER)
    website = models.URLField(_("website"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("sponsor or partner")
        verbose_name_plural = _("sponsors and partners")

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    class Kind(models.TextChoices):
        RECORDING = "recording", _("Recording")
        SLIDES = "slides", _("Slides")
        REPORT = "report", _("Report")
        VIDEO_GREETING = "video_greeting", _("Video greeting")
        OTHER = "other", _("Other")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("address"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A custom question of an event's registration form."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        CHOICE = "choice", _("One of several answers")
        MULTIPLE = "multiple", _("Any of several answers")
        YES_NO = "yes_no", _("Yes or no")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.TEXT)
    choices = models.TextField(
        _("answers to choose from"), blank=True, help_text=_("One per line.")
    )
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self) -> None:
        if self.kind in (self.Kind.CHOICE, self.Kind.MULTIPLE) and len(self.choice_list) < 2:
            raise ValidationError({"choices": _("Give at least two answers, one per line.")})


# Erased registrations keep an address nobody receives (RFC 2606 reserves .invalid).
ERASED_DOMAIN = "@invalid"


class Registration(Timestamped):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        OFFERED = "offered", _("Offered a place")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Declined")

    # Statuses that hold or wait for a place: one such registration per address and event.
    # A cancelled or declined row is never reused: registering again makes a new row, so a
    # personal link names one registration life and never opens someone else's.
    ACTIVE = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED, Status.OFFERED)
    # An offered place is held for the person until the offer expires: nobody else takes it.
    HOLDING = (Status.CONFIRMED, Status.OFFERED)

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    community = models.CharField(_("community"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    privacy_consent_at = models.DateTimeField(_("privacy notice accepted"))
    privacy_notice_version = models.CharField(_("privacy notice version"), max_length=20)
    contact_consent = models.BooleanField(_("may be contacted about later events"), default=False)
    consent_recording = models.BooleanField(_("agrees to be recorded"), default=False)
    consent_publish = models.BooleanField(
        _("agrees that their name and picture are published"), default=False
    )
    plain_text_reminders = models.BooleanField(_("reminders in plain text only"), default=False)
    offer_expires_at = models.DateTimeField(_("offered place held until"), null=True, blank=True)
    # Arrival order for the waiting list: the time the person joined it, then the row id.
    queued_at = models.DateTimeField(_("joined the queue"), default=timezone.now)
    attended = models.BooleanField(_("attended"), default=False)
    attended_at = models.DateTimeField(_("checked in"), null=True, blank=True)

    class Meta:
        ordering = ["queued_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=models.Q(status__in=["pending", "confirmed", "waitlisted", "offered"]),
                name="registration_one_active_per_email",
            )
        ]
        indexes = [models.Index(fields=["event", "status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.name} — {self.event}"

    def clean(self) -> None:
        if self.language not in LANGUAGE_CODES:
            raise ValidationError({"language": _("Choose one of the hub's languages.")})


class Notice(models.Model):
    """One row per e-mail sent about a registration: the unique constraint makes every
    notification task safe to run twice (a reminder is never sent twice)."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation")
        WAITLISTED = "waitlisted", _("Waiting list")
        PENDING = "pending", _("Awaiting approval")
        PROMOTED = "promoted", _("Place offered from the waiting list")
        OFFER = "offer", _("Place offered for a limited time")
        OFFER_EXPIRED = "offer_expired", _("Offered place not accepted in time")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancellation")
        LINK = "link", _("Personal link sent again")
        EVENT_CHANGED = "event_changed", _("Event postponed or cancelled")
        REMINDER = "reminder", _("Reminder")
        FEEDBACK = "feedback", _("Feedback survey")
        SURVEY_REMINDER = "survey_reminder", _("Feedback survey reminder")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=40, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "kind", "key"], name="notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}".strip()


class Feedback(models.Model):
    """One attendee's answer to the survey; it outlives the registration's personal data."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feedback")
    registration = models.OneToOneField(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
    )
    would_attend_again = models.BooleanField(_("would attend again"))
    recommend = models.PositiveSmallIntegerField(
        _("likelihood to recommend (0–10)"), validators=[MaxValueValidator(10)]
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("overall satisfaction (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    most_useful = models.TextField(_("most useful"), blank=True, max_length=2000)
    next_topics = models.TextField(_("topics for the next event"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.event}: {self.satisfaction}/5"


class Photo(models.Model):
    """A picture of an event for its report, always with a description."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(
        _("photo"),
        upload_to="events/%Y/",
        validators=image_validators(max_bytes=5 * 1024 * 1024),
        help_text=_("PNG, JPEG or WebP, at most 5 MB."),
    )
    description = models.CharField(
        _("description"),
        max_length=300,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.description


class SpeakerConsent(models.Model):
    """What a speaker agreed to for their talk at an event. A speaker is a line of the
    agenda's speakers ("name, affiliation"), named here by that line; the consent belongs to
    the event, so it outlives edits of the agenda, which rewrite its sessions."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speaker_consents")
    speaker = models.CharField(_("speaker"), max_length=300)
    recording = models.BooleanField(_("agrees that the talk is recorded"), default=False)
    publish = models.BooleanField(
        _("agrees that their name and picture are published"), default=False
    )

    class Meta:
        ordering = ["event", "pk"]
        verbose_name = _("speaker's consent")
        verbose_name_plural = _("speakers' consent")
        constraints = [
            models.UniqueConstraint(fields=["event", "speaker"], name="speaker_consent_once")
        ]

    def __str__(self) -> str:
        return self.speaker


REGISTRATION_LINK_MAX_AGE = timedelta(days=400)


class HostRequest(Timestamped):
    """A community's offer to host the next café of a series, for its coordinators to take
    into the programme or decline."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting a decision")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    series = models.ForeignKey(
        Series, verbose_name=_("series"), on_delete=models.CASCADE, related_name="host_requests"
    )
    community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("host community"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The request is the proposer's own writing: it goes with their account.
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_host_requests"
    )
    date_ideas = models.TextField(_("dates that would suit"), max_length=1000)
    theme = models.CharField(_("theme"), max_length=200)
    speakers = models.TextField(_("who will talk"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    decline_reason = models.TextField(_("reason"), max_length=2000, blank=True)
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # The language the proposer wrote in: they hear of the decision in it unless they chose
    # one for their account (`accounts.Profile`).
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("offer to host a café")
        verbose_name_plural = _("offers to host a café")

    def __str__(self) -> str:
        return f"{self.community} — {self.theme}"
