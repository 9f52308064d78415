from django.contrib import admin

from .models import ContactMessage, ContactReply


class ContactReplyInline(admin.TabularInline):
    model = ContactReply
    fields = readonly_fields = ("by", "body", "created_at", "emailed_at")
    extra = 0
    can_delete = False


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    """Read-only: messages arrive through the forms and are answered on the coordinators'
    page, which mails the reply."""

    list_display = ["created_at", "network", "country", "name", "email"]
    list_filter = ["network", "country"]
    search_fields = ["name", "email", "body"]
    inlines = [ContactReplyInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
