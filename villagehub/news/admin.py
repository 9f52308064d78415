from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from villagehub.core.admin import ServiceAdmin

from . import services
from .models import Issue, NewsItem, Subscription


@admin.register(NewsItem)
class NewsItemAdmin(ServiceAdmin):
    list_display = ["title", "network", "community", "published_at", "language", "updated_at"]
    list_filter = ["language", "themes", "network"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["themes", "goals", "related_practices", "related_events"]
    autocomplete_fields = ["network", "community", "related_communities"]
    list_select_related = ["network", "community"]
    readonly_fields = ["published_at", "written_by"]
    actions = ["publish"]
    # The back office is trusted with every item (`by=None`): its permissions are Django's.
    save_service = staticmethod(
        lambda obj, fields: services.news_update(item=obj, by=None, **fields)
    )

    @admin.action(description=_("Publish the selected news items"))
    def publish(self, request, queryset):
        for item in queryset:
            services.news_publish(item=item, by=None)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Subscriptions and newsletters change through their own pages and services only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["email", "status", "language", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status", "language"]
    search_fields = ["email"]


@admin.register(Issue)
class IssueAdmin(ReadOnlyAdmin):
    list_display = ["subject", "network", "status", "sent_at"]
    list_filter = ["status", "network"]
    search_fields = ["subject"]
