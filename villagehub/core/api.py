"""What every router of the read API shares: paging, filters, problem details, HTTP caching.

Each app has its own router in `<app>/api.py`; `villagehub/api.py` mounts them at `/api/v1/`.
An endpoint parses its query with a `*Query` schema (documented in the OpenAPI schema),
checks it with the same filter form as the page (`filters_read`), answers 304 when the
client's copy is current (`conditional_get`) and returns one page (`page_of`).
"""

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django import forms
from django.db.models import Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from pydantic import Field

from villagehub.search.selectors import search_matching_objects

PROBLEM_CONTENT_TYPE = "application/problem+json"
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000
PAGE_PARAMETERS = ("limit", "offset")


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
        from villagehub.accounts.selectors import api_token_user

        user = api_token_user(token)
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


class HubAPI(NinjaAPI):
    """The read API: problem details for every error, and an OpenAPI schema that says so."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
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
        errors = []
        for error in exc.errors:
            location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
            errors.append((".".join(location) or "request", str(error.get("msg", ""))))
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
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status).startswith("4") and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
                    if str(status) == "200":
                        response["headers"] = {
                            "ETag": {"schema": {"type": "string"}},
                            "Last-Modified": {"schema": {"type": "string"}},
                        }
        return schema


class PageQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page, 1–500.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


class TextQuery(PageQuery):
    q: str | None = Field(None, max_length=200, description="Full-text search, any language.")


class PlaceQuery(TextQuery):
    country: str | None = Field(
        None, pattern="^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code."
    )
    theme: str | None = Field(None, pattern="^[-a-zA-Z0-9_]+$", description="Theme slug.")


SLUG_PATTERN = "^[-a-zA-Z0-9_]+$"


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
    if form_class is None:
        return values
    form = form_class(values)
    if not form.is_valid():
        raise invalid_parameters(
            (name, " ".join(str(e) for e in errors)) for name, errors in form.errors.items()
        )
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}


def text_filter(queryset: QuerySet, *, query: str | None, kind: str) -> QuerySet:
    """Keep the records that match the full-text query (the engine behind /search/)."""
    if not query:
        return queryset
    return queryset.filter(pk__in=search_matching_objects(query=query, kind=kind))


def conditional_get(
    request: HttpRequest, response: HttpResponse, *, version: Iterable[Any], last_modified=None
) -> None:
    """Set ETag and Last-Modified; raise NotModified when the client's copy is current.

    `version` is what the answer depends on (counts, latest change times), read without
    building the answer, so that a 304 costs one small query.
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
    """Row counts and the latest change of a list and of what it shows of other records.

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


class PageBase(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None


def page_of(
    request: HttpRequest,
    queryset: QuerySet,
    query: PageQuery,
    serialize: Callable[[Any], dict],
    *,
    count: int,
) -> dict:
    rows = list(queryset[query.offset : query.offset + query.limit])
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


def _page_url(request: HttpRequest, offset: int, limit: int) -> str:
    params = request.GET.copy()
    params["offset"], params["limit"] = str(offset), str(limit)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def page_url(request: HttpRequest, obj: Any) -> str:
    """The absolute address of a record's page on the site."""
    return request.build_absolute_uri(obj.get_absolute_url())


def api_url(request: HttpRequest, name: str, **kwargs: Any) -> str:
    return request.build_absolute_uri(reverse(f"api-v1:{name}", kwargs=kwargs))
