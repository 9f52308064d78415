from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from villagehub.core.models import Illustrated, Sourced, Timestamped, TranslatableContent


class NewsItem(Illustrated, TranslatableContent, Sourced, Timestamped):
    """A news item published by a network, a community or the hub itself (neither set).

    Its body is Markdown (`core.markup`), never raw HTML. Editors write drafts; coordinators
    publish them (`news.services`).
    """

    translatable_fields = ("title", "summary", "body")
    image_upload_to = "news/%Y/"

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=600)
    body = models.TextField(
        _("text"), blank=True, help_text=_("Markdown: headings, lists, links and images.")
    )
    network = models.ForeignKey(
        "communities.Network",
        verbose_name=_("network"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="news",
    )
    community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="news",
    )
    themes = models.ManyToManyField(
        "taxonomy.Theme", verbose_name=_("themes"), blank=True, related_name="news"
    )
    goals = models.ManyToManyField(
        "taxonomy.Goal", verbose_name=_("Agenda 2030 goals"), blank=True, related_name="news"
    )
    countries = CountryField(_("countries"), multiple=True, blank=True)
    related_practices = models.ManyToManyField(
        "practices.Practice", verbose_name=_("related practices"), blank=True, related_name="news"
    )
    related_events = models.ManyToManyField(
        "events.Event", verbose_name=_("related events"), blank=True, related_name="news"
    )
    related_communities = models.ManyToManyField(
        "communities.Community",
        verbose_name=_("related communities"),
        blank=True,
        related_name="news_mentions",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        constraints = [
            models.CheckConstraint(
                condition=Q(network__isnull=True) | Q(community__isnull=True),
                name="news_one_publisher",
            )
        ]
        indexes = [
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(published_at__isnull=False),
                name="news_published_newest",
            ),
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("news:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def publisher(self):
        """The network or community that publishes the item; None for the hub."""
        return self.network or self.community

    def clean(self) -> None:
        super().clean()
        if self.network_id and self.community_id:
            raise ValidationError(
                {"community": _("A news item is published by a network or a community, not both.")}
            )


class Subscription(Timestamped):
    """A newsletter subscription by e-mail address (no account needed), with the choices of
    what to receive. Double opt-in: `pending` until the signed link mailed to the address is
    followed; the consent given on the form and the confirmation are both recorded."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        PRACTICES = "practices", _("New practices")
        EVENTS = "events", _("Upcoming events")

    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    networks = models.ManyToManyField(
        "communities.Network", verbose_name=_("networks"), blank=True, related_name="+"
    )
    themes = models.ManyToManyField(
        "taxonomy.Theme", verbose_name=_("themes"), blank=True, related_name="+"
    )
    countries = CountryField(_("countries"), multiple=True, blank=True)
    kinds = models.JSONField(_("kinds of content"), default=list, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_notice_version = models.CharField(_("privacy notice"), max_length=20, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["email"]
        verbose_name = _("newsletter subscription")
        verbose_name_plural = _("newsletter subscriptions")
        indexes = [models.Index(fields=["status", "id"])]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.kinds, list) or not set(self.kinds) <= set(self.Kind.values):
            raise ValidationError({"kinds": _("Choose news, practices or events.")})
        if not self.kinds:
            raise ValidationError({"kinds": _("Choose at least one kind of content.")})


class Issue(TranslatableContent, Timestamped):
    """A newsletter issue of a network (or of the hub): the coordinator's introduction, and
    what was published since `since` (news, practices) and the upcoming events, chosen for
    each subscriber by their choices. A weekly digest is an issue without introduction."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    translatable_fields = ("subject", "intro")

    network = models.ForeignKey(
        "communities.Network",
        verbose_name=_("network"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="newsletter_issues",
    )
    subject = models.CharField(_("subject"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Markdown."))
    since = models.DateTimeField(_("new since"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    # The week ("2026-W49") or month ("2026-12") of an automatic digest: one per network
    # and period, however many workers assemble it.
    digest_period = models.CharField(_("digest period"), max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "digest_period"],
                condition=~models.Q(digest_period=""),
                name="issue_one_digest_per_period",
            )
        ]
        indexes = [models.Index(fields=["status", "send_at"])]

    def __str__(self) -> str:
        return self.subject


class Digest(models.Model):
    """A network's choice of an automatic digest: the hub assembles an issue of what is new
    every week or month and sends it to the network's subscribers."""

    class Frequency(models.TextChoices):
        NONE = "none", _("No automatic digest")
        WEEKLY = "weekly", _("Every week")
        MONTHLY = "monthly", _("Every month")

    network = models.OneToOneField(
        "communities.Network",
        verbose_name=_("network"),
        on_delete=models.CASCADE,
        related_name="digest",
    )
    frequency = models.CharField(
        _("automatic digest"), max_length=8, choices=Frequency.choices, default=Frequency.NONE
    )

    class Meta:
        verbose_name = _("automatic digest")
        verbose_name_plural = _("automatic digests")

    def __str__(self) -> str:
        return f"{self.network_id}: {self.frequency}"


class Delivery(models.Model):
    """One subscriber's message of one issue, recorded before it is handed to SMTP.

    Rows are made for the whole audience when sending starts (one per issue and subscriber,
    a unique constraint). A worker claims a batch (`claimed_at`, a lease), counts an attempt
    just before the hand-off and marks the row sent just after it: a worker killed
    mid-batch leaves its unsent rows to be claimed again when the lease runs out, and only
    the message in flight may go out twice (its `attempts` then says 2)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Nothing to send")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscription"], name="delivery_once_per_subscriber"
            )
        ]
        indexes = [models.Index(fields=["issue", "status", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.issue_id} → {self.subscription_id}: {self.status}"
