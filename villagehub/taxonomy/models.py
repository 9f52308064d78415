"""Curated vocabularies shared by every domain: themes, Agenda 2030 goals, funding sources."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from villagehub.core.models import TranslatableContent

GOAL_TITLES = {
    1: _("No poverty"),
    2: _("Zero hunger"),
    3: _("Good health and well-being"),
    4: _("Quality education"),
    5: _("Gender equality"),
    6: _("Clean water and sanitation"),
    7: _("Affordable and clean energy"),
    8: _("Decent work and economic growth"),
    9: _("Industry, innovation and infrastructure"),
    10: _("Reduced inequalities"),
    11: _("Sustainable cities and communities"),
    12: _("Responsible consumption and production"),
    13: _("Climate action"),
    14: _("Life below water"),
    15: _("Life on land"),
    16: _("Peace, justice and strong institutions"),
    17: _("Partnerships for the goals"),
}


class Theme(TranslatableContent):
    """A topic of the curated taxonomy; its labels exist in every interface language."""

    translatable_fields = ("name", "description")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class Goal(models.Model):
    """One of the 17 Sustainable Development Goals of the UN Agenda 2030."""

    number = models.PositiveSmallIntegerField(_("number"), primary_key=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("Agenda 2030 goal")
        verbose_name_plural = _("Agenda 2030 goals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=17), name="goal_number_1_to_17"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def title(self) -> str:
        return str(GOAL_TITLES[self.number])


class FundingSource(TranslatableContent):
    """Where money for a practice comes from (CAP/LEADER, national, private, ...)."""

    translatable_fields = ("name",)

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")

    def __str__(self) -> str:
        return self.name
