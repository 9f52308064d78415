"""Reads the apps share."""

import datetime
from typing import Any, TypeVar

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


def page_views_by_record(
    records: models.QuerySet[Any], *, since: datetime.date | None = None
) -> dict[int, int]:
    """Views per record of a list (news, practices or events), all days or since a day, in
    one query: for reports such as a coordinator's dashboard."""
    rows = PageView.objects.filter(
        content_type=ContentType.objects.get_for_model(records.model),
        object_id__in=records.values("pk"),
    )
    if since is not None:
        rows = rows.filter(day__gte=since)
    return dict(
        rows.order_by()
        .values("object_id")
        .annotate(total=Sum("count"))
        .values_list("object_id", "total")
    )
