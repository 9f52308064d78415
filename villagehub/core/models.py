"""Shared model pieces.

Translated content: every record written by people keeps its text in the language it was
written in (`language` plus the plain text fields) and may carry translations in one JSON
field, `translations = {"sv": {"title": "...", "summary": "..."}, ...}`. Pages ask for a
field in the visitor's language and fall back to the original, saying so. One storage
model, used by every app: see docs/ARCHITECTURE.md.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import class_prepared
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from . import images
from .uploads import image_validators

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}

# Content may be written in any EU language, not only the interface languages.
CONTENT_LANGUAGES = [
    ("bg", "български"), ("cs", "čeština"), ("da", "dansk"), ("de", "Deutsch"),
    ("el", "ελληνικά"), ("en", "English"), ("es", "español"), ("et", "eesti"),
    ("fi", "suomi"), ("fr", "français"), ("ga", "Gaeilge"), ("hr", "hrvatski"),
    ("hu", "magyar"), ("it", "italiano"), ("lt", "lietuvių"), ("lv", "latviešu"),
    ("mt", "Malti"), ("nl", "Nederlands"), ("pl", "polski"), ("pt", "português"),
    ("ro", "română"), ("sk", "slovenčina"), ("sl", "slovenščina"), ("sv", "svenska"),
]  # fmt: skip
CONTENT_LANGUAGE_CODES = {code for code, _name in CONTENT_LANGUAGES}


@dataclass(frozen=True)
class LocalizedText:
    text: str
    language: str
    is_fallback: bool

    def __str__(self) -> str:
        return self.text


def validate_translations(value: object) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("Translations must be an object keyed by language code."))
    for language, fields in value.items():
        if language not in CONTENT_LANGUAGE_CODES:
            raise ValidationError(
                _("“%(language)s” is not a supported language code."),
                params={"language": language},
            )
        if not isinstance(fields, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in fields.items()
        ):
            raise ValidationError(
                _("Translations for “%(language)s” must map field names to text."),
                params={"language": language},
            )


class TranslatableContent(models.Model):
    """Text written by people, in its original language, with optional translations."""

    translatable_fields: tuple[str, ...] = ()

    language = models.CharField(
        _("original language"), max_length=8, choices=CONTENT_LANGUAGES, default="en"
    )
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[validate_translations],
        help_text=_('{"sv": {"field": "text"}, ...}: translations of the text fields.'),
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        unknown = {
            field
            for fields in (self.translations or {}).values()
            if isinstance(fields, dict)
            for field in fields
        } - set(self.translatable_fields)
        if unknown:
            raise ValidationError(
                {
                    "translations": _("These fields cannot be translated: %(fields)s.")
                    % {"fields": ", ".join(sorted(unknown))}
                }
            )

    def localized(self, field: str, language: str) -> LocalizedText:
        original = getattr(self, field) or ""
        base = language.split("-")[0]
        if base != self.language:
            translated = (self.translations or {}).get(base, {}).get(field)
            if translated:
                return LocalizedText(translated, base, is_fallback=False)
        return LocalizedText(original, self.language, is_fallback=base != self.language)

    def is_translated_into(self, language: str) -> bool:
        base = language.split("-")[0]
        if base == self.language:
            return True
        available = (self.translations or {}).get(base, {})
        return all(available.get(f) for f in self.translatable_fields if getattr(self, f))


class Sourced(models.Model):
    """Where a record's facts come from (a seed document, an import file, a person)."""

    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        abstract = True


class Timestamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class ImageSize:
    """One responsive copy of a record's image: its width and where its WebP and JPEG are."""

    width: int
    webp: str
    jpeg: str


class Illustrated(models.Model):
    """A record with one picture and its description (communities, practices, news items).

    Each model names the folder of its uploads in `image_upload_to` ("practices/%Y/"). The
    responsive sizes (`core.images`) are made by a background task after upload and written
    to `image_variants`.
    """

    image_upload_to: ClassVar[str]

    # `upload_to` is set per model from `image_upload_to` (see `_image_folder_set`).
    image = models.FileField(
        _("image"),
        blank=True,
        validators=image_validators(max_bytes=5 * 1024 * 1024),
        help_text=_("PNG, JPEG or WebP, at most 5 MB."),
    )
    image_alt = models.CharField(
        _("image description"),
        max_length=300,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    image_variants = models.JSONField(_("image sizes"), default=dict, blank=True, editable=False)

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.image and not self.image_alt:
            raise ValidationError(
                {"image_alt": _("Describe the image for people who cannot see it.")}
            )

    def image_sizes(self) -> list[ImageSize]:
        """The copies made from the current image, narrowest first: none while they are being
        made, for an image Pillow could not read, or when the image was replaced since."""
        variants = self.image_variants or {}
        name = self.image.name if self.image else ""
        if not name or variants.get("name") != name:
            return []
        storage = self.image.storage
        return [
            ImageSize(
                width=width,
                webp=storage.url(images.variant_name(name, width, "webp")),
                jpeg=storage.url(images.variant_name(name, width, "jpg")),
            )
            for width in variants.get("widths", [])
        ]

    def image_described(
        self, *, absolute: Callable[[str], str] | None = None
    ) -> dict[str, Any] | None:
        """The image as open data: absolute addresses of the upload and of its sizes, with its
        description and pixel size; None without an image. `absolute` makes an address
        absolute (a request's `build_absolute_uri`); by default on the hub's public address
        (`HUB_URL`), for what is written without a request (downloads, NGSI-LD entities).
        Only the record's own image is shown: a proposed one waits on its submission until a
        coordinator publishes it."""
        absolute = absolute or (lambda url: urljoin(settings.HUB_URL + "/", url))
        if not self.image:
            return None
        variants = self.image_variants or {}
        current = variants.get("name") == self.image.name
        return {
            "url": absolute(self.image.url),
            "description": self.image_alt,
            "width": variants.get("width") if current else None,
            "height": variants.get("height") if current else None,
            "sizes": [
                {"width": s.width, "webp": absolute(s.webp), "jpeg": absolute(s.jpeg)}
                for s in self.image_sizes()
            ],
        }


@receiver(class_prepared)
def _image_folder_set(sender: type[models.Model], **kwargs: Any) -> None:
    """Give each model's copy of `image` its folder. A string, as the models declared it
    before they shared `Illustrated`: a callable would change the field's migration state,
    and SQLite applies such a change by copying the whole table."""
    if issubclass(sender, Illustrated) and not sender._meta.abstract:
        sender._meta.get_field("image").upload_to = sender.image_upload_to


class OutboxMessage(models.Model):
    """An e-mail kept by the development outbox backend instead of being sent."""

    to = models.TextField(_("to"))
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")

    def __str__(self) -> str:
        return self.subject


class Revision(models.Model):
    """One change to a record: who made it, when, through what, and each changed field's
    previous and new value. Written by the back office and by published reviews."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    via = models.CharField(_("through"), max_length=40)
    changes = models.JSONField(_("changes"), default=dict)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.content_type} {self.object_id} @ {self.at:%Y-%m-%d %H:%M}"


class TableVersion(models.Model):
    """A counter and the time of the last write to one table, kept by database triggers
    (`core.versions`), so that the API can tell whether a list may have changed without
    counting its rows: every insert, update and delete counts, bulk writes and raw SQL
    included."""

    name = models.CharField(_("table"), max_length=100, primary_key=True)
    version = models.BigIntegerField(_("version"), default=0)
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("table version")
        verbose_name_plural = _("table versions")

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class PageView(models.Model):
    """How many times one record's page (a news item, a practice, an event) was seen on one
    day: counted on the server, with no cookie and nothing stored about who looked; known
    bots are not counted (`core.services.page_view_count`)."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("page views")
        verbose_name_plural = _("page views")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "day"], name="page_view_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.day}: {self.count}"
