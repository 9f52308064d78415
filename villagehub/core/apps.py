from django.apps import AppConfig
from django.db.models.signals import post_migrate

from .text import text_validators_install


def _table_versions_install(sender, using="default", **kwargs):
    from .versions import triggers_install

    triggers_install(using=using)


class CoreConfig(AppConfig):
    name = "villagehub.core"
    label = "core"

    def ready(self):
        # After every migrate and flush: SQLite drops a table's triggers when a migration
        # rebuilds the table, and a flush empties the version rows.
        post_migrate.connect(_table_versions_install, sender=self)
        text_validators_install()
        # Imported here, as Django's apps import their checks: it needs the models.
        from . import personal_data

        personal_data.register(self.label, personal_data.CORE_SHARE)
