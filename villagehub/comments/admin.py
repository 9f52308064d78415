from django.contrib import admin

from .models import Comment, CommentReport


class ReadOnlyAdmin(admin.ModelAdmin):
    """Comments change through their pages and services (which check who moderates): the
    back office reads them, and its moderators act on the item's page."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "author", "created_at", "hidden_at", "deleted_at"]
    list_filter = ["content_type", "language"]
    search_fields = ["body"]
    list_select_related = ["author", "content_type"]


@admin.register(CommentReport)
class CommentReportAdmin(ReadOnlyAdmin):
    list_display = ["comment", "by", "reason", "created_at"]
    list_select_related = ["comment", "by"]
