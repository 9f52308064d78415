from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _hub_datasets_sync(sender, using="default", **kwargs):
    from .services import hub_datasets_sync_after_migrate

    hub_datasets_sync_after_migrate(using=using)


class CatalogueConfig(AppConfig):
    name = "villagehub.catalogue"
    label = "catalogue"
    verbose_name = _("Data catalogue")

    def ready(self):
        # Like Django's content types: the hub's own data sets exist once the tables do.
        post_migrate.connect(_hub_datasets_sync, sender=self)
