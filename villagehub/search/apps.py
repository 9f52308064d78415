from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "villagehub.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # Imported here, as Django's apps import their checks: it needs the models.
        from . import sqlite

        connection_created.connect(sqlite.functions_register)
