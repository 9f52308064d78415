from django.contrib import admin
from django.db import models


class ServiceAdmin(admin.ModelAdmin):
    """Admin whose saves go through the app's update service, the one write path.

    The service validates and saves the record and its many-to-many fields; inline
    formsets are saved after it by Django as usual.
    """

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    save_service = None  # e.g. staticmethod(lambda obj, fields: community_update(...))

    def save_model(self, request, obj, form, change):
        model_fields = {f.name for f in obj._meta.concrete_fields} | {
            f.name for f in obj._meta.many_to_many
        }
        fields = {k: v for k, v in form.cleaned_data.items() if k in model_fields}
        self.save_service(obj, fields)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
