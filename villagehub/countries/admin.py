from django.contrib import admin

from villagehub.core.admin import ServiceAdmin

from . import services
from .models import CapSupport, Factsheet


class CapSupportInline(admin.TabularInline):
    model = CapSupport
    extra = 0
    max_num = len(CapSupport.Period.choices)


@admin.register(Factsheet)
class FactsheetAdmin(ServiceAdmin):
    nested_fields = {"cap_support": ("period", "support", "measures")}
    list_display = [
        "country",
        "digital_key_feature",
        "social_innovation_key_feature",
        "last_updated",
    ]
    list_filter = ["digital_key_feature", "social_innovation_key_feature", "taskforce"]
    search_fields = ["country", "definition", "managing_authority"]
    inlines = [CapSupportInline]
    save_service = staticmethod(
        lambda obj, fields: services.factsheet_update(factsheet=obj, **fields)
    )
