from django.contrib import admin

from villagehub.core.admin import ServiceAdmin

from . import services
from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin):
    list_display = ["name", "acronym", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "acronym", "description"]
    prepopulated_fields = {"slug": ["name"]}
    save_service = staticmethod(
        lambda obj, fields: services.organisation_update(organisation=obj, **fields)
    )
    name_check = staticmethod(
        lambda obj, data: services.organisation_name_check(name=data["name"], organisation=obj)
    )
