"""What every router of the read API shares: paging, filters, problem details, HTTP caching.

Each app has its own router in `<app>/api.py`; `villagehub/api.py` mounts them at `/api/v1/`.
An endpoint parses its query with a `*Query` schema (documented in the OpenAPI schema),
checks it with the same filter form as the page (`filters_read`), answers 304 when the
client's copy is current (`conditional_get`) and returns one page (`page_of`), by offset or
by cursor (keyset), with the fields the client asked for (`fields_read`, `record_data`).
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from http import HTTPStatus
from typing import Any, Literal

from django import forms
from django.core import signing
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db.models import F, Max, Model, OrderBy, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from pydantic import BaseModel, Field, create_model

from villagehub.accounts.services import api_token_use
from villagehub.core.filters import UNKNOWN_SLUG
from villagehub.core.models import CONTENT_LANGUAGES
from villagehub.core.versions import (  # noqa: F401 - shared with the routers
    record_version,
    tables_version,
)
from villagehub.search.selectors import search_matching_objects

PROBLEM_CONTENT_TYPE = "application/problem+json"
# The largest request body the API reads (documented in the README); a larger one is a 413.
MAX_BODY_BYTES = 1024 * 1024
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000
# Query parameters that shape the answer rather than filter the list.
PAGE_PARAMETERS = ("limit", "offset", "cursor", "fields")
# The codes of a filter form's errors for a well-formed value that names no record; values
# of closed lists are checked by the query's schema before the form sees them.
NAMES_NOTHING = {UNKNOWN_SLUG, "invalid_choice"}
CURSOR_SALT = "villagehub.api.cursor"


class ProblemField(Schema):
    field: str
    reason: str


class Problem(Schema):
    """An RFC 9457 problem details object."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    errors: list[ProblemField] = []


class ApiProblem(Exception):
    def __init__(
        self,
        *,
        status: int,
        title: str,
        detail: str = "",
        errors: Iterable[tuple[str, str]] = (),
        type_: str = "about:blank",
    ) -> None:
        super().__init__(title)
        self.status, self.title, self.detail, self.type = status, title, detail, type_
        self.errors = [{"field": field, "reason": reason} for field, reason in errors]


class NotModified(Exception):
    def __init__(self, response: HttpResponse) -> None:
        super().__init__("not modified")
        self.response = response


def problem_response(request: HttpRequest, problem: ApiProblem) -> HttpResponse:
    body = Problem(
        type=problem.type,
        title=problem.title,
        status=problem.status,
        detail=problem.detail,
        instance=request.get_full_path(),
        errors=problem.errors,
    )
    return HttpResponse(
        body.model_dump_json(), status=problem.status, content_type=PROBLEM_CONTENT_TYPE
    )


def invalid_parameters(errors: Iterable[tuple[str, str]]) -> ApiProblem:
    return ApiProblem(
        status=400,
        title="Invalid query parameters",
        detail="One or more query parameters are unknown or have a value that is not allowed.",
        errors=errors,
        type_="/api/v1/docs#problem-invalid-parameters",
    )


class TokenAuth(HttpBearer):
    """Personal API tokens (`Authorization: Bearer vh_...`): the request acts as the owner."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_use(key=token)
        if user is not None:
            request.user = user
        return user


def _unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = problem_response(
        request,
        ApiProblem(
            status=401,
            title="Unauthorized",
            detail="Send a personal API token: Authorization: Bearer <token>.",
        ),
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


def body_too_large() -> ApiProblem:
    return ApiProblem(
        status=413,
        title="Request body too large",
        detail=f"The API reads request bodies of up to {MAX_BODY_BYTES} bytes.",
        errors=[("body", f"longer than {MAX_BODY_BYTES} bytes")],
    )


class JsonBodyParser(Parser):
    """Bodies are JSON objects, said so by their Content-Type, and at most MAX_BODY_BYTES."""

    def parse_body(self, request: HttpRequest) -> dict:
        media_type = request.content_type or ""
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise ApiProblem(
                status=415,
                title="Unsupported media type",
                detail="Send the body as JSON, with Content-Type: application/json.",
                errors=[("Content-Type", f"not JSON: {media_type[:50] or 'none'}")],
            )
        if len(request.body) > MAX_BODY_BYTES:
            raise body_too_large()
        try:
            data = json.loads(request.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ApiProblem(
                status=400, title="Invalid request", errors=[("body", f"not JSON: {error}")]
            ) from None
        if not isinstance(data, dict):
            raise ApiProblem(
                status=400, title="Invalid request", errors=[("body", "not a JSON object")]
            )
        return data


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps what the body parser raises in an HttpError: the parser's problem is the answer.
    if isinstance(exc.__cause__, ApiProblem):
        return problem_response(request, exc.__cause__)
    return problem_response(
        request, ApiProblem(status=exc.status_code, title=status_title(exc.status_code))
    )


def status_title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class HubAPI(NinjaAPI):
    """The read API: problem details for every error, and an OpenAPI schema that says so.

    What happens outside ninja's operations (an unknown address, a method the address does
    not take, a server error) is turned into problem details by `ApiProblemMiddleware`.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(parser=JsonBodyParser(), **kwargs)
        self.add_exception_handler(HttpError, _http_error)
        self.add_exception_handler(
            RequestDataTooBig, lambda request, exc: problem_response(request, body_too_large())
        )
        self.add_exception_handler(ApiProblem, problem_response)
        self.add_exception_handler(NotModified, lambda request, exc: exc.response)
        self.add_exception_handler(AuthenticationError, _unauthorized)
        self.add_exception_handler(NinjaValidationError, self._validation_error)
        self.add_exception_handler(
            Http404,
            lambda request, exc: problem_response(
                request,
                ApiProblem(status=404, title="Not found", detail="There is no such record."),
            ),
        )

    @staticmethod
    def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors, in_body = [], False
        for error in exc.errors:
            location = list(error.get("loc", ()))
            if location[:1] == ["body"]:
                # ("body", <parameter name>, field, ...): the client knows only the field.
                in_body, location = True, location[2:]
            location = [str(part) for part in location if part not in ("query", "path")]
            errors.append((".".join(location) or "request", str(error.get("msg", ""))))
        if in_body:
            return problem_response(
                request, ApiProblem(status=400, title="Invalid request", errors=errors)
            )
        return problem_response(request, invalid_parameters(errors))

    def get_openapi_operation_id(self, operation: Any) -> str:
        return operation.view_func.__name__.removesuffix("_endpoint")

    def get_openapi_schema(self, **kwargs: Any) -> dict:
        schema = super().get_openapi_schema(**kwargs)
        schema["info"]["license"] = {
            "name": "Open data; see each record's source",
            "identifier": "CC-BY-4.0",
        }
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.get("responses", {})
                if any(p["name"] == "cursor" for p in operation.get("parameters", [])):
                    # A cursor that names no page of the list is a 404.
                    responses.setdefault(
                        404,
                        {
                            "description": "Not Found",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Problem"}
                                }
                            },
                        },
                    )
                for status, response in responses.items():
                    content = response.get("content", {})
                    if str(status).startswith("4") and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
                    if str(status) == "200":
                        response["headers"] = {
                            "ETag": {"schema": {"type": "string"}},
                            "Last-Modified": {"schema": {"type": "string"}},
                        }
        return schema


# Text the hub stores or searches: no control character but tab, line feed and carriage
# return (XML 1.0 forbids them, and NUL no database takes), and no non-character.
_TEXT_CHAR = r"[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF]"
TEXT_PATTERN = rf"^{_TEXT_CHAR}*$"
# The same with at least one character that is not white space, for required text: the web
# forms strip white space, so a title of spaces is no title.
FILLED_TEXT_PATTERN = rf"^{_TEXT_CHAR}*[^\s\x00-\x1F\x7F\uFFFE\uFFFF]{_TEXT_CHAR}*$"
# What Django's signing makes (URL-safe base64, `:` and a leading `.` when compressed).
CURSOR_PATTERN = r"^[A-Za-z0-9_.:-]*$"
LanguageCode = Literal[tuple(code for code, _name in CONTENT_LANGUAGES)]  # type: ignore[valid-type]


class PageQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page, 1–500.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")
    cursor: str | None = Field(
        None,
        max_length=2000,
        pattern=CURSOR_PATTERN,
        description=(
            "Keyset paging instead of `offset` (which it overrides): send it empty (`cursor=`) "
            "for the first page, then follow the `next` and `previous` links, which carry an "
            "opaque, signed cursor. Deep pages cost as little as the first; a changed or "
            "foreign cursor names no page of this list: a 404 problem naming `cursor`."
        ),
    )


class FieldsQuery(Schema):
    fields: str | None = Field(
        None,
        max_length=500,
        description=(
            "Comma-separated names of the fields to return (`fields=slug,name`); the others "
            "are left out. An unknown name is a 400."
        ),
    )


def fields_query(schema: type[BaseModel]) -> type[FieldsQuery]:
    """`fields` as a list of the names of the schema's fields, so that the OpenAPI schema
    says which names there are."""
    names = "|".join(schema.model_fields)
    return create_model(
        f"{schema.__name__}FieldsQuery",
        __base__=FieldsQuery,
        fields=(
            str | None,
            Field(
                None,
                max_length=500,
                # Documented, and checked by `fields_read`, whose answer names the field.
                json_schema_extra={"pattern": rf"^({names})(,({names}))*$"},
                description=FieldsQuery.model_fields["fields"].description,
            ),
        ),
    )


class TextQuery(PageQuery):
    q: str | None = Field(
        None, max_length=200, pattern=TEXT_PATTERN, description="Full-text search, any language."
    )


SLUG_PATTERN = "^[-a-zA-Z0-9_]+$"


COUNTRY_FIELD = Field(
    None,
    pattern="^[A-Za-z]{2}$",
    description="ISO 3166-1 alpha-2 code, either case; one that names no country matches nothing.",
)


class PlaceQuery(TextQuery):
    country: str | None = COUNTRY_FIELD
    theme: str | None = Field(
        None,
        pattern=SLUG_PATTERN,
        max_length=100,
        description="Theme slug; one that names no theme matches nothing.",
    )


def filters_read(
    request: HttpRequest, query: Schema, form_class: type[forms.Form] | None = None
) -> dict:
    """The query's filters, checked by the page's filter form; anything else is a 400."""
    known = set(type(query).model_fields)
    unknown = sorted(set(request.GET) - known)
    if unknown:
        raise invalid_parameters((name[:50], "unknown query parameter") for name in unknown)
    values = {
        k: v for k, v in query.dict().items() if k not in PAGE_PARAMETERS and v not in (None, "")
    }
    if form_class is None or not values:
        return values  # nothing to check: a form costs a third of a 304
    form = form_class(values)
    if form.is_valid():
        return {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}
    # A value the schema allows that names nothing (`theme=no-such-theme`, `country=AA`) is
    # a filter that matches nothing; the lists filter by the value itself.
    unknown = {
        name: values[name]
        for name, errors in form.errors.as_data().items()
        if name in values and all(error.code in NAMES_NOTHING for error in errors)
    }
    problems = [(n, " ".join(e)) for n, e in form.errors.items() if n not in unknown]
    if problems:
        raise invalid_parameters(problems)
    cleaned = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}
    return {**cleaned, **unknown}


def text_filter(queryset: QuerySet, *, query: str | None, kind: str) -> QuerySet:
    """Keep the records that match the full-text query (the engine behind /search/)."""
    if not query:
        return queryset
    return queryset.filter(pk__in=search_matching_objects(query=query, kind=kind))


def conditional_get(
    request: HttpRequest, response: HttpResponse, *, version: Iterable[Any], last_modified=None
) -> None:
    """Set ETag and Last-Modified; raise NotModified when the client's copy is current.

    `version` is what the answer depends on (the versions of its tables, `tables_version`,
    or a record's change time), read without building the answer, so that a 304 costs one
    small query.
    """
    key = repr((request.get_full_path(), translation.get_language(), last_modified, *version))
    etag = quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])
    timestamp = int(last_modified.timestamp()) if last_modified else None
    cached = get_conditional_response(request, etag=etag, last_modified=timestamp)
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    if cached is not None and cached.status_code == 304:
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        if timestamp is not None:
            not_modified["Last-Modified"] = http_date(timestamp)
        raise NotModified(not_modified)
    if cached is not None:
        raise ApiProblem(status=cached.status_code, title="Precondition failed")


def queryset_version(*querysets: QuerySet) -> tuple[tuple[int, ...], datetime | None]:
    """Row counts and the latest change of a list and of what it shows of other records
    (for lists whose tables have no version: `tables_version` is cheaper).

    The first count is the length of the list. A deletion changes a count, an edit the
    latest change time (the services save the record when its relations change).
    """
    counts, latest = [], None
    for queryset in querysets:
        queryset = queryset.order_by()
        counts.append(queryset.count())
        # Apart from the count, so that an index on updated_at answers it without a scan.
        changed = queryset.aggregate(latest=Max("updated_at"))["latest"]
        if changed and (latest is None or changed > latest):
            latest = changed
    return tuple(counts), latest


class Out(BaseModel):
    """An answer built from dicts: plain pydantic, checked in its compiled core.

    ninja's `Schema` wraps every object it checks in a Python attribute getter (to read
    model instances), which made checking a page of 50 records a third of its time.
    """


class PageBase(Out):
    count: int
    limit: int
    offset: int | None = Field(description="The offset of this page; null when paged by cursor.")
    next: str | None
    previous: str | None


def page_of(
    request: HttpRequest,
    queryset: QuerySet,
    query: PageQuery,
    serialize: Callable[[Any], dict],
    *,
    count: int,
    prepare: Callable[[list], None] | None = None,
) -> dict:
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


def _order_keys(queryset: QuerySet) -> list[_Key]:
    """The list's order as keys; it must end with the primary key, so that it is total."""
    meta = queryset.model._meta
    keys = []
    for item in queryset.query.order_by:
        if isinstance(item, str):
            name, descending, nulls_last = item.lstrip("-"), item.startswith("-"), None
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            name, descending = item.expression.name, item.descending
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


def cursor_at(path: str, queryset: QuerySet, row: Model) -> str:
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
    queryset: QuerySet,
    query: PageQuery,
    serialize: Callable[[Any], dict],
    *,
    count: int,
    prepare: Callable[[list], None] | None = None,
) -> dict:
    """One page after (or before) the cursor's row, found by its key values: no OFFSET."""
    keys = _order_keys(queryset)
    direction, values = ("next", None)
    if query.cursor:
        direction, values = _cursor_read(request, query.cursor, keys)
    walk = keys if direction == "next" else [key.reversed() for key in keys]
    rows = queryset.order_by(*(key.order() for key in walk))
    if values is not None:
        rows = rows.filter(_after(walk, values))
    rows = list(rows[: query.limit + 1])
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


def related_values_load(objs: list[Model], values: Mapping[str, str]) -> None:
    """Set `related_values[relation]` on each object: the `value` of each record related
    through the many-to-many `relation`, in that model's order.

    One query of plain values per relation: prefetch_related would build a model instance
    per related record and a related manager per object and relation, which was most of
    the time of a list page.
    """
    for obj in objs:
        obj.related_values = {relation: [] for relation in values}
    if not objs:
        return
    by_pk = {obj.pk: obj for obj in objs}
    meta = type(objs[0])._meta
    for relation, value in values.items():
        field = meta.get_field(relation)
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
) -> dict:
    """The record's fields (all, or those asked for); unasked fields are never computed, so
    their relations need not be read."""
    return {
        name: getter(request, obj)
        for name, getter in getters.items()
        if fields is None or name in fields
    }


def fields_schema(schema: type[Schema]) -> type[Schema]:
    """The same fields, each optional: the shape of an answer to `fields=`."""
    return create_model(
        f"{schema.__name__}Fields",
        __base__=Out,
        __doc__=f"Some fields of {schema.__name__}, as chosen with `fields`.",
        **{
            name: (info.annotation | None, Field(None, description=info.description))
            for name, info in schema.model_fields.items()
        },
    )


def _page_url(request: HttpRequest, offset: int, limit: int) -> str:
    params = request.GET.copy()
    params["offset"], params["limit"] = str(offset), str(limit)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def page_url(request: HttpRequest, obj: Any) -> str:
    """The absolute address of a record's page on the site."""
    return request.build_absolute_uri(obj.get_absolute_url())


def slug_page_url(viewname: str) -> Callable[[HttpRequest, Any], str]:
    """A getter of the absolute address of a record's page by its slug, as `page_url` gives
    it, but reversed once per request and list rather than once per record (which was a
    sixth of a list page)."""

    def url(request: HttpRequest, obj: Any) -> str:
        patterns = request.__dict__.setdefault("_slug_page_urls", {})
        if viewname not in patterns:
            placeholder = "slug-placeholder"
            address = request.build_absolute_uri(reverse(viewname, kwargs={"slug": placeholder}))
            patterns[viewname] = address.split(placeholder)
        before, after = patterns[viewname]
        return f"{before}{obj.slug}{after}"

    return url


def api_url(request: HttpRequest, name: str, **kwargs: Any) -> str:
    return request.build_absolute_uri(reverse(f"api-v1:{name}", kwargs=kwargs))
