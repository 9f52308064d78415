from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from villagehub.core.models import Illustrated, Sourced, Timestamped, TranslatableContent

YEAR_VALIDATORS = [MinValueValidator(1900), MaxValueValidator(2100)]


class Practice(Illustrated, TranslatableContent, Sourced, Timestamped):
    """A good practice or initiative of a community or organisation."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")

    class Budget(models.TextChoices):
        UNDER_10K = "under-10k", _("Under €10,000")
        TO_50K = "10k-50k", _("€10,000 to €50,000")
        TO_200K = "50k-200k", _("€50,000 to €200,000")
        TO_1M = "200k-1m", _("€200,000 to €1 million")
        OVER_1M = "over-1m", _("Over €1 million")

    translatable_fields = (
        "title",
        "summary",
        "description",
        "challenge",
        "approach",
        "involved",
        "results",
        "lessons",
        "contact_role",
    )
    image_upload_to = "practices/%Y/"

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practices",
    )
    organisations = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("organisations"),
        blank=True,
        related_name="practices",
    )
    summary = models.TextField(_("summary"), max_length=600)
    description = models.TextField(_("description"), blank=True)
    # The case study, in the order good-practice databases of rural networks tell it.
    challenge = models.TextField(
        _("the challenge"), blank=True, help_text=_("What problem or need did it answer?")
    )
    approach = models.TextField(
        _("what was done and how"), blank=True, help_text=_("The steps taken, and when.")
    )
    involved = models.TextField(
        _("who was involved"),
        blank=True,
        help_text=_("The community, partners and organisations, and the part each took."),
    )
    results = models.TextField(
        _("results"), blank=True, help_text=_("What changed, with numbers where you know them.")
    )
    lessons = models.TextField(
        _("what others should know"),
        blank=True,
        help_text=_(
            "Lessons learnt, what made it work, and what another community would need to do "
            "the same."
        ),
    )
    budget_range = models.CharField(_("budget"), max_length=10, choices=Budget.choices, blank=True)
    volunteers = models.PositiveIntegerField(_("volunteers"), null=True, blank=True)
    contact_role = models.CharField(
        _("contact (public role)"),
        max_length=200,
        blank=True,
        help_text=_("A role people can write to, such as “chair of the village association”."),
    )
    contact_email = models.EmailField(_("contact e-mail address"), blank=True)
    contact_consent = models.BooleanField(
        _("the contact agreed to be shown on the hub"), default=False
    )
    themes = models.ManyToManyField(
        "taxonomy.Theme", verbose_name=_("themes"), blank=True, related_name="practices"
    )
    goals = models.ManyToManyField(
        "taxonomy.Goal", verbose_name=_("Agenda 2030 goals"), blank=True, related_name="practices"
    )
    funding_sources = models.ManyToManyField(
        "taxonomy.FundingSource", verbose_name=_("funding sources"), blank=True, related_name="+"
    )
    start_year = models.PositiveSmallIntegerField(
        _("start year"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    end_year = models.PositiveSmallIntegerField(
        _("end year"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        indexes = [
            # The published list, newest first. Partial, because SQLite renders
            # `is_published=True` as `WHERE "is_published"`, which it cannot match against
            # the leading column of an index: it then sorted all rows in a temporary B-tree.
            # The same condition on the index is matched, and the scan stops after a page.
            models.Index(
                fields=["-created_at", "-id"],
                condition=models.Q(is_published=True),
                name="practice_published_newest",
            ),
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practices:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The end year is before the start year.")})
        if (self.contact_role or self.contact_email) and not self.contact_consent:
            raise ValidationError(
                {
                    "contact_consent": _(
                        "Show a contact only with their consent: ask them, then tick the box."
                    )
                }
            )


class PracticeLink(models.Model):
    class Kind(models.TextChoices):
        WEBSITE = "website", _("Website")
        VIDEO = "video", _("Video")
        DOCUMENT = "document", _("Document")
        IMAGE = "image", _("Image")
        SOURCE = "source", _("Source")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(_("address"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.WEBSITE)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("link")
        verbose_name_plural = _("links and media")

    def __str__(self) -> str:
        return self.title
