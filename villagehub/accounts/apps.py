from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "villagehub.accounts"
    verbose_name = _("People and roles")

    def ready(self):
        # Imported here, as Django's apps import their checks: it needs the models.
        from villagehub.core import personal_data

        from . import personal_data as share

        personal_data.register(self.label, share.SHARE)


class HubAdminConfig(admin_apps.AdminConfig):
    """The back office, signing in through the hub's login (see admin_site.py)."""

    default = False
    default_site = "villagehub.accounts.admin_site.HubAdminSite"
