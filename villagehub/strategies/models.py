"""A community's (or a network's) Smart Village strategy, in the structure of the Smart
Villages pilot and Smart Rural 21: vision, analysis of needs and assets, objectives, actions,
indicators, the participation behind it; and its needs, which ask for a solution.

Editors write the working copy; a coordinator publishes it, which keeps a snapshot
(`StrategyVersion`): the public page and its PDF show the latest published version.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from villagehub.core.models import Timestamped, TranslatableContent
from villagehub.indicators.models import INDICATOR_CHOICES


class Strategy(TranslatableContent, Timestamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        PUBLISHED = "published", _("Published")

    translatable_fields = ("title", "vision", "needs_analysis", "assets_analysis")

    community = models.OneToOneField(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="strategy",
        verbose_name=_("community"),
    )
    network = models.OneToOneField(
        "communities.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="strategy",
        verbose_name=_("network"),
    )
    title = models.CharField(_("title"), max_length=200)
    vision = models.TextField(_("vision"), blank=True)
    needs_analysis = models.TextField(_("analysis of needs"), blank=True)
    assets_analysis = models.TextField(_("analysis of assets"), blank=True)
    meetings_held = models.PositiveIntegerField(_("meetings held"), default=0)
    people_involved = models.PositiveIntegerField(_("people involved"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("published version"), default=0)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        constraints = [
            models.CheckConstraint(
                condition=Q(community__isnull=False, network__isnull=True)
                | Q(community__isnull=True, network__isnull=False),
                name="strategy_of_a_community_or_a_network",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self):
        return self.community or self.network


class Objective(models.Model):
    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("strategy")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.title


class Action(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DELAYED = "delayed", _("Delayed")
        CANCELLED = "cancelled", _("Cancelled")

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="actions", verbose_name=_("strategy")
    )
    objective = models.ForeignKey(
        Objective,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("objective"),
    )
    title = models.CharField(_("title"), max_length=200)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    partners = models.CharField(_("partners"), max_length=400, blank=True)
    budget = models.PositiveIntegerField(_("budget (EUR)"), null=True, blank=True)
    funding_source = models.ForeignKey(
        "taxonomy.FundingSource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("funding source"),
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    themes = models.ManyToManyField(
        "taxonomy.Theme", verbose_name=_("themes"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end is before the start.")})
        objective = self.objective
        if objective is not None and objective.strategy_id != self.strategy_id:
            raise ValidationError({"objective": _("This objective is not of this strategy.")})


class Indicator(models.Model):
    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("strategy")
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    target_year = models.PositiveSmallIntegerField(
        _("target year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    latest_value = models.DecimalField(
        _("latest value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    latest_year = models.PositiveSmallIntegerField(
        _("year of the latest value"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    hub_indicator = models.CharField(
        _("the hub's indicator"),
        max_length=40,
        choices=INDICATOR_CHOICES,
        blank=True,
        help_text=_(
            "When the hub keeps this indicator, the community's values published there "
            "count as the latest value."
        ),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name


class Need(TranslatableContent, Timestamped):
    """An objective or action of a strategy that asks for a solution."""

    translatable_fields = ("title", "description")

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="needs", verbose_name=_("strategy")
    )
    objective = models.ForeignKey(
        Objective,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("objective"),
    )
    action = models.ForeignKey(
        Action,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("action"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("short description"), max_length=2000)
    themes = models.ManyToManyField(
        "taxonomy.Theme", verbose_name=_("themes"), blank=True, related_name="needs"
    )
    budget_min = models.PositiveIntegerField(_("budget from (EUR)"), null=True, blank=True)
    budget_max = models.PositiveIntegerField(_("budget up to (EUR)"), null=True, blank=True)
    funding_source = models.ForeignKey(
        "taxonomy.FundingSource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("funding source"),
    )
    wanted_from = models.DateField(_("wanted from"), null=True, blank=True)
    wanted_by = models.DateField(_("wanted by"), null=True, blank=True)
    # Set when a coordinator publishes the strategy; an edit takes it back to unpublished.
    is_published = models.BooleanField(_("published"), default=False)
    search_terms = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [
            models.Index(fields=["is_published", "id"]),
            # The matching's kept index reads the rows changed since its last read.
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("strategies:need", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        if (
            self.budget_min is not None
            and self.budget_max is not None
            and self.budget_min > self.budget_max
        ):
            raise ValidationError({"budget_max": _("The budget's upper end is below its lower.")})
        if self.wanted_from and self.wanted_by and self.wanted_by < self.wanted_from:
            raise ValidationError({"wanted_by": _("The end is before the start.")})


class StrategyVersion(models.Model):
    """What a coordinator published: the whole strategy as it stood, kept unchanged."""

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="versions", verbose_name=_("strategy")
    )
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("content"))
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="strategy_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.strategy} v{self.number}"
