from django.contrib import admin

from villagehub.core.admin import ServiceAdmin

from . import services
from .models import Practice, PracticeLink


class PracticeLinkInline(admin.TabularInline):
    model = PracticeLink
    extra = 1


@admin.register(Practice)
class PracticeAdmin(ServiceAdmin):
    nested_fields = {"links": ("url", "title", "kind")}
    list_display = ["title", "community", "status", "is_published", "language", "updated_at"]
    list_filter = ["is_published", "status", "language", "themes", "goals", "community__country"]
    search_fields = ["title", "summary", "description", "community__name"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["organisations", "themes", "goals", "funding_sources"]
    autocomplete_fields = ["community"]
    list_select_related = ["community"]
    inlines = [PracticeLinkInline]
    save_service = staticmethod(
        lambda obj, fields: services.practice_update(practice=obj, **fields)
    )
