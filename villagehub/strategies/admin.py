from django.contrib import admin

from .models import Action, Indicator, Need, Objective, Strategy, StrategyVersion


class ReadOnlyInline(admin.TabularInline):
    """Parts of a strategy are written through its editor page (the services); the back
    office shows them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ObjectiveInline(ReadOnlyInline):
    model = Objective
    fields = ["title"]


class ActionInline(ReadOnlyInline):
    model = Action
    fields = ["title", "status", "budget", "starts_on", "ends_on"]


class IndicatorInline(ReadOnlyInline):
    model = Indicator
    fields = ["name", "baseline", "target", "target_year", "latest_value"]


class NeedInline(ReadOnlyInline):
    model = Need
    fields = ["title", "is_published"]


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "network", "status", "version"]
    list_filter = ["status"]
    readonly_fields = ["status", "version", "published_at"]
    inlines = [ObjectiveInline, ActionInline, IndicatorInline, NeedInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StrategyVersion)
class StrategyVersionAdmin(admin.ModelAdmin):
    list_display = ["strategy", "number", "published_at", "published_by"]
    readonly_fields = ["strategy", "number", "snapshot", "published_at", "published_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
