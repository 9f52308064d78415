"""The NGSI-LD API at /ngsi-ld/v1/: each view reads the request, calls one service or
selector, and answers; `ngsi_endpoint` does what they share (methods, tenant, token, media
types, @context, ProblemDetails)."""

from __future__ import annotations

import functools
import json
import re
from collections import ChainMap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from villagehub.accounts.services import api_token_use

from . import ld, selectors, services, temporal
from .errors import (
    BadRequestData,
    InvalidRequest,
    MethodNotAllowed,
    NgsiError,
    NotAcceptable,
    OperationNotSupported,
    ResourceNotFound,
    Unauthorized,
    UnsupportedMediaType,
)
from .geo import geoquery_parse
from .models import JsonLdContext
from .query import names_parse, q_parse
from .representation import entity_feature, entity_id_check, entity_pick, is_datetime, is_uri

JSON = "application/json"
JSON_LD = "application/ld+json"
GEO_JSON = "application/geo+json"
MERGE_PATCH = "application/merge-patch+json"
FORMATS = {"normalized", "concise", "keyValues", "simplified"}
OPTIONS = {"keyValues", "concise", "normalized", "sysAttrs", "simplified"}


@dataclass
class Call:
    request: HttpRequest
    tenant: str
    accept: str
    context: Any
    user: Any
    body: Any = None

    @property
    def params(self):
        return self.request.GET


# The representations in the order of ETSI GS CIM 009, 6.3.4: when the Accept header allows
# several with the same weight, the first of this list is chosen.
REPRESENTATIONS = (JSON, JSON_LD, GEO_JSON)


def _media_ranges(header: str) -> list[tuple[str, str, float]]:
    """The header's media ranges as (type, subtype, weight); a weight that is not a number
    leaves the default 1, as no rule of RFC 9110 gives it another."""
    ranges = []
    for part in header.split(","):
        media, *rest = part.strip().split(";")
        main, _, sub = media.strip().lower().partition("/")
        if not main:
            continue
        weight = 1.0
        for item in rest:
            key, _, number = item.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = min(max(float(number), 0.0), 1.0)
                except ValueError:
                    weight = 1.0
        ranges.append((main, sub or "*", weight))
    return ranges


def _weight(media: str, ranges: list[tuple[str, str, float]]) -> float:
    """RFC 9110, 12.5.1: a media type takes the weight of the most specific range matching it."""
    main, _, sub = media.partition("/")
    best: tuple[int, float] | None = None
    for range_main, range_sub, weight in ranges:
        if range_main == main and range_sub == sub:
            specificity = 2
        elif range_main == main and range_sub == "*":
            specificity = 1
        elif range_main == "*" and range_sub == "*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, weight)
    return best[1] if best is not None else 0.0


def _accept(request: HttpRequest, *, geo: bool) -> str:
    """The representation to answer: the highest weight among those the operation offers
    (GeoJSON only for retrieving and querying entities, 6.3.15), ties to the list order."""
    header = request.headers.get("Accept", "").strip()
    if not header:
        return JSON
    ranges = _media_ranges(header)
    offered = REPRESENTATIONS if geo else REPRESENTATIONS[:2]
    weights = [(_weight(media, ranges), -position, media) for position, media in enumerate(offered)]
    weight, _position, media = max(weights)
    if weight <= 0:
        raise NotAcceptable(
            "Accept: this operation answers " + ", ".join(offered) + f", not {header}."
        )
    return media


def _user(request: HttpRequest):
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, key = header.partition(" ")
    user = api_token_use(key=key.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise Unauthorized("The API token is not valid: Authorization: Bearer vh_...")
    return user


def _body_and_context(
    request: HttpRequest, link: str | None, *, plain: bool = False
) -> tuple[Any, Any]:
    media = request.content_type.lower()
    if media not in (JSON, JSON_LD, MERGE_PATCH):
        raise UnsupportedMediaType(
            f"Content-Type {media or '(none)'}: send application/json or application/ld+json."
        )
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequest(f"The body is not valid JSON: {exc}.") from exc
    if body is None:
        raise InvalidRequest("The body is empty; it must be JSON.")
    items = body if isinstance(body, list) else [body]
    if plain:
        return body, link
    if media == JSON_LD:
        if link is not None:
            raise BadRequestData(
                "With Content-Type application/ld+json the @context goes in the body, "
                "not in a Link header."
            )
        missing = [item for item in items if not isinstance(item, dict) or "@context" not in item]
        if missing:
            raise BadRequestData("With Content-Type application/ld+json the body needs @context.")
        return body, items[0]["@context"] if isinstance(body, dict) else None
    if any(isinstance(item, dict) and "@context" in item for item in items):
        raise BadRequestData(
            "With Content-Type application/json the @context goes in a Link header, "
            "not in the body (or send application/ld+json)."
        )
    return body, link


# Query parameters every operation takes: the ones of the entity representation are
# listed with each operation that renders entities.
RENDER_PARAMS = frozenset({"options", "format", "lang", "pick", "omit", "attrs"})


def ngsi_endpoint(
    *methods: str,
    params: dict[str, frozenset[str]] | None = None,
    plain_body: bool = False,
    geo: bool = False,
) -> Callable:
    """The shared handling of an NGSI-LD operation: `params` names the query parameters each
    method takes (any other is `400 InvalidRequest`, 6.3.20), `geo` whether it answers
    GeoJSON."""
    known = params or {}
    every_param = frozenset().union(*known.values()) if known else frozenset()

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            tenant = request.headers.get("NGSILD-Tenant", "").strip()
            if request.method in ("POST", "PATCH", "PUT") and not request.META.get(
                "CONTENT_LENGTH"
            ):
                # 6.3.4: a body without Content-Length (chunked, or none declared) is a
                # bare 411, decided before anything else about the request.
                return HttpResponse(status=411)
            try:
                allowed = (
                    known.get(request.method, frozenset())
                    if request.method in methods
                    else every_param
                )
                unknown = sorted(set(request.GET) - allowed)
                if unknown:
                    raise InvalidRequest(
                        f"Unknown query parameter {', '.join(unknown)}"
                        + (
                            f"; this operation takes {', '.join(sorted(allowed))}."
                            if allowed
                            else "; this operation takes none."
                        )
                    )
                if request.method not in methods:
                    raise MethodNotAllowed(
                        f"{request.method} is not allowed here; use {', '.join(methods)}."
                    )
                link = ld.link_header_context(request.headers.get("Link", ""))
                call = Call(
                    request=request,
                    tenant=tenant,
                    accept=_accept(request, geo=geo),
                    context=link,
                    user=_user(request),
                )
                if request.method in ("POST", "PATCH", "PUT") and (
                    request.body or request.content_type
                ):
                    call.body, call.context = _body_and_context(request, link, plain=plain_body)
                if call.context is not None and not plain_body:
                    services.contexts_hit(context=call.context)
                response = view(call, *args, **kwargs)
            except NgsiError as error:
                response = problem(error)
                if error.status == 405:
                    response["Allow"] = ", ".join(methods)
                if error.status == 401:
                    response["WWW-Authenticate"] = "Bearer"
            response["Cache-Control"] = "no-store"
            if tenant:
                # 6.3.14: the tenant a request named is named in its answer, errors too.
                response["NGSILD-Tenant"] = tenant
            return response

        return wrapper

    return decorate


def problem(error: NgsiError) -> HttpResponse:
    return HttpResponse(json.dumps(error.problem()), status=error.status, content_type=JSON)


def _context_url(context: Any) -> Any:
    return context if context is not None else ld.CORE_URL


def _context_in_body(call: Call) -> bool:
    """JSON-LD answers carry their @context in the body; GeoJSON ones too (6.3.15), unless
    the client asked for `Prefer: body=json`, which moves it to the Link header."""
    if call.accept == JSON_LD:
        return True
    if call.accept == GEO_JSON:
        prefer = call.request.headers.get("Prefer", "").replace(" ", "").lower()
        return "body=json" not in prefer.split(",")
    return False


def answer(
    call: Call, data: Any, *, status: int = 200, headers: dict | None = None
) -> HttpResponse:
    in_body = _context_in_body(call)
    if in_body:
        items = data if isinstance(data, list) else [data]
        for item in items:
            if isinstance(item, dict):
                item["@context"] = _context_url(call.context)
    response = HttpResponse(json.dumps(data), status=status, content_type=call.accept)
    if not in_body:
        url = call.context if isinstance(call.context, str) else ld.CORE_URL
        response["Link"] = f'<{url}>; rel="{ld.JSONLD_CONTEXT_REL}"; type="{JSON_LD}"'
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def no_content(status: int = 204, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(status=status)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _require_body(call: Call) -> Any:
    if call.body is None:
        raise InvalidRequest("This operation needs a JSON body.")
    return call.body


def _list_param(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or None


def _datasets(raw: Any) -> list[str | None] | None:
    """The datasetId parameter: datasetIds (URIs) and `@none` for the default instance."""
    if raw is None:
        return None
    items = _list_param(raw) if isinstance(raw, str) else None
    if not items:
        raise BadRequestData("datasetId: one or more URIs, or @none, separated by commas.")
    for item in items:
        if item != "@none" and not is_uri(item):
            raise BadRequestData(f"datasetId: {item!r} is not a URI (nor @none).")
    return [None if item == "@none" else item for item in items]


def _options(call: Call) -> set[str]:
    options = set(_list_param(call.params.get("options")) or [])
    return options


def _render(
    call: Call, options: set[str] | None = None, attrs: list[str] | None = None
) -> selectors.Render:
    options = _options(call) if options is None else options
    unknown = options - OPTIONS - {"noOverwrite", "replace", "update"}
    if unknown:
        raise BadRequestData(f"options: {', '.join(sorted(unknown))} is not supported.")
    fmt = call.params.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise BadRequestData(f"format: {fmt!r} is not normalized, concise or keyValues.")
    if fmt is None:
        if "keyValues" in options or "simplified" in options:
            fmt = "keyValues"
        elif "concise" in options:
            fmt = "concise"
        else:
            fmt = "normalized"
    if fmt == "simplified":
        fmt = "keyValues"
    pick = _list_param(call.params.get("pick"))
    omit = _list_param(call.params.get("omit"))
    # pick replaces attrs (CIM 009 v1.8, 4.21); together, or pick with omit, they contradict.
    if pick is not None and omit is not None:
        raise BadRequestData("pick and omit: give one or the other.")
    if attrs and (pick is not None or omit is not None):
        raise BadRequestData(
            f"attrs and {'pick' if pick is not None else 'omit'}: give one or the other."
        )
    return selectors.Render(
        context=call.context,
        fmt=fmt,
        sys_attrs="sysAttrs" in options,
        lang=call.params.get("lang"),
        attrs=attrs,
        pick=pick,
        omit=omit,
        datasets=_datasets(call.params.get("datasetId")),
    )


def _int_param(call: Call, name: str, default: int, *, low: int, high: int | None = None) -> int:
    raw = call.params.get(name)
    if raw is None:
        return default
    try:
        number = int(raw)
    except ValueError as exc:
        raise BadRequestData(f"{name}: {raw!r} is not a whole number.") from exc
    if number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadRequestData(f"{name}: must be {bound}.")
    return number


def _location_of(call: Call) -> str:
    return call.params.get("geometryProperty") or call.params.get("geoproperty") or "location"


# The query parameters each operation takes (ETSI GS CIM 009, clause 6): any other one is
# refused, so that a misspelt parameter does not silently widen an answer.
NO_PARAMS: frozenset[str] = frozenset()
OPTIONS_PARAM = frozenset({"options"})
DETAILS_PARAM = frozenset({"details"})
PAGE_PARAMS = frozenset({"limit", "offset", "count", "local"})
RETRIEVE_PARAMS = RENDER_PARAMS | {"geoproperty", "geometryProperty", "datasetId"}
QUERY_PARAMS = (
    RETRIEVE_PARAMS
    | PAGE_PARAMS
    | {"type", "id", "idPattern", "q", "scopeQ", "georel", "geometry", "coordinates"}
)
TEMPORAL_PARAMS = RENDER_PARAMS | {
    "timerel",
    "timeAt",
    "endTimeAt",
    "timeproperty",
    "lastN",
    "aggrMethods",
    "aggrPeriodDuration",
    "datasetId",
}


# Entities.


@ngsi_endpoint("GET", "POST", params={"GET": QUERY_PARAMS, "POST": NO_PARAMS}, geo=True)
def entities(call: Call) -> HttpResponse:
    if call.request.method == "POST":
        entity = services.entity_create(
            user=call.user, tenant=call.tenant, document=_require_body(call), context=call.context
        )
        return no_content(201, {"Location": f"/ngsi-ld/v1/entities/{entity.entity_id}"})
    params = call.params
    spec = {
        "type": params.get("type"),
        "ids": _list_param(params.get("id")),
        "idPattern": params.get("idPattern"),
        "attrs": _list_param(params.get("attrs")),
        "q": params.get("q"),
        "scopeQ": params.get("scopeQ"),
        "geo": {
            "georel": params.get("georel"),
            "geometry": params.get("geometry"),
            "coordinates": params.get("coordinates"),
            "geoproperty": params.get("geoproperty"),
        },
    }
    if not any(spec[key] for key in ("type", "ids", "idPattern", "attrs", "q", "scopeQ")) and not (
        spec["geo"]["georel"] or params.get("local") == "true"
    ):
        raise BadRequestData(
            "Give at least one of type, id, idPattern, attrs, q, geoQ or scopeQ "
            "(or local=true for every entity)."
        )
    return _query_answer(call, spec)


def _query_answer(call: Call, spec: dict) -> HttpResponse:
    for name in spec.get("ids") or []:
        if not isinstance(name, str):
            raise BadRequestData("id: each id must be a URI.")
        entity_id_check(name)
    types = names_parse(spec["type"], "type") if spec.get("type") else None
    q = q_parse(spec["q"]) if spec.get("q") else None
    scope_q = names_parse(spec["scopeQ"], "scopeQ") if spec.get("scopeQ") else None
    types, q, attrs = selectors.query_resolve(
        context=call.context, types=types, q=q, attrs=spec.get("attrs")
    )
    geo_spec = spec.get("geo") or {}
    geoproperty = geo_spec.get("geoproperty") or "location"
    geo = geoquery_parse(
        georel=geo_spec.get("georel"),
        geometry=geo_spec.get("geometry"),
        coordinates=geo_spec.get("coordinates"),
        geoproperty=ld.storage_name(geoproperty, call.context),
    )
    query = selectors.EntityQuery(
        types=types,
        ids=spec.get("ids"),
        id_pattern=spec.get("idPattern"),
        attrs=attrs,
        q=q,
        scope_q=scope_q,
        geo=geo,
        limit=_int_param(call, "limit", selectors.DEFAULT_LIMIT, low=0, high=selectors.MAX_LIMIT),
        offset=_int_param(call, "offset", 0, low=0),
    )
    count_wanted = call.params.get("count") == "true"
    if query.limit == 0 and not count_wanted:
        raise BadRequestData("limit: 0 only goes with count=true.")
    render = _render(call, attrs=attrs)
    rows, total = selectors.entity_query(tenant=call.tenant, query=query)
    shown = selectors.entities_render(rows, render)
    headers = {"NGSILD-Results-Count": str(total)} if count_wanted else {}
    if call.accept == GEO_JSON:
        geometry_name = (
            call.params.get("geometryProperty") or geo_spec.get("geoproperty") or "location"
        )
        collection = {
            "type": "FeatureCollection",
            "features": [entity_feature(item, geometry_name) for item in shown],
        }
        return answer(call, collection, headers=headers)
    return answer(call, shown, headers=headers)


@ngsi_endpoint(
    "GET",
    "PUT",
    "PATCH",
    "DELETE",
    params={"GET": RETRIEVE_PARAMS, "PUT": NO_PARAMS, "PATCH": NO_PARAMS, "DELETE": NO_PARAMS},
    geo=True,
)
def entity(call: Call, entity_id: str) -> HttpResponse:
    method = call.request.method
    if method == "DELETE":
        services.entity_delete(user=call.user, tenant=call.tenant, entity_id=entity_id)
        return no_content()
    if method == "PUT":
        services.entity_replace(
            user=call.user,
            tenant=call.tenant,
            entity_id=entity_id,
            document=_require_body(call),
            context=call.context,
        )
        return no_content()
    if method == "PATCH":
        services.entity_merge(
            user=call.user,
            tenant=call.tenant,
            entity_id=entity_id,
            document=_require_body(call),
            context=call.context,
        )
        return no_content()
    entity_id_check(entity_id)
    attrs = _list_param(call.params.get("attrs"))
    stored_attrs = ld.storage_names(attrs, call.context) if attrs else None
    found = selectors.entity_get(tenant=call.tenant, entity_id=entity_id)
    shown = selectors.entity_render(found, _render(call, attrs=stored_attrs))
    if call.accept == GEO_JSON:
        return answer(call, entity_feature(shown, _location_of(call)))
    return answer(call, shown)


@ngsi_endpoint("POST", "PATCH", params={"POST": OPTIONS_PARAM, "PATCH": NO_PARAMS})
def entity_attrs(call: Call, entity_id: str) -> HttpResponse:
    if call.request.method == "POST":
        overwrite = "noOverwrite" not in _options(call)
        result = services.entity_attrs_append(
            user=call.user,
            tenant=call.tenant,
            entity_id=entity_id,
            document=_require_body(call),
            context=call.context,
            overwrite=overwrite,
        )
    else:
        result = services.entity_attrs_update(
            user=call.user,
            tenant=call.tenant,
            entity_id=entity_id,
            document=_require_body(call),
            context=call.context,
        )
    if result.not_updated:
        call.accept = JSON
        return answer(call, result.as_json(), status=207)
    return no_content()


@ngsi_endpoint(
    "PATCH",
    "PUT",
    "DELETE",
    params={"PATCH": NO_PARAMS, "PUT": NO_PARAMS, "DELETE": frozenset({"datasetId", "deleteAll"})},
)
def entity_attr(call: Call, entity_id: str, name: str) -> HttpResponse:
    method = call.request.method
    if method == "DELETE":
        services.entity_attr_delete(
            user=call.user,
            tenant=call.tenant,
            entity_id=entity_id,
            name=name,
            context=call.context,
            dataset_id=call.params.get("datasetId"),
            delete_all=call.params.get("deleteAll") == "true",
        )
    elif method == "PUT":
        services.entity_attr_replace(
            user=call.user,
            tenant=call.tenant,
            entity_id=entity_id,
            name=name,
            document=_require_body(call),
            context=call.context,
        )
    else:
        services.entity_attr_patch(
            user=call.user,
            tenant=call.tenant,
            entity_id=entity_id,
            name=name,
            document=_require_body(call),
            context=call.context,
        )
    return no_content()


# Batch operations.


def _batch_answer(call: Call, result: services.BatchResult, *, created: bool) -> HttpResponse:
    if result.errors:
        call.accept = JSON
        return answer(call, result.as_json(), status=207)
    if created:
        call.accept = JSON
        return answer(call, result.success, status=201)
    return no_content()


@ngsi_endpoint("POST", params={"POST": NO_PARAMS})
def batch_create(call: Call) -> HttpResponse:
    result = services.entities_batch_create(
        user=call.user, tenant=call.tenant, documents=_require_body(call), context=call.context
    )
    return _batch_answer(call, result, created=True)


@ngsi_endpoint("POST", params={"POST": OPTIONS_PARAM})
def batch_upsert(call: Call) -> HttpResponse:
    options = _options(call)
    if options - {"replace", "update"}:
        raise BadRequestData("options: upsert takes replace or update.")
    result, created = services.entities_batch_upsert(
        user=call.user,
        tenant=call.tenant,
        documents=_require_body(call),
        context=call.context,
        replace="update" not in options,
    )
    if result.errors:
        return _batch_answer(call, result, created=False)
    if created:
        call.accept = JSON
        return answer(call, created, status=201)
    return no_content()


@ngsi_endpoint("POST", params={"POST": OPTIONS_PARAM})
def batch_update(call: Call) -> HttpResponse:
    result = services.entities_batch_update(
        user=call.user,
        tenant=call.tenant,
        documents=_require_body(call),
        context=call.context,
        overwrite="noOverwrite" not in _options(call),
    )
    return _batch_answer(call, result, created=False)


@ngsi_endpoint("POST", params={"POST": NO_PARAMS})
def batch_merge(call: Call) -> HttpResponse:
    result = services.entities_batch_merge(
        user=call.user, tenant=call.tenant, documents=_require_body(call), context=call.context
    )
    return _batch_answer(call, result, created=False)


@ngsi_endpoint("POST", params={"POST": NO_PARAMS})
def batch_delete(call: Call) -> HttpResponse:
    result = services.entities_batch_delete(
        user=call.user, tenant=call.tenant, entity_ids=_require_body(call)
    )
    return _batch_answer(call, result, created=False)


@ngsi_endpoint("POST", params={"POST": PAGE_PARAMS | RETRIEVE_PARAMS}, geo=True)
def batch_query(call: Call) -> HttpResponse:
    body = _require_body(call)
    if not isinstance(body, dict) or body.get("type", "Query") != "Query":
        raise BadRequestData('The body must be a Query: {"type": "Query", "entities": [...]}.')
    selectors_list = body.get("entities") or []
    if not isinstance(selectors_list, list):
        raise BadRequestData("entities: must be a list of entity selectors.")
    types = [
        item.get("type") for item in selectors_list if isinstance(item, dict) and item.get("type")
    ]
    ids = [item.get("id") for item in selectors_list if isinstance(item, dict) and item.get("id")]
    patterns = [
        item.get("idPattern")
        for item in selectors_list
        if isinstance(item, dict) and item.get("idPattern")
    ]
    attrs = body.get("attrs")
    if attrs is not None and not (
        isinstance(attrs, list) and all(isinstance(a, str) for a in attrs)
    ):
        raise BadRequestData("attrs: must be a list of attribute names.")
    geo = body.get("geoQ") or {}
    if not isinstance(geo, dict):
        raise BadRequestData("geoQ: must be an object with georel, geometry and coordinates.")
    coordinates = geo.get("coordinates")
    spec = {
        "type": ",".join(f"({item})" for item in types) if types else None,
        "ids": ids or None,
        "idPattern": patterns[0] if patterns else None,
        "attrs": attrs,
        "q": body.get("q"),
        "scopeQ": body.get("scopeQ"),
        "geo": {
            "georel": geo.get("georel"),
            "geometry": geo.get("geometry"),
            "coordinates": json.dumps(coordinates)
            if isinstance(coordinates, list)
            else coordinates,
            "geoproperty": geo.get("geoproperty"),
        },
    }
    if (
        not any(spec[key] for key in ("type", "ids", "idPattern", "attrs", "q", "scopeQ"))
        and not geo
    ):
        raise BadRequestData("A Query needs entities, attrs, q, geoQ or scopeQ.")
    for key in ("q", "scopeQ"):
        if spec[key] is not None and not isinstance(spec[key], str):
            raise BadRequestData(f"{key}: must be a string.")
    return _query_answer(call, spec)


# Temporal API.

TIMERELS = ("before", "after", "between")


def _moment(source: Any, name: str) -> datetime:
    raw = source.get(name)
    if not isinstance(raw, str) or not is_datetime(raw):
        raise BadRequestData(f"{name}: a date and time (ISO 8601 with Z) is needed.")
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))


def _temporal_query(
    call: Call, attrs: list[str] | None, source: Any = None
) -> selectors.TemporalQuery:
    """The time filter, from the query parameters or (POST query) the body's temporalQ."""
    source = call.params if source is None else source
    timerel = source.get("timerel")
    query = selectors.TemporalQuery(attrs=attrs)
    if timerel is not None:
        if timerel not in TIMERELS:
            raise BadRequestData("timerel: before, after or between.")
        query.timerel = timerel
        query.time_at = _moment(source, "timeAt")
        if timerel == "between":
            query.end_time_at = _moment(source, "endTimeAt")
            if query.end_time_at <= query.time_at:
                raise BadRequestData("endTimeAt: must be after timeAt.")
    elif source.get("timeAt") is not None:
        raise BadRequestData("timeAt: goes with timerel.")
    timeproperty = source.get("timeproperty", "observedAt")
    if timeproperty not in ("observedAt", "modifiedAt", "createdAt", "deletedAt"):
        raise BadRequestData("timeproperty: observedAt, modifiedAt, createdAt or deletedAt.")
    query.timeproperty = timeproperty
    last_n = source.get("lastN")
    if last_n is not None:
        if isinstance(last_n, str) and last_n.isdigit():
            last_n = int(last_n)
        if not isinstance(last_n, int) or isinstance(last_n, bool) or last_n < 1:
            raise BadRequestData(f"lastN: {last_n!r} is not a whole number of at least 1.")
        query.last_n = last_n
    query.datasets = _datasets(source.get("datasetId"))
    return query


DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def _aggregation(source: Any, options: set[str]) -> tuple | None:
    methods = source.get("aggrMethods")
    if isinstance(methods, str):
        methods = _list_param(methods)
    elif methods is not None and not (
        isinstance(methods, list) and all(isinstance(method, str) for method in methods)
    ):
        raise BadRequestData("aggrMethods: a comma-separated text or a list of texts.")
    if "aggregatedValues" not in options:
        if methods is not None:
            raise BadRequestData("aggrMethods: goes with options=aggregatedValues.")
        return None
    if not methods:
        raise BadRequestData(
            "aggrMethods: name at least one of " + ", ".join(selectors.AGGREGATIONS) + "."
        )
    unknown = [method for method in methods if method not in selectors.AGGREGATIONS]
    if unknown:
        raise BadRequestData(
            f"aggrMethods: {', '.join(unknown)} is not one of "
            + ", ".join(selectors.AGGREGATIONS)
            + "."
        )
    raw = source.get("aggrPeriodDuration", "P0D")
    match = DURATION.match(raw) if isinstance(raw, str) else None
    if not match or raw in ("P", "PT"):
        raise BadRequestData(
            f"aggrPeriodDuration: {raw!r} is not an ISO 8601 duration in weeks, days, hours, "
            "minutes or seconds (years and months are not supported)."
        )
    parts = {key: float(value) for key, value in match.groupdict().items() if value}
    period = timedelta(**parts)
    start = _moment(source, "timeAt") if source.get("timeAt") else None
    return methods, (period if period.total_seconds() > 0 else None), start


TEMPORAL_FORMATS = {
    "normalized": "",
    "temporalValues": "temporalValues",
    "simplified": "temporalValues",
    "keyValues": "temporalValues",
    "aggregatedValues": "aggregatedValues",
}


def _temporal_answer(
    call: Call, entity_ids: list[str], query: selectors.TemporalQuery, source: Any = None
) -> list:
    options = _options(call)
    # keyValues (or simplified) asks for the simplified temporal representation, which
    # temporalValues names (6.3.12); format= says the same as options= (v1.8).
    if options & {"keyValues", "simplified"}:
        options = (options - {"keyValues", "simplified"}) | {"temporalValues"}
    fmt = call.params.get("format")
    if fmt is not None:
        if fmt not in TEMPORAL_FORMATS:
            raise BadRequestData(
                f"format: {fmt!r} is not one of {', '.join(sorted(TEMPORAL_FORMATS))}."
            )
        options = options | {TEMPORAL_FORMATS[fmt]} - {""}
    unknown = options - {"temporalValues", "sysAttrs", "aggregatedValues", "normalized"}
    if unknown:
        raise BadRequestData(f"options: {', '.join(sorted(unknown))} is not supported here.")
    aggregation = _aggregation(call.params if source is None else source, options)
    pick = _list_param(call.params.get("pick"))
    omit = _list_param(call.params.get("omit"))
    if pick is not None and omit is not None:
        raise BadRequestData("pick and omit: give one or the other.")
    if query.attrs is not None and (pick is not None or omit is not None):
        raise BadRequestData(
            f"attrs and {'pick' if pick is not None else 'omit'}: give one or the other."
        )
    found = selectors.temporal_instances(tenant=call.tenant, entity_ids=entity_ids, query=query)
    types = selectors.temporal_types(tenant=call.tenant, entity_ids=entity_ids)
    shown = [
        selectors.temporal_render(
            entity_id=entity_id,
            types=types.get(entity_id, []),
            attributes=found.get(entity_id, {}),
            context=call.context,
            temporal_values="temporalValues" in options,
            aggregation=aggregation,
            sys_attrs="sysAttrs" in options,
            timeproperty=query.timeproperty,
        )
        for entity_id in entity_ids
    ]
    # pick and omit choose the members shown, id and type included (4.21, ETSI 021_21).
    return [entity_pick(item, pick=pick, omit=omit) for item in shown]


@ngsi_endpoint("GET", "DELETE", params={"GET": TEMPORAL_PARAMS, "DELETE": NO_PARAMS})
def temporal_entity(call: Call, entity_id: str) -> HttpResponse:
    entity_id_check(entity_id)
    if call.request.method == "DELETE":
        temporal.temporal_entity_delete(user=call.user, tenant=call.tenant, entity_id=entity_id)
        return no_content()
    attrs = _list_param(call.params.get("attrs"))
    stored_attrs = ld.storage_names(attrs, call.context) if attrs else None
    ids = selectors.temporal_entity_ids(tenant=call.tenant, entity_id=entity_id)
    return answer(call, _temporal_answer(call, ids, _temporal_query(call, stored_attrs))[0])


@ngsi_endpoint("GET", "POST", params={"GET": TEMPORAL_PARAMS | QUERY_PARAMS, "POST": NO_PARAMS})
def temporal_entities(call: Call) -> HttpResponse:
    if call.request.method == "POST":
        body = _require_body(call)
        created = temporal.temporal_entity_upsert(
            user=call.user, tenant=call.tenant, document=body, context=call.context
        )
        if not created:
            return no_content()
        return no_content(201, {"Location": f"/ngsi-ld/v1/temporal/entities/{body['id']}"})
    params = call.params
    if not any(params.get(key) for key in ("type", "id", "idPattern", "attrs")):
        raise BadRequestData("Give at least one of type, id, idPattern or attrs.")
    for key in ("q", "geoQ", "georel", "scopeQ"):
        if params.get(key):
            raise OperationNotSupported(f"{key}: not supported by the temporal API here.")
    return _temporal_query_answer(
        call,
        types=names_parse(params["type"], "type") if params.get("type") else None,
        ids=_list_param(params.get("id")),
        id_pattern=params.get("idPattern"),
        attrs=_list_param(params.get("attrs")),
        source=params,
    )


@ngsi_endpoint("POST", params={"POST": NO_PARAMS})
def temporal_entity_attrs(call: Call, entity_id: str) -> HttpResponse:
    temporal.temporal_attrs_append(
        user=call.user,
        tenant=call.tenant,
        entity_id=entity_id,
        document=_require_body(call),
        context=call.context,
    )
    return no_content()


@ngsi_endpoint("DELETE", params={"DELETE": frozenset({"datasetId", "deleteAll"})})
def temporal_entity_attr(call: Call, entity_id: str, name: str) -> HttpResponse:
    entity_id_check(entity_id)
    delete_all = call.params.get("deleteAll", "false")
    if delete_all not in ("true", "false"):
        raise BadRequestData("deleteAll: true or false.")
    temporal.temporal_attr_delete(
        user=call.user,
        tenant=call.tenant,
        entity_id=entity_id,
        name=name,
        context=call.context,
        dataset_id=call.params.get("datasetId") or None,
        delete_all=delete_all == "true",
    )
    return no_content()


@ngsi_endpoint("PATCH", "DELETE", params={"PATCH": NO_PARAMS, "DELETE": NO_PARAMS})
def temporal_attr_instance(call: Call, entity_id: str, name: str, instance_id: str) -> HttpResponse:
    if call.request.method == "DELETE":
        temporal.temporal_instance_delete(
            user=call.user,
            tenant=call.tenant,
            entity_id=entity_id,
            name=name,
            instance_id=instance_id,
            context=call.context,
        )
    else:
        temporal.temporal_instance_patch(
            user=call.user,
            tenant=call.tenant,
            entity_id=entity_id,
            name=name,
            instance_id=instance_id,
            document=_require_body(call),
            context=call.context,
        )
    return no_content()


@ngsi_endpoint("POST", params={"POST": TEMPORAL_PARAMS | PAGE_PARAMS})
def temporal_batch_query(call: Call) -> HttpResponse:
    body = _require_body(call)
    if not isinstance(body, dict) or body.get("type", "Query") != "Query":
        raise BadRequestData('The body must be a Query: {"type": "Query", "entities": [...]}.')
    for key in ("q", "geoQ", "scopeQ"):
        if body.get(key):
            raise OperationNotSupported(f"{key}: not supported by the temporal API here.")
    selections = body.get("entities") or []
    if not isinstance(selections, list) or not all(isinstance(item, dict) for item in selections):
        raise BadRequestData("entities: must be a list of entity selectors.")
    types = [item["type"] for item in selections if item.get("type")]
    ids = [item["id"] for item in selections if item.get("id")]
    patterns = [item["idPattern"] for item in selections if item.get("idPattern")]
    for key, found in (("type", types), ("id", ids), ("idPattern", patterns)):
        if not all(isinstance(value, str) for value in found):
            raise BadRequestData(f"entities: each {key} must be a string.")
    if len(patterns) > 1:
        raise BadRequestData("entities: one idPattern at most.")
    attrs = body.get("attrs")
    if attrs is not None and not (
        isinstance(attrs, list) and all(isinstance(name, str) for name in attrs)
    ):
        raise BadRequestData("attrs: must be a list of attribute names.")
    if not (types or ids or patterns or attrs):
        raise BadRequestData("A Query needs entities or attrs.")
    temporal = body.get("temporalQ", {})
    if not isinstance(temporal, dict):
        raise BadRequestData("temporalQ: must be an object (timerel, timeAt, endTimeAt, ...).")
    return _temporal_query_answer(
        call,
        types=names_parse(",".join(f"({name})" for name in types), "type") if types else None,
        ids=ids or None,
        id_pattern=patterns[0] if patterns else None,
        attrs=attrs,
        # The body's temporalQ says what the query parameters would; it wins over them.
        source=ChainMap(temporal, call.params),
    )


def _temporal_query_answer(
    call: Call,
    *,
    types: Any,
    ids: list[str] | None,
    id_pattern: str | None,
    attrs: list[str] | None,
    source: Any,
) -> HttpResponse:
    for name in ids or []:
        entity_id_check(name)
    types, _q, stored_attrs = selectors.query_resolve(
        context=call.context, types=types, q=None, attrs=attrs
    )
    query = _temporal_query(call, stored_attrs, source)
    found = selectors.temporal_query_ids(
        tenant=call.tenant, types=types, ids=ids, id_pattern=id_pattern, query=query
    )
    limit = _int_param(call, "limit", selectors.DEFAULT_LIMIT, low=1, high=selectors.MAX_LIMIT)
    offset = _int_param(call, "offset", 0, low=0)
    shown = _temporal_answer(call, found[offset : offset + limit], query, source)
    headers = (
        {"NGSILD-Results-Count": str(len(found))} if call.params.get("count") == "true" else {}
    )
    return answer(call, shown, headers=headers)


# Subscriptions.


@ngsi_endpoint("GET", "POST", params={"GET": PAGE_PARAMS, "POST": NO_PARAMS})
def subscriptions(call: Call) -> HttpResponse:
    if call.request.method == "POST":
        subscription = services.subscription_create(
            user=call.user, tenant=call.tenant, document=_require_body(call), context=call.context
        )
        return no_content(
            201, {"Location": f"/ngsi-ld/v1/subscriptions/{subscription.subscription_id}"}
        )
    if call.user is None:
        raise Unauthorized("Subscriptions are read with the token that made them.")
    rows = selectors.subscriptions_of(user=call.user, tenant=call.tenant)
    limit = _int_param(call, "limit", selectors.DEFAULT_LIMIT, low=1, high=selectors.MAX_LIMIT)
    offset = _int_param(call, "offset", 0, low=0)
    shown = [selectors.subscription_json(row) for row in rows[offset : offset + limit]]
    headers = (
        {"NGSILD-Results-Count": str(rows.count())} if call.params.get("count") == "true" else {}
    )
    return answer(call, shown, headers=headers)


@ngsi_endpoint("GET", "PATCH", "DELETE", params={})
def subscription(call: Call, subscription_id: str) -> HttpResponse:
    method = call.request.method
    if method == "DELETE":
        services.subscription_delete(
            user=call.user, tenant=call.tenant, subscription_id=subscription_id
        )
        return no_content()
    if method == "PATCH":
        services.subscription_update(
            user=call.user,
            tenant=call.tenant,
            subscription_id=subscription_id,
            document=_require_body(call),
            context=call.context,
        )
        return no_content()
    found = services.subscription_get_for_owner(
        user=call.user, tenant=call.tenant, subscription_id=subscription_id
    )
    return answer(call, selectors.subscription_json(found))


# Discovery.


@ngsi_endpoint("GET", params={"GET": DETAILS_PARAM})
def types(call: Call) -> HttpResponse:
    names = ld.user_names(selectors.types_list(tenant=call.tenant), call.context)
    if call.params.get("details") == "true":
        stored = selectors.types_list(tenant=call.tenant)
        shown = []
        for stored_name, name, iri in zip(stored, names, ld.expanded_names(stored), strict=True):
            details = selectors.type_details(tenant=call.tenant, name=stored_name)
            shown.append(
                {
                    "id": iri,
                    "type": "EntityType",
                    "typeName": name,
                    "attributeNames": ld.user_names(sorted(details["attributes"]), call.context),
                }
            )
        return answer(call, shown)
    return answer(
        call, {"id": "urn:ngsi-ld:EntityTypeList:hub", "type": "EntityTypeList", "typeList": names}
    )


@ngsi_endpoint("GET", params={})
def type_detail(call: Call, name: str) -> HttpResponse:
    stored = ld.storage_name(name, call.context)
    details = selectors.type_details(tenant=call.tenant, name=stored)
    attribute_names = sorted(details["attributes"])
    shown_names = ld.user_names(attribute_names, call.context)
    return answer(
        call,
        {
            "id": ld.expanded_names([stored])[0],
            "type": "EntityTypeInfo",
            "typeName": ld.user_names([stored], call.context)[0],
            "entityCount": details["count"],
            "attributeDetails": [
                {
                    "id": iri,
                    "type": "Attribute",
                    "attributeName": shown,
                    "attributeTypes": sorted(details["attributes"][stored_attr]),
                }
                for stored_attr, shown, iri in zip(
                    attribute_names, shown_names, ld.expanded_names(attribute_names), strict=True
                )
            ],
        },
    )


def _attribute_json(call: Call, stored: str, shown: str, entry: dict, *, counts: bool) -> dict:
    """An Attribute (5.2.27); the detailed list (5.7.9) leaves out what it counts, as the ETSI
    suite's 026_01 has it: the counts are for retrieving one attribute (5.7.10)."""
    found: dict[str, Any] = {
        "id": ld.expanded_names([stored])[0],
        "type": "Attribute",
        "attributeName": shown,
    }
    if counts:
        found["attributeCount"] = entry["count"]
        found["attributeTypes"] = sorted(entry["types"])
    found["typeNames"] = ld.user_names(sorted(entry["entity_types"]), call.context)
    return found


@ngsi_endpoint("GET", params={"GET": DETAILS_PARAM})
def attributes(call: Call) -> HttpResponse:
    index = selectors.attributes_index(tenant=call.tenant)
    stored = sorted(index)
    shown = ld.user_names(stored, call.context)
    if call.params.get("details") == "true":
        return answer(
            call,
            [
                _attribute_json(call, key, name, index[key], counts=False)
                for key, name in zip(stored, shown, strict=True)
            ],
        )
    return answer(
        call,
        {"id": "urn:ngsi-ld:AttributeList:hub", "type": "AttributeList", "attributeList": shown},
    )


@ngsi_endpoint("GET", params={})
def attribute_detail(call: Call, name: str) -> HttpResponse:
    stored = ld.storage_name(name, call.context)
    index = selectors.attributes_index(tenant=call.tenant, name=stored)
    if stored not in index:
        raise ResourceNotFound(f"No entity has the attribute {name}.")
    shown = ld.user_names([stored], call.context)[0]
    return answer(call, _attribute_json(call, stored, shown, index[stored], counts=True))


# JSON-LD contexts.


def _moment_text(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _context_json(row: JsonLdContext) -> dict:
    info: dict[str, Any] = {
        "URL": row.url,
        "localId": f"urn:ngsi-ld:{row.pk}",
        "kind": row.kind,
        "createdAt": _moment_text(row.created_at),
    }
    if row.kind != JsonLdContext.Kind.HOSTED:
        info["numberOfHits"] = row.hits
        if row.last_usage is not None:
            info["lastUsage"] = _moment_text(row.last_usage)
    return info


@ngsi_endpoint(
    "GET", "POST", params={"GET": DETAILS_PARAM | {"kind"}, "POST": NO_PARAMS}, plain_body=True
)
def contexts(call: Call) -> HttpResponse:
    if call.request.method == "POST":
        body = call.body
        if body is None:
            raise InvalidRequest('The body must be {"@context": ...}.')
        row = services.context_create(user=call.user, document=body)
        return no_content(201, {"Location": f"/ngsi-ld/v1/jsonldContexts/{row.pk}"})
    rows = list(JsonLdContext.objects.order_by("created_at", "pk"))
    kind = call.params.get("kind")
    if kind is not None and kind not in ("Hosted", "Cached", "ImplicitlyCreated"):
        raise BadRequestData("kind: Hosted, Cached or ImplicitlyCreated.")
    if kind:
        rows = [row for row in rows if row.kind == kind]
    call.accept = JSON
    if call.params.get("details") == "true":
        shipped = (
            []
            if kind not in (None, "Cached")
            else [
                {"URL": url, "localId": ld.shipped_local_id(url), "kind": "Cached"}
                for url in ld.SHIPPED
            ]
        )
        return answer(call, shipped + [_context_json(row) for row in rows])
    shipped_urls = list(ld.SHIPPED) if kind in (None, "Cached") else []
    return answer(call, shipped_urls + [row.url for row in rows])


@ngsi_endpoint("GET", "DELETE", params={"GET": DETAILS_PARAM, "DELETE": frozenset({"reload"})})
def context_detail(call: Call, context_id: str) -> HttpResponse:
    if call.request.method == "DELETE":
        services.context_delete(
            user=call.user, context_id=context_id, reload=call.params.get("reload") == "true"
        )
        return no_content()
    details = call.params.get("details") == "true"
    url = ld.shipped_url(context_id) or (
        context_id if ld.is_core(context_id) or context_id in ld.SHIPPED else None
    )
    if context_id == ld.HUB_CONTEXT_ID:
        url = ld.hub_context_url()
    if url is not None:
        if details:
            kind = "Hosted" if context_id == ld.HUB_CONTEXT_ID else "Cached"
            return answer_plain({"URL": url, "localId": ld.shipped_local_id(url), "kind": kind})
        return HttpResponse(json.dumps(ld.context_document(url)), content_type=JSON_LD)
    row = JsonLdContext.objects.filter(pk=context_id.removeprefix("urn:ngsi-ld:")).first()
    row = row or JsonLdContext.objects.filter(url=context_id).first()
    if row is None:
        raise ResourceNotFound(f"There is no JSON-LD context {context_id}.")
    # The details say how it was used before this request, which counts too.
    services.contexts_hit(context=row.url)
    if details:
        return answer_plain(_context_json(row))
    return HttpResponse(json.dumps(row.body), content_type=JSON_LD)


def answer_plain(data: dict) -> HttpResponse:
    """A JSON answer that is no NGSI-LD entity (no @context, no Link header)."""
    return HttpResponse(json.dumps(data), content_type=JSON)


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem(
        ResourceNotFound(f"There is no NGSI-LD resource at {request.path} (see /ngsi-ld/v1/).")
    )
