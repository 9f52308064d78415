"""Country factsheets on Smart Villages support: one fixed question set, comparable."""

from typing import Any, cast

from django.db import models
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField

from villagehub.core.models import Sourced, Timestamped, TranslatableContent


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


class Factsheet(TranslatableContent, Sourced, Timestamped):
    translatable_fields = (
        "definition",
        "digital_text",
        "social_innovation_text",
        "cap_network_support",
        "other_policies",
        "taskforce_text",
    )

    country = CountryField(_("country"), unique=True)
    definition = models.TextField(_("how the concept of Smart Villages is defined"), blank=True)
    digital_key_feature = models.CharField(
        _("is digital a key feature?"), max_length=8, choices=Answer.choices, blank=True
    )
    digital_text = models.TextField(_("digital: explanation"), blank=True)
    social_innovation_key_feature = models.CharField(
        _("is social innovation a key feature?"), max_length=8, choices=Answer.choices, blank=True
    )
    social_innovation_text = models.TextField(_("social innovation: explanation"), blank=True)
    managing_authority = models.CharField(_("CAP managing authority"), max_length=200, blank=True)
    cap_network_support = models.TextField(_("how the national CAP network supports"), blank=True)
    # The fixed activity checklist of the country pages, kept as fields so that countries
    # compare side by side.
    activity_networking = models.BooleanField(_("specific networking activities"), default=False)
    activity_training = models.BooleanField(_("training and workshops"), default=False)
    activity_events = models.BooleanField(_("meetings and conferences"), default=False)
    activity_webpage = models.BooleanField(_("specific web page or website"), default=False)
    activity_good_practices = models.BooleanField(
        _("collection of examples and good practices"), default=False
    )
    activity_news = models.BooleanField(_("regular news and information"), default=False)
    other_policies = models.TextField(_("how other policies support"), blank=True)
    taskforce = models.BooleanField(_("national Smart Villages taskforce"), null=True, blank=True)
    taskforce_text = models.TextField(_("taskforce: details"), blank=True)
    last_updated = models.DateField(_("last updated"), null=True, blank=True)

    ACTIVITY_FIELDS = (
        "activity_networking",
        "activity_training",
        "activity_events",
        "activity_webpage",
        "activity_good_practices",
        "activity_news",
    )

    class Meta:
        ordering = ["country"]
        verbose_name = _("country factsheet")
        verbose_name_plural = _("country factsheets")

    def __str__(self) -> str:
        return str(cast(Country, self.country).name)

    def get_absolute_url(self) -> str:
        return reverse(
            "countries:detail", kwargs={"code": cast(Country, self.country).code.lower()}
        )

    def activities(self) -> list[tuple[str | Promise, bool]]:
        return [
            (cast("models.Field[Any, Any]", self._meta.get_field(f)).verbose_name, getattr(self, f))
            for f in self.ACTIVITY_FIELDS
        ]

    def cap_support_for(self, period: str) -> "CapSupport | None":
        return next((s for s in self.cap_support.all() if s.period == period), None)


class CapSupport(TranslatableContent):
    """How the CAP supported Smart Villages in one programming period."""

    class Period(models.TextChoices):
        P2014_2022 = "2014-2022", "2014–2022"
        P2023_2027 = "2023-2027", "2023–2027"

    class Support(models.TextChoices):
        SPECIFIC = "specific", _("Specific Smart Villages intervention")
        INDIRECT = "indirect", _("Indirect support, no specific intervention")
        NONE = "none", _("No support")

    translatable_fields = ("measures",)

    factsheet = models.ForeignKey(Factsheet, on_delete=models.CASCADE, related_name="cap_support")
    period = models.CharField(_("programming period"), max_length=9, choices=Period.choices)
    support = models.CharField(_("support"), max_length=10, choices=Support.choices)
    measures = models.TextField(_("measures"), blank=True)

    class Meta:
        ordering = ["period"]
        verbose_name = _("CAP support")
        verbose_name_plural = _("CAP support")
        constraints = [
            models.UniqueConstraint(
                fields=["factsheet", "period"], name="cap_support_one_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.factsheet} {self.period}"


# The fixed question set, in the order the factsheet page asks it.
FACTSHEET_QUESTIONS = (
    "definition",
    "digital_key_feature",
    "digital_text",
    "social_innovation_key_feature",
    "social_innovation_text",
    "managing_authority",
    "cap_network_support",
    *Factsheet.ACTIVITY_FIELDS,
    "other_policies",
    "taskforce",
    "taskforce_text",
)


def cap_key(period: str) -> str:
    """The name under which a proposal holds the CAP support of one programming period."""
    return "cap_" + period.replace("-", "_")
