from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models, transaction

from .models import OutboxMessage, Revision
from .services import record_values, revision_record


class ServiceAdmin(admin.ModelAdmin):
    """Admin whose saves go through the app's update service, the one write path.

    The service validates and saves the record and its many-to-many fields. Inlines named
    in `nested_fields` (by their related name) are handed to the same service as a list of
    rows, so that their rules hold in the back office too; other inlines save as usual.
    """

    nested_fields: dict[str, tuple[str, ...]] = {}

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # e.g. staticmethod(lambda obj, fields: community_update(...)); what it returns is unused.
    save_service: Callable[[Any, dict[str, Any]], object] | None = None
    # The service's check of a record's name, run with the form's own validation so that a
    # refused name shows on its field: e.g. staticmethod(lambda obj, data: ..._name_check(...)).
    name_check: Callable[[Any, dict[str, Any]], None] | None = None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if self.name_check is None:
            return form
        name_check = self.name_check

        class NameCheckedForm(form):
            def clean(self):
                data = super().clean()
                if data.get("name") and {"name", "country"} & set(self.changed_data):
                    try:
                        name_check(self.instance, data)
                    except ValidationError as error:
                        self.add_error(None, error)
                return data

        return NameCheckedForm

    def save_model(self, request, obj, form, change):
        model_fields = {f.name for f in obj._meta.concrete_fields} | {
            f.name for f in obj._meta.many_to_many
        }
        fields = {k: v for k, v in form.cleaned_data.items() if k in model_fields}
        before = record_values(type(obj)._default_manager.get(pk=obj.pk)) if change else {}
        self.save_service(obj, fields)
        revision_record(instance=obj, before=before, by=request.user, via="back office")

    def delete_model(self, request, obj):
        from villagehub.search.services import search_document_delete

        with transaction.atomic():
            search_document_delete(obj=obj)
            obj.delete()

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_related(self, request, form, formsets, change):
        nested = {}
        for formset in formsets:
            columns = self.nested_fields.get(formset.prefix)
            if columns is None:
                self.save_formset(request, form, formset, change=change)
                continue
            kept = [
                f.cleaned_data
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            kept.sort(key=lambda row: row.get("position") or 0)
            nested[formset.prefix] = [{c: row.get(c) for c in columns} for row in kept]
            # The admin's change message reads these; the service reports no per-row detail.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if nested:
            self.save_service(form.instance, nested)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "created_at"]
    search_fields = ["subject", "to"]
    readonly_fields = ["to", "subject", "body", "html", "attachments", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["content_type", "object_id", "user", "via", "at"]
    list_filter = ["content_type", "via"]
    readonly_fields = ["content_type", "object_id", "user", "via", "changes", "at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
