from django.contrib import admin

from villagehub.core.admin import ServiceAdmin

from . import services
from .models import ReferenceInstallation, Solution


@admin.register(Solution)
class SolutionAdmin(ServiceAdmin):
    list_display = ["name", "provider", "trl", "status"]
    list_filter = ["status", "trl", "themes"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["themes", "funding_sources"]
    save_service = staticmethod(
        lambda obj, fields: services.solution_admin_save(solution=obj, fields=fields)
    )


@admin.register(ReferenceInstallation)
class ReferenceInstallationAdmin(ServiceAdmin):
    list_display = ["solution", "community", "year"]
    autocomplete_fields = []
    save_service = staticmethod(
        lambda obj, fields: services.reference_installation_save(reference=obj, fields=fields)
    )
