from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from villagehub.core.models import Illustrated, Sourced, Timestamped, TranslatableContent

# Bands of inhabitants used to filter communities and practices, bounds included; the hub
# serves places of roughly 5,000–50,000 inhabitants and below.
SIZE_BANDS = {
    "under-2000": (_("Under 2,000 inhabitants"), 0, 1999),
    "2000-5000": (_("2,000–5,000 inhabitants"), 2000, 4999),
    "5000-50000": (_("5,000–50,000 inhabitants"), 5000, 50000),
    "over-50000": (_("Over 50,000 inhabitants"), 50001, None),
}


def size_band_q(band: str, prefix: str = "") -> models.Q:
    _label, low, high = SIZE_BANDS[band]
    q = models.Q(**{f"{prefix}population__gte": low})
    if high is not None:
        q &= models.Q(**{f"{prefix}population__lte": high})
    return q


def size_band_conditions(band: str, population) -> list:
    """The band as conditions on an expression of the population."""
    _label, low, high = SIZE_BANDS[band]
    conditions = [GreaterThanOrEqual(population, low)]
    if high is not None:
        conditions.append(LessThanOrEqual(population, high))
    return conditions


class Network(TranslatableContent, Sourced, Timestamped):
    """A network of communities: an EU project, a national CAP network, a cluster, ..."""

    class Kind(models.TextChoices):
        EU_PROJECT = "eu_project", _("EU project")
        CAP_NETWORK = "cap_network", _("National CAP network")
        REGIONAL = "regional", _("Regional organisation")
        CLUSTER = "cluster", _("Cluster of projects")
        PARTNERSHIP = "partnership", _("Partnership")

    translatable_fields = ("description",)

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    country = CountryField(_("country"), blank=True, help_text=_("Empty for European networks."))
    region = models.CharField(_("region"), max_length=120, blank=True)
    founded = models.PositiveSmallIntegerField(_("founded (year)"), null=True, blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    operator = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("operated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="operated_networks",
    )
    target_population_min = models.PositiveIntegerField(
        _("target communities from (inhabitants)"), null=True, blank=True
    )
    target_population_max = models.PositiveIntegerField(
        _("target communities up to (inhabitants)"), null=True, blank=True
    )
    organisations = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("member organisations"),
        blank=True,
        related_name="networks",
    )
    themes = models.ManyToManyField(
        "taxonomy.Theme", verbose_name=_("themes"), blank=True, related_name="+"
    )
    goals = models.ManyToManyField(
        "taxonomy.Goal", verbose_name=_("Agenda 2030 goals"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("communities:network", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})
        low, high = self.target_population_min, self.target_population_max
        if low is not None and high is not None and high < low:
            raise ValidationError(
                {"target_population_max": _("The upper bound is below the lower bound.")}
            )


class Community(Illustrated, TranslatableContent, Sourced, Timestamped):
    class Kind(models.TextChoices):
        VILLAGE = "village", _("Village")
        TOWN = "town", _("Town")
        MUNICIPALITY = "municipality", _("Municipality")
        CITY = "city", _("City")
        REGION = "region", _("Region")

    translatable_fields = ("description",)
    image_upload_to = "communities/%Y/"

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryField(_("country"))
    region = models.CharField(_("region"), max_length=120, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("population year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    coordinates_approximate = models.BooleanField(_("coordinates are approximate"), default=False)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField(
        "taxonomy.Theme", verbose_name=_("themes"), blank=True, related_name="communities"
    )
    goals = models.ManyToManyField(
        "taxonomy.Goal", verbose_name=_("Agenda 2030 goals"), blank=True, related_name="+"
    )
    networks = models.ManyToManyField(
        Network, verbose_name=_("networks"), blank=True, related_name="communities"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        indexes = [
            models.Index(fields=["country", "name"]),
            models.Index(fields=["population"]),
            models.Index(fields=["name", "id"]),
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("communities:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": _("Give both latitude and longitude, or neither.")})
        if self.population_year is not None and self.population is None:
            raise ValidationError({"population_year": _("A population year needs a population.")})

    @property
    def size_band(self) -> str | None:
        if self.population is None:
            return None
        for key, (_label, low, high) in SIZE_BANDS.items():
            if self.population >= low and (high is None or self.population <= high):
                return key
        return None


class Representative(models.Model):
    """A person who publicly represents a community: only name and role are kept."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="representatives"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="representative_unique_per_community"
            )
        ]

    def __str__(self) -> str:
        return self.name
