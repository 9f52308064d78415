from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "villagehub.matchmaking"
    verbose_name = _("One-to-one meetings")
    default_auto_field = "django.db.models.BigAutoField"
