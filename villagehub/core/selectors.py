"""Reads the apps share."""

from typing import TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Sum

from .models import PageView
from .text import name_key

M = TypeVar("M", bound=models.Model)


def name_twin(records: models.QuerySet[M], *, name: str, identical: bool = True) -> M | None:
    """The record among `records` whose name looks the same as `name` (`core.text.name_key`:
    lookalike letters, invisible characters, case and spacing aside), or None.

    With `identical=False` a record spelt exactly as `name` is no twin: only a lookalike is.
    Callers narrow `records` first (a country's communities), as every name is compared.
    """
    key = name_key(name)
    if not key:
        return None
    for pk, stored in records.values_list("pk", "name").iterator(chunk_size=2000):
        if name_key(stored) == key and (identical or stored != name):
            return records.get(pk=pk)
    return None


def page_views_total(obj: models.Model) -> int:
    """How many times a record's page was seen, all days together."""
    return (
        PageView.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).aggregate(total=Sum("count"))["total"]
        or 0
    )
