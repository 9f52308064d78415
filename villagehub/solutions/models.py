"""Solutions that providers (SMEs) offer to communities, and the places where they run.

Languages and countries served are kept as space-separated codes (`"en lv sv"`, `"LV SE"`):
one column each, filtered the same way on SQLite and PostgreSQL (`codes_q`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from villagehub.core.models import CONTENT_LANGUAGE_CODES, Sourced, Timestamped, TranslatableContent


def codes_q(field: str, code: str) -> Q:
    """Rows whose space-separated `field` holds `code` as a whole word."""
    return (
        Q(**{field: code})
        | Q(**{f"{field}__startswith": f"{code} "})
        | Q(**{f"{field}__endswith": f" {code}"})
        | Q(**{f"{field}__contains": f" {code} "})
    )


class Solution(TranslatableContent, Sourced, Timestamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        PUBLISHED = "published", _("Published")
        RETURNED = "returned", _("Returned with a comment")

    class PriceModel(models.TextChoices):
        ONE_OFF = "one_off", _("One-off purchase")
        SUBSCRIPTION = "subscription", _("Subscription")
        PER_USE = "per_use", _("Pay per use")
        FREE = "free", _("Free or open source")
        ON_REQUEST = "on_request", _("On request")

    EDITABLE = (Status.DRAFT, Status.RETURNED, Status.PUBLISHED)

    translatable_fields = ("name", "summary", "description")

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    provider = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="solutions",
        verbose_name=_("provider"),
    )
    name = models.CharField(_("name"), max_length=200)
    summary = models.CharField(_("what it does"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField(
        "taxonomy.Theme", verbose_name=_("themes"), blank=True, related_name="solutions"
    )
    funding_sources = models.ManyToManyField(
        "taxonomy.FundingSource",
        verbose_name=_("funding it qualifies for"),
        blank=True,
        related_name="solutions",
    )
    trl = models.PositiveSmallIntegerField(
        _("technology readiness level (1–9)"),
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    price_min = models.PositiveIntegerField(_("lowest price (EUR)"), null=True, blank=True)
    price_max = models.PositiveIntegerField(_("highest price (EUR)"), null=True, blank=True)
    price_model = models.CharField(
        _("price model"), max_length=20, choices=PriceModel.choices, blank=True
    )
    languages = models.CharField(
        _("languages"),
        max_length=200,
        blank=True,
        help_text=_("Language codes separated by spaces, e.g. “en lv sv”."),
    )
    countries = models.CharField(
        _("countries served"),
        max_length=800,
        blank=True,
        help_text=_("Country codes separated by spaces, e.g. “LV SE”."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    # Stemmed words of the name, summary and description, " word word ", for text search.
    search_terms = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        indexes = [
            models.Index(fields=["status", "name", "id"]),
            # The matching's kept index reads the rows changed since its last read.
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(trl__gte=1, trl__lte=9), name="solution_trl_1_to_9"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("solutions:detail", kwargs={"slug": self.slug})

    @property
    def language_list(self) -> list[str]:
        return self.languages.split()

    @property
    def country_list(self) -> list[str]:
        return self.countries.split()

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.provider_id and self.provider.kind != "solution_provider":
            errors["provider"] = _(
                "Only an organisation of the kind solution provider offers solutions."
            )
        unknown = [c for c in self.language_list if c not in CONTENT_LANGUAGE_CODES]
        if unknown:
            errors["languages"] = _("Unknown language codes: %(codes)s.") % {
                "codes": ", ".join(unknown)
            }
        unknown = [c for c in self.country_list if c not in countries]
        if unknown:
            errors["countries"] = _("Unknown country codes: %(codes)s.") % {
                "codes": ", ".join(unknown)
            }
        if (
            self.price_min is not None
            and self.price_max is not None
            and self.price_min > self.price_max
        ):
            errors["price_max"] = _("The highest price is below the lowest.")
        if errors:
            raise ValidationError(errors)


class ReferenceInstallation(Timestamped):
    """A community where the solution runs; its contact is named only with their consent."""

    solution = models.ForeignKey(
        Solution, on_delete=models.CASCADE, related_name="references", verbose_name=_("solution")
    )
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        related_name="reference_installations",
        verbose_name=_("community"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    achieved = models.TextField(_("what was achieved"), blank=True)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    contact_consent = models.BooleanField(_("the contact agreed to be named"), default=False)

    class Meta:
        ordering = ["-year", "id"]
        verbose_name = _("reference installation")
        verbose_name_plural = _("reference installations")
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_name="") | Q(contact_consent=True),
                name="reference_contact_named_with_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.solution} — {self.community} ({self.year})"

    def clean(self) -> None:
        super().clean()
        if self.contact_name and not self.contact_consent:
            raise ValidationError(
                {"contact_name": _("Name a contact only when they agreed to be named.")}
            )
