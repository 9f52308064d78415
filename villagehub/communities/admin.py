from django.contrib import admin

from villagehub.core.admin import ServiceAdmin

from . import services
from .models import Community, Network, Representative


class RepresentativeInline(admin.TabularInline):
    model = Representative
    extra = 1


@admin.register(Community)
class CommunityAdmin(ServiceAdmin):
    nested_fields = {"representatives": ("name", "role")}
    list_display = ["name", "kind", "country", "region", "population", "updated_at"]
    list_filter = ["kind", "country", "networks", "themes", "language"]
    search_fields = ["name", "region", "description", "representatives__name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["themes", "goals", "networks"]
    inlines = [RepresentativeInline]
    save_service = staticmethod(
        lambda obj, fields: services.community_update(community=obj, **fields)
    )
    name_check = staticmethod(
        lambda obj, data: services.community_name_check(
            name=data["name"], country=data.get("country"), community=obj
        )
    )


@admin.register(Network)
class NetworkAdmin(ServiceAdmin):
    list_display = ["name", "kind", "country", "founded"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["organisations", "themes", "goals"]
    autocomplete_fields = ["operator"]
    save_service = staticmethod(lambda obj, fields: services.network_update(network=obj, **fields))
    name_check = staticmethod(
        lambda obj, data: services.network_name_check(name=data["name"], network=obj)
    )
