"""One page of a list: by offset, or by cursor (keyset) with signed tokens."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import F, Model, OrderBy, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from villagehub.core.versions import (  # noqa: F401 - shared with the routers
    record_version,
    tables_version,
)

from .problems import ApiProblem
from .schemas import PageQuery

CURSOR_SALT = "villagehub.api.cursor"


def page_of(
    request: HttpRequest,
    queryset: QuerySet[Any],
    query: PageQuery,
    serialize: Callable[[Any], dict[str, Any]],
    *,
    count: int,
    prepare: Callable[[list[Any]], None] | None = None,
) -> dict[str, Any]:
    """One page of the list; `prepare` reads what the page's rows need (their relations)."""
    if query.cursor is not None:
        return _cursor_page(request, queryset, query, serialize, count=count, prepare=prepare)
    rows = list(queryset[query.offset : query.offset + query.limit])
    if prepare is not None:
        prepare(rows)
    return {
        "count": count,
        "limit": query.limit,
        "offset": query.offset,
        "next": _page_url(request, query.offset + query.limit, query.limit)
        if query.offset + query.limit < count
        else None,
        "previous": _page_url(request, max(query.offset - query.limit, 0), query.limit)
        if query.offset > 0
        else None,
        "results": [serialize(row) for row in rows],
    }


@dataclass(frozen=True)
class _Key:
    """One column of a list's order, as keyset paging needs it."""

    name: str
    field: Any
    descending: bool
    nulls_last: bool

    def reversed(self) -> "_Key":
        return _Key(self.name, self.field, not self.descending, not self.nulls_last)

    def order(self) -> OrderBy:
        if not self.field.null:
            return F(self.name).desc() if self.descending else F(self.name).asc()
        placement = {"nulls_last": True} if self.nulls_last else {"nulls_first": True}
        return F(self.name).desc(**placement) if self.descending else F(self.name).asc(**placement)

    def beyond(self, value: Any) -> Q | None:
        """Rows strictly after `value` on this column, in the list's order."""
        if value is None:
            return None if self.nulls_last else Q(**{f"{self.name}__isnull": False})
        condition = Q(**{f"{self.name}__{'lt' if self.descending else 'gt'}": value})
        if self.field.null and self.nulls_last:
            condition |= Q(**{f"{self.name}__isnull": True})
        return condition

    def same(self, value: Any) -> Q:
        return Q(**{f"{self.name}__isnull": True} if value is None else {self.name: value})


def _order_keys(queryset: QuerySet[Any]) -> list[_Key]:
    """The list's order as keys; it must end with the primary key, so that it is total."""
    meta = queryset.model._meta
    keys = []
    for item in queryset.query.order_by:
        if isinstance(item, str):
            name, descending, nulls_last = item.lstrip("-"), item.startswith("-"), None
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            # F keeps the name it was given; django-stubs do not declare the attribute.
            name, descending = item.expression.name, item.descending  # type: ignore[attr-defined]
            nulls_last = True if item.nulls_last else False if item.nulls_first else None
        else:
            raise TypeError(f"keyset paging cannot follow the order {item!r}")
        field = meta.pk if name == "pk" else meta.get_field(name)
        if field.null and nulls_last is None:
            # The databases disagree on where NULL sorts, so the list must say it.
            raise TypeError(f"order by {name} needs an explicit place for NULL")
        keys.append(_Key(name, field, descending, bool(nulls_last)))
    if not keys or not keys[-1].field.primary_key:
        raise TypeError("keyset paging needs an order that ends with the primary key")
    return keys


def _after(keys: list[_Key], values: list[Any]) -> Q:
    """Rows after the row with these key values: (k1, k2, ...) > (v1, v2, ...) in order."""
    alternatives, equal = [], Q()
    for key, value in zip(keys, values, strict=True):
        beyond = key.beyond(value)
        if beyond is not None:
            alternatives.append(equal & beyond)
        equal &= key.same(value)
    # The primary key, last and never null, always gives an alternative.
    condition = alternatives[0]
    for alternative in alternatives[1:]:
        condition |= alternative
    first, value = keys[0], values[0]
    if value is not None and not first.field.null:
        # Implied by the alternatives, but lets the database seek in the index on the
        # first column instead of reading it from the start.
        condition &= Q(**{f"{first.name}__{'lte' if first.descending else 'gte'}": value})
    return condition


def cursor_at(path: str, queryset: QuerySet[Any], row: Model) -> str:
    """The cursor of the page after `row` of the list at `path` (for benchmarks and tests)."""
    return _cursor_token(path, _order_keys(queryset), row, "next")


def _cursor_token(path: str, keys: list[_Key], row: Model, direction: str) -> str:
    values = []
    for key in keys:
        value = key.field.get_prep_value(key.field.value_from_object(row))
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        values.append(value)
    payload = {"p": path, "d": direction, "k": values}
    return signing.dumps(payload, salt=CURSOR_SALT, compress=True)


def _cursor_read(request: HttpRequest, token: str, keys: list[_Key]) -> tuple[str, list[Any]]:
    """The direction and key values of a cursor this list made; anything else is a 400."""
    bad = ApiProblem(
        status=404,
        title="No such page",
        detail="The cursor names no page of this list.",
        errors=[
            ("cursor", str(_("not a cursor of this list: follow the next and previous links")))
        ],
    )
    try:
        payload = signing.loads(token, salt=CURSOR_SALT)
        if payload["p"] != request.path or payload["d"] not in ("next", "previous"):
            raise bad
        raw = payload["k"]
        if not isinstance(raw, list) or len(raw) != len(keys):
            raise bad
        values = [
            None if v is None else k.field.to_python(v) for k, v in zip(keys, raw, strict=True)
        ]
    except (signing.BadSignature, KeyError, TypeError, ValueError, ValidationError):
        raise bad from None
    return payload["d"], values


def _cursor_page(
    request: HttpRequest,
    queryset: QuerySet[Any],
    query: PageQuery,
    serialize: Callable[[Any], dict[str, Any]],
    *,
    count: int,
    prepare: Callable[[list[Any]], None] | None = None,
) -> dict[str, Any]:
    """One page after (or before) the cursor's row, found by its key values: no OFFSET."""
    keys = _order_keys(queryset)
    direction, values = ("next", None)
    if query.cursor:
        direction, values = _cursor_read(request, query.cursor, keys)
    walk = keys if direction == "next" else [key.reversed() for key in keys]
    ordered = queryset.order_by(*(key.order() for key in walk))
    if values is not None:
        ordered = ordered.filter(_after(walk, values))
    rows = list(ordered[: query.limit + 1])
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    if direction == "previous":
        rows.reverse()
    if prepare is not None:
        prepare(rows)
    has_next = more if direction == "next" else values is not None
    has_previous = values is not None if direction == "next" else more
    next_url = previous_url = None
    if has_next and rows:
        next_url = _cursor_url(request, _cursor_token(request.path, keys, rows[-1], "next"))
    if has_previous and rows:
        previous_url = _cursor_url(request, _cursor_token(request.path, keys, rows[0], "previous"))
    return {
        "count": count,
        "limit": query.limit,
        "offset": None,
        "next": next_url,
        "previous": previous_url,
        "results": [serialize(row) for row in rows],
    }


def _cursor_url(request: HttpRequest, token: str) -> str:
    params = request.GET.copy()
    params.pop("offset", None)
    params["cursor"] = token
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def _page_url(request: HttpRequest, offset: int, limit: int) -> str:
    params = request.GET.copy()
    params["offset"], params["limit"] = str(offset), str(limit)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
