from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactConfig(AppConfig):
    name = "villagehub.contact"
    verbose_name = _("Contact")

    def ready(self):
        # Imported here, as Django's apps import their checks: it needs the models.
        from villagehub.core import personal_data

        from . import personal_data as share

        personal_data.register(self.label, share.SHARE)
