from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from villagehub.core.models import Sourced, Timestamped, TranslatableContent
from villagehub.core.uploads import image_validators


class Organisation(TranslatableContent, Sourced, Timestamped):
    class Kind(models.TextChoices):
        NETWORK_OPERATOR = "network_operator", _("Network operator")
        PUBLIC_AUTHORITY = "public_authority", _("Public authority")
        EU_BODY = "eu_body", _("EU body")
        RESEARCH = "research", _("Research institute")
        NGO = "ngo", _("Non-profit organisation")
        SOLUTION_PROVIDER = "solution_provider", _("Solution provider (SME)")
        PROJECT = "project", _("Project")

    translatable_fields = ("description",)

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    country = CountryField(_("country"), blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.FileField(
        _("logo"),
        upload_to="organisations/",
        blank=True,
        validators=image_validators(max_bytes=2 * 1024 * 1024),
        help_text=_("PNG, JPEG or WebP, at most 2 MB."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:detail", kwargs={"slug": self.slug})
