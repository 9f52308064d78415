from django.contrib import admin
from django.db import transaction

from villagehub.core.admin import ServiceAdmin

from . import services
from .models import (
    Event,
    Feedback,
    HostRequest,
    Material,
    Question,
    Registration,
    Series,
    Session,
    Sponsor,
)

# The columns of each inline, which `EventAdmin` hands to the service as the event's rows.
SESSION_COLUMNS = (
    "title",
    "starts_at",
    "ends_at",
    "description",
    "speakers",
    "language",
    "translations",
)
SPONSOR_COLUMNS = ("name", "organisation", "tier", "website")
MATERIAL_COLUMNS = ("kind", "title", "url")
QUESTION_COLUMNS = ("label", "kind", "choices", "required")


class SessionInline(admin.StackedInline):
    model = Session
    extra = 0
    fields = SESSION_COLUMNS


class SponsorInline(admin.TabularInline):
    model = Sponsor
    extra = 0
    fields = SPONSOR_COLUMNS
    autocomplete_fields = ["organisation"]


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = MATERIAL_COLUMNS


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = QUESTION_COLUMNS


@admin.register(Series)
class SeriesAdmin(ServiceAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["networks", "organisations", "organisers"]
    save_service = staticmethod(lambda obj, fields: services.series_update(series=obj, **fields))

    def delete_model(self, request, obj):
        with transaction.atomic():
            obj.delete()


@admin.register(Event)
class EventAdmin(ServiceAdmin):
    nested_fields = {
        "sessions": SESSION_COLUMNS,
        "sponsors": SPONSOR_COLUMNS,
        "materials": MATERIAL_COLUMNS,
        "questions": QUESTION_COLUMNS,
    }
    list_display = ["title", "kind", "status", "starts_at", "series", "capacity"]
    list_filter = ["status", "kind", "series", "country"]
    search_fields = ["title", "summary", "city"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = [
        "organiser_networks", "organiser_organisations", "organisers", "host_representatives",
        "themes", "goals", "practices",
    ]  # fmt: skip
    autocomplete_fields = ["host_community", "series"]
    list_select_related = ["series"]
    inlines = [SessionInline, QuestionInline, SponsorInline, MaterialInline]
    save_service = staticmethod(lambda obj, fields: services.event_update(event=obj, **fields))

    def delete_model(self, request, obj):
        with transaction.atomic():
            obj.delete()


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Read-only: registrations change through the organiser pages and the personal link."""

    list_display = ["name", "email", "event", "status", "attended", "queued_at"]
    list_filter = ["status", "attended", "event"]
    search_fields = ["name", "email", "organisation"]
    list_select_related = ["event"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["event", "would_attend_again", "recommend", "satisfaction", "created_at"]
    list_filter = ["event"]
    exclude = ["registration"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HostRequest)
class HostRequestAdmin(admin.ModelAdmin):
    """Read-only: offers are decided by the series' coordinators on their page."""

    list_display = ["community", "series", "theme", "status", "created_at"]
    list_filter = ["status", "series"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
