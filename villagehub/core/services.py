"""Helpers the domain services share; the services in each app are the one write path."""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import models
from django.utils.text import slugify

M = TypeVar("M", bound=models.Model)


def unique_slug(model: type[models.Model], text: str, *, exclude_pk: Any = None) -> str:
    base = slugify(text)[:80].strip("-") or "item"
    slug, n = base, 2
    existing = model._default_manager.filter(slug__startswith=base)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    taken = set(existing.values_list("slug", flat=True))
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def record_upsert(
    model: type[M],
    *,
    slug: str,
    create: Callable[..., M],
    update: Callable[[M, dict[str, Any]], M],
    fields: Mapping[str, Any],
) -> M:
    """Update the record with this slug, or create it: what imports and the demo need.

    The row is locked first, so that two imports of the same record cannot both create it.
    Callers wrap it in their own transaction.
    """
    existing = model._default_manager.select_for_update().filter(slug=slug).first()
    if existing is None:
        return create(slug=slug, **fields)
    return update(existing, dict(fields))


def model_save(instance: M, fields: Mapping[str, Any]) -> M:
    """Set fields (many-to-many included), validate the whole record and save it.

    Raises ValidationError keyed by field name, so that forms, the API and the importer can
    say which field is wrong. Callers wrap it in their own transaction.
    """
    m2m_names = {f.name for f in instance._meta.many_to_many}
    unknown = set(fields) - m2m_names - {f.name for f in instance._meta.concrete_fields}
    if unknown:
        raise TypeError(f"{type(instance).__name__} has no fields {sorted(unknown)}")
    for name, value in fields.items():
        if name not in m2m_names:
            setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    for name in m2m_names & set(fields):
        getattr(instance, name).set(fields[name])
    return instance


def database_analyze() -> None:
    """Refresh the query planner's statistics after a bulk load.

    Without them SQLite may drive a filtered list from the wrong table (measured: 42 s
    instead of 1.3 s for a filtered practice search over 300,000 practices).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
