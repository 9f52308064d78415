"""Roles people hold in the hub. Accounts themselves (sign-up, e-mail verification, password
reset, two-factor authentication) are django-allauth's; a participant needs no role."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.Model):
    class Kind(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator of a network")
        COMMUNITY_EDITOR = "community_editor", _("Community editor")
        ORGANISATION_EDITOR = "organisation_editor", _("Organisation editor")

    # The record each kind of role is held for.
    TARGETS: dict[str, str] = {
        Kind.COORDINATOR: "network",
        Kind.COMMUNITY_EDITOR: "community",
        Kind.ORGANISATION_EDITOR: "organisation",
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)
    network = models.ForeignKey(
        "communities.Network", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="coordinator",
                        network__isnull=False,
                        community__isnull=True,
                        organisation__isnull=True,
                    )
                    | Q(
                        kind="community_editor",
                        network__isnull=True,
                        community__isnull=False,
                        organisation__isnull=True,
                    )
                    | Q(
                        kind="organisation_editor",
                        network__isnull=True,
                        community__isnull=True,
                        organisation__isnull=False,
                    )
                ),
                name="role_names_its_record",
            ),
            models.UniqueConstraint(
                fields=["user", "network"],
                condition=Q(kind="coordinator"),
                name="role_coordinator_once",
            ),
            models.UniqueConstraint(
                fields=["user", "community"],
                condition=Q(kind="community_editor"),
                name="role_community_editor_once",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(kind="organisation_editor"),
                name="role_organisation_editor_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target}"

    @property
    def target(self):
        return getattr(self, self.TARGETS[self.kind])


class ApiToken(models.Model):
    """A personal API token: the API acts as its owner, with the owner's roles. Only a hash
    of the key is kept; the key is shown once, when it is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("first characters"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Consent(models.Model):
    """A person's agreement to a version of the privacy notice, with its time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    notice_version = models.CharField(_("privacy notice version"), max_length=20)
    given_at = models.DateTimeField(_("given"), auto_now_add=True)

    class Meta:
        ordering = ["-given_at", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.user} — {self.notice_version}"


class ThemeFollow(models.Model):
    """A theme a person follows: their page lists its upcoming events and new practices."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_themes"
    )
    theme = models.ForeignKey("taxonomy.Theme", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("followed theme")
        verbose_name_plural = _("followed themes")
        constraints = [models.UniqueConstraint(fields=["user", "theme"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.theme}"


class Profile(models.Model):
    """What a person chose for their account beyond allauth's fields: the language the hub
    writes to them in (notices, their summaries, and the default of their registrations).
    Set at sign-up from the language of the page; without a row the hub's default."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    language = models.CharField(
        _("language of your e-mails"), max_length=8, choices=settings.LANGUAGES
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"
