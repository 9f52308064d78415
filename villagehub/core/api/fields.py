"""Field selection (`fields=`) and the related values a page reads at once."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, Field, create_model

from villagehub.core.versions import (  # noqa: F401 - shared with the routers
    record_version,
    tables_version,
)

from .problems import invalid_parameters
from .schemas import FieldsQuery, Out


def related_values_load(objs: list[Any], values: Mapping[str, str]) -> None:
    """Set `related_values[relation]` on each object: the `value` of each record related
    through the many-to-many `relation`, in that model's order.

    One query of plain values per relation: prefetch_related would build a model instance
    per related record and a related manager per object and relation, which was most of
    the time of a list page.

    The objects are model instances of any model and gain an attribute: Any, as is the
    many-to-many field, whose reflective API django-stubs types only in part.
    """
    for obj in objs:
        obj.related_values = {relation: [] for relation in values}
    if not objs:
        return
    by_pk = {obj.pk: obj for obj in objs}
    meta = type(objs[0])._meta
    for relation, value in values.items():
        field: Any = meta.get_field(relation)
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        rows = (
            field.remote_field.through.objects.filter(**{f"{source}__in": list(by_pk)})
            .order_by(*(_related_order(target, o) for o in field.related_model._meta.ordering))
            .values_list(source, f"{target}__{value}")
        )
        for pk, related in rows:
            by_pk[pk].related_values[relation].append(related)


def _related_order(target: str, order: str) -> str:
    return f"-{target}__{order[1:]}" if order.startswith("-") else f"{target}__{order}"


def fields_read(query: FieldsQuery, available: Iterable[str]) -> set[str] | None:
    """The fields the client asked for (None: all of them); an unknown name is a 400."""
    if query.fields is None:
        return None
    names = query.fields.split(",")
    known = set(available)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise invalid_parameters(
            ("fields", str(_("unknown field: %(name)s")) % {"name": name[:50]}) for name in unknown
        )
    return set(names)


def record_data(
    request: HttpRequest,
    obj: Any,
    getters: Mapping[str, Callable[[HttpRequest, Any], Any]],
    fields: set[str] | None = None,
) -> dict[str, Any]:
    """The record's fields (all, or those asked for); unasked fields are never computed, so
    their relations need not be read."""
    return {
        name: getter(request, obj)
        for name, getter in getters.items()
        if fields is None or name in fields
    }


def fields_schema(schema: type[BaseModel]) -> type[Out]:
    """The same fields, each optional: the shape of an answer to `fields=`."""
    optional: dict[str, Any] = {
        name: (cast(Any, info.annotation) | None, Field(None, description=info.description))
        for name, info in schema.model_fields.items()
    }
    made: type[Out] = create_model(
        f"{schema.__name__}Fields",
        __base__=Out,
        __doc__=f"Some fields of {schema.__name__}, as chosen with `fields`.",
        **optional,
    )
    return made
