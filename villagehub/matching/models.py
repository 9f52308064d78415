"""A match followed from first contact to a reference installation and a practice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowUp(models.Model):
    class Stage(models.TextChoices):
        CONTACTED = "contacted", _("Contacted")
        MET = "met", _("Met")
        PILOT = "pilot", _("Pilot or proof of concept")
        REFERENCE = "reference", _("Reference installation")
        PRACTICE = "practice", _("Published practice")

    need = models.ForeignKey(
        "strategies.Need", on_delete=models.CASCADE, related_name="follow_ups",
        verbose_name=_("need"),
    )  # fmt: skip
    solution = models.ForeignKey(
        "solutions.Solution", on_delete=models.CASCADE, related_name="follow_ups",
        verbose_name=_("solution"),
    )  # fmt: skip
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    # [{"stage": "contacted", "at": "2026-12-03T10:00:00+00:00"}, ...], oldest first.
    history = models.JSONField(_("history"), default=list)
    # The practice proposal started at the reference installation, prefilled from the need,
    # the solution and the community; publishing it brings the match to its last stage.
    submission = models.OneToOneField(
        "contributions.Submission", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="follow_up", verbose_name=_("practice proposal"),
    )  # fmt: skip
    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="follow_ups", verbose_name=_("practice"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("followed match")
        verbose_name_plural = _("followed matches")
        constraints = [models.UniqueConstraint(fields=["need", "solution"], name="follow_up_once")]

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.solution}: {self.get_stage_display()}"
