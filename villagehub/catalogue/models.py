"""Data sets described after DCAT-AP 3: a data set has distributions (files or links)."""

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, URLValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from villagehub.core.models import Sourced, Timestamped, TranslatableContent
from villagehub.core.uploads import UploadValidator

from .vocabularies import DATA_THEMES, FILE_TYPES, LICENCES


def validate_keywords(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(k, str) and k.strip() for k in value):
        raise ValidationError(_("Keywords must be a list of words."))


def validate_data_themes(value: object) -> None:
    if not isinstance(value, list) or not set(value) <= set(DATA_THEMES):
        raise ValidationError(
            _("Themes must be codes of the EU data-theme vocabulary: %(codes)s.")
            % {"codes": ", ".join(DATA_THEMES)}
        )


def validate_countries(value: object) -> None:
    if not isinstance(value, list) or not all(
        isinstance(c, str) and c.upper() in countries for c in value
    ):
        raise ValidationError(_("Countries must be ISO 3166-1 alpha-2 codes."))


class Dataset(TranslatableContent, Sourced, Timestamped):
    """A data set of the network or of a community, or one of the hub's own lists."""

    translatable_fields = ("title", "description")

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    publisher_community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("published by (community)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="datasets",
    )
    publisher_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("published by (organisation)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="datasets",
    )
    publisher_network = models.ForeignKey(
        "communities.Network",
        verbose_name=_("published by (network)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="datasets",
    )
    contact_name = models.CharField(_("contact point"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_url = models.URLField(_("contact page"), blank=True)
    keywords = models.JSONField(
        _("keywords"), default=list, blank=True, validators=[validate_keywords]
    )
    data_themes = models.JSONField(
        _("themes (EU data themes)"),
        default=list,
        blank=True,
        validators=[validate_data_themes],
        help_text=_("Codes such as REGI, SOCI, AGRI."),
    )
    spatial_countries = models.JSONField(
        _("countries covered"),
        default=list,
        blank=True,
        validators=[validate_countries],
        help_text=_("ISO 3166-1 alpha-2 codes."),
    )
    spatial_communities = models.ManyToManyField(
        "communities.Community",
        verbose_name=_("communities covered"),
        blank=True,
        related_name="+",
    )
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers until"), null=True, blank=True)
    licence = models.CharField(
        _("licence"),
        max_length=20,
        choices=[(code, name) for code, name in LICENCES.items()],
        default="CC_BY_4_0",
    )
    is_published = models.BooleanField(_("published"), default=True)
    # Set on the data sets that describe the hub's own lists; they are kept current by
    # `hub_datasets_sync`, and their modification time is that of the list.
    hub_list = models.CharField(_("hub list"), max_length=20, blank=True, editable=False)

    class Meta:
        ordering = ["title"]
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")
        constraints = [
            models.UniqueConstraint(
                fields=["hub_list"],
                condition=~models.Q(hub_list=""),
                name="dataset_one_per_hub_list",
            )
        ]
        indexes = [models.Index(fields=["is_published", "updated_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalogue:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        publishers = (
            self.publisher_community_id,
            self.publisher_organisation_id,
            self.publisher_network_id,
        )
        if sum(p is not None for p in publishers) > 1:
            raise ValidationError(
                {
                    "publisher_organisation": _(
                        "Give one publisher: a community, an organisation or a network."
                    )
                }
            )
        if self.temporal_start and self.temporal_end and self.temporal_end < self.temporal_start:
            raise ValidationError({"temporal_end": _("The period cannot end before it starts.")})

    @property
    def publisher(self):
        return self.publisher_community or self.publisher_organisation or self.publisher_network


def validate_address(value: str) -> None:
    """An absolute http(s) address, or a path on this hub (for its own lists)."""
    if value.startswith("/") and not value.startswith("//"):
        return
    URLValidator(schemes=["http", "https"])(value)


class Distribution(TranslatableContent, Timestamped):
    """One form of a data set: an uploaded file or a link (download or access page/API)."""

    translatable_fields = ("title",)

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="distributions")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"),
        upload_to="catalogue/%Y/",
        blank=True,
        validators=[
            FileExtensionValidator(
                ["csv", "json", "geojson", "ttl", "rdf", "jsonld", "xlsx", "ods", "pdf", "xml",
                 "zip", "txt"]
            ),
            UploadValidator(max_bytes=50 * 1024 * 1024),
        ],
    )  # fmt: skip
    access_url = models.CharField(
        _("access address"),
        max_length=500,
        blank=True,
        validators=[validate_address],
        help_text=_("A page or API giving access to the data; the file's address for uploads."),
    )
    download_url = models.CharField(
        _("download address"), max_length=500, blank=True, validators=[validate_address]
    )
    format = models.CharField(
        _("format"),
        max_length=12,
        choices=[(code, label) for code, (label, _media) in FILE_TYPES.items()],
    )
    media_type = models.CharField(_("media type"), max_length=100, blank=True)
    byte_size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    checksum_sha256 = models.CharField(_("SHA-256 checksum"), max_length=64, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if not (self.file or self.access_url or self.download_url):
            raise ValidationError(_("Upload a file or give an access or download address."))
