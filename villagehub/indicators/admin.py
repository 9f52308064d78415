from django.contrib import admin

from .models import IndicatorValue


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    """Read-only: values change through the community's form or NGSI-LD, whose service also
    keeps the NGSI-LD view current."""

    list_display = ("community", "indicator", "period_start", "period_end", "value", "channel")
    list_filter = ("indicator", "channel")
    search_fields = ("community__name", "community__slug")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
