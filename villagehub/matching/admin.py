from django.contrib import admin

from .models import FollowUp


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    """Matches are followed and moved on by the people on either side (the services); the
    back office reads them."""

    list_display = ["need", "solution", "stage", "updated_at"]
    list_filter = ["stage"]
    readonly_fields = ["need", "solution", "stage", "history", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
