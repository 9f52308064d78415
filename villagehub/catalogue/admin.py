from django.contrib import admin

from villagehub.core.admin import ServiceAdmin

from . import services
from .models import Dataset, Distribution


class DistributionInline(admin.StackedInline):
    model = Distribution
    extra = 1
    fields = ["title", "file", "access_url", "download_url", "format", "media_type"]


@admin.register(Dataset)
class DatasetAdmin(ServiceAdmin):
    nested_fields = {
        "distributions": (
            "id",
            "title",
            "file",
            "access_url",
            "download_url",
            "format",
            "media_type",
        )
    }
    list_display = ["title", "publisher", "licence", "is_published", "hub_list", "updated_at"]
    list_filter = ["is_published", "licence", "language"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["publisher_community", "publisher_organisation", "publisher_network"]
    filter_horizontal = ["spatial_communities"]
    inlines = [DistributionInline]
    save_service = staticmethod(lambda obj, fields: services.dataset_update(dataset=obj, **fields))
