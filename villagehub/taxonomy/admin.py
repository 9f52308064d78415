from django.contrib import admin

from villagehub.core.admin import ServiceAdmin

from . import services
from .models import FundingSource, Goal, Theme


@admin.register(Theme)
class ThemeAdmin(ServiceAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    save_service = staticmethod(lambda obj, fields: services.theme_update(theme=obj, **fields))


@admin.register(FundingSource)
class FundingSourceAdmin(ServiceAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    save_service = staticmethod(
        lambda obj, fields: services.funding_source_update(funding_source=obj, **fields)
    )


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["number", "title"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
