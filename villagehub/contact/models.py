from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class ContactMessage(models.Model):
    """A message sent through the contact form of a network's or a country's page, by
    anyone (no account needed). It reaches the coordinators of the network (of the networks
    with communities in the country) as a notice; it is deleted after
    `CONTACT_RETENTION_DAYS`, and with its sender's erasure."""

    network = models.ForeignKey(
        "communities.Network",
        verbose_name=_("network"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    country = CountryField(_("country"), blank=True)
    name = models.CharField(_("your name"), max_length=200)
    email = models.EmailField(_("your e-mail address"))
    body = models.TextField(_("message"), max_length=5000)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    consent_at = models.DateTimeField(_("consent given"))
    consent_notice_version = models.CharField(_("privacy notice"), max_length=20)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")
        constraints = [
            models.CheckConstraint(
                condition=(Q(network__isnull=False) & Q(country=""))
                | (Q(network__isnull=True) & ~Q(country="")),
                name="contact_network_or_country",
            )
        ]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} #{self.pk}"


class ContactReply(models.Model):
    """A coordinator's answer, mailed to the sender from the hub."""

    message = models.ForeignKey(ContactMessage, on_delete=models.CASCADE, related_name="replies")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    body = models.TextField(_("reply"), max_length=5000)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"#{self.message_id} {self.created_at:%Y-%m-%d}"
