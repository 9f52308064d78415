from django.contrib import admin

from .models import Role


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "network", "community", "organisation", "granted_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "user__username"]
    autocomplete_fields = ["network", "community", "organisation"]
    raw_id_fields = ["user"]
