"""JSON-LD processing for NGSI-LD, with PyLD and a document loader that never waits long.

Entities are kept "core-compacted": expanded with the request's context, then compacted with
the NGSI-LD core context alone. NGSI-LD's own words (`type`, `value`, `object`, `observedAt`,
`location`, ...) and words of the default vocabulary are short, everything else a full IRI, so
that the same entity written with two different contexts is stored the same way. Answers are
compacted again with the context of the request that reads them.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from pydantic_core import from_json, to_json
from pyld import jsonld

from .errors import BadRequestData, LdContextNotAvailable
from .representation import INSTANCE_MEMBERS

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
CORE_URL = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
CORE_URL_PATTERN = re.compile(
    r"^https?://uri\.etsi\.org/ngsi-ld/v1/ngsi-ld-core-context(-v1\.\d+)?\.jsonld$"
)
HOSTED_PATH = re.compile(r"/ngsi-ld/v1/jsonldContexts/(?P<id>[A-Za-z0-9_-]+)$")
REMOTE_TIMEOUT = 2.0
REMOTE_MAX_BYTES = 1_000_000
JSONLD_CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"

_SDM = "https://smart-data-models.github.io/dataModel.{}/context.jsonld"
_SDM_RAW = "https://raw.githubusercontent.com/smart-data-models/dataModel.{}/master/context.jsonld"
SHIPPED: dict[str, str] = {CORE_URL: "ngsi-ld-core-context-v1.8.jsonld"}
for _model in ("KeyPerformanceIndicator", "PointOfInterest", "Organization", "SDG"):
    SHIPPED[_SDM.format(_model)] = f"sdm-{_model}.jsonld"
    SHIPPED[_SDM_RAW.format(_model)] = f"sdm-{_model}.jsonld"

# The hub's own context (its records that no Smart Data Model fits, mapped to schema.org),
# served at /ngsi-ld/v1/jsonldContexts/villagehub.
HUB_CONTEXT_ID = "villagehub"

# Contexts fetched from elsewhere, kept for the life of the process (and in the database).
_fetched: dict[str, Any] = {}


class ContextUnavailable(Exception):
    pass


class ContextInvalid(BadRequestData):
    """A remote context that was fetched but is not a JSON-LD context (5.5.6)."""


@lru_cache(maxsize=16)
def shipped_document(filename: str) -> Any:
    return json.loads((CONTEXTS_DIR / filename).read_text(encoding="utf-8"))


def core_context() -> dict:
    return shipped_document(SHIPPED[CORE_URL])


def is_core(url: Any) -> bool:
    return isinstance(url, str) and bool(CORE_URL_PATTERN.match(url))


def remote_fetch(url: str) -> Any:
    """One GET of a context from elsewhere, with a short timeout (tests replace it)."""
    request = urllib.request.Request(  # noqa: S310 (only http(s) URLs reach here)
        url, headers={"Accept": "application/ld+json, application/json"}
    )
    with urllib.request.urlopen(request, timeout=REMOTE_TIMEOUT) as response:  # noqa: S310
        return json.loads(response.read(REMOTE_MAX_BYTES))


def context_document(url: str) -> Any:
    """The document at a context URL: shipped, hosted by the hub, cached, or fetched now."""
    from .models import JsonLdContext

    if is_core(url):
        return core_context()
    if url in SHIPPED:
        return shipped_document(SHIPPED[url])
    hosted = HOSTED_PATH.search(url.split("?", 1)[0])
    if hosted and hosted["id"] == HUB_CONTEXT_ID:
        return shipped_document("villagehub.jsonld")
    if hosted:
        row = JsonLdContext.objects.filter(pk=hosted["id"]).first()
        if row is not None:
            return row.body
    if url in _fetched:
        return _fetched[url]
    row = JsonLdContext.objects.filter(url=url).first()
    if row is not None:
        _fetched[url] = row.body
        return row.body
    if not url.startswith(("http://", "https://")):
        raise ContextUnavailable(url)
    try:
        body = remote_fetch(url)
    except (OSError, urllib.error.URLError) as exc:
        raise ContextUnavailable(url) from exc
    except ValueError as exc:
        raise ContextInvalid(f"The JSON-LD context {url} is not JSON.") from exc
    if not isinstance(body, dict) or "@context" not in body:
        # 5.5.6: a context that could be fetched but is no context is the client's error.
        raise ContextInvalid(f"The JSON-LD context {url} has no @context member.")
    JsonLdContext.objects.update_or_create(
        url=url,
        defaults={"body": body, "kind": JsonLdContext.Kind.CACHED, "created_at": timezone.now()},
    )
    _fetched[url] = body
    return body


def shipped_local_id(url: str) -> str:
    """A shipped context's localId: stable, one per URL."""
    return "urn:ngsi-ld:shipped-" + hashlib.sha256(url.encode()).hexdigest()[:16]


def shipped_url(local_id: str) -> str | None:
    return next((url for url in SHIPPED if shipped_local_id(url) == local_id), None)


def context_reload(url: str) -> None:
    """Fetch a cached context again now; one that cannot be fetched is 503."""
    try:
        context_document(url)
    except ContextUnavailable as exc:
        raise LdContextNotAvailable(f"The JSON-LD context {url} could not be retrieved.") from exc


def document_loader(url: str, options: dict | None = None) -> dict:
    return {"contextUrl": None, "documentUrl": url, "document": context_document(url)}


def fetched_forget(url: str) -> None:
    _fetched.pop(url, None)
    jsonld._resolved_context_cache.pop(url, None)


def _cause(exc: BaseException, kind: type[Exception]) -> BaseException | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _unavailable(exc: BaseException) -> str | None:
    found = _cause(exc, ContextUnavailable)
    return str(found) if found is not None else None


def _options() -> dict:
    return {"documentLoader": document_loader, "base": ""}


def _run(function, *args) -> Any:
    try:
        return function(*args, _options())
    except jsonld.JsonLdError as exc:
        invalid = _cause(exc, ContextInvalid)
        if invalid is not None:
            raise BadRequestData(str(invalid)) from exc
        url = _unavailable(exc)
        if url is not None:
            raise LdContextNotAvailable(
                f"The JSON-LD context {url} could not be retrieved; host it with POST "
                "/ngsi-ld/v1/jsonldContexts or send it inline."
            ) from exc
        raise BadRequestData(
            f"The JSON-LD document or its @context is invalid: {exc.args[0]}"
        ) from exc


def context_list(context: Any) -> list:
    """The context to process a request with: the request's own, then the core context, which
    NGSI-LD always applies and which no other context may redefine."""
    if context is None:
        items: list = []
    elif isinstance(context, list):
        items = list(context)
    else:
        items = [context]
    for item in items:
        if not isinstance(item, (str, dict)):
            raise BadRequestData("@context must be a URL, an object or a list of them.")
    return [item for item in items if not is_core(item)] + [CORE_URL]


_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_GEOMETRIES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
_GEO_NAMES = {"location", "observationSpace", "operationSpace"}


@lru_cache(maxsize=1)
def _core_terms() -> frozenset[str]:
    return frozenset(core_context()["@context"])


def _plain_name(name: Any) -> bool:
    return isinstance(name, str) and bool(_PLAIN_NAME.match(name)) and name not in _core_terms()


def _plain_value(value: Any) -> bool:
    """A value the processor gives back as it is: no null, no one-element or nested array
    (arrays are sets in JSON-LD), objects with plain names only."""
    if isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return value == value and abs(value) != float("inf")
    if isinstance(value, list):
        return len(value) >= 2 and all(
            not isinstance(item, list) and _plain_value(item) for item in value
        )
    if isinstance(value, dict):
        return bool(value) and all(
            _plain_name(key) and _plain_value(item) for key, item in value.items()
        )
    return False


def _coordinates(value: Any) -> bool:
    if isinstance(value, list) and value and all(isinstance(item, list) for item in value):
        return all(_coordinates(item) for item in value)
    return (
        isinstance(value, list)
        and len(value) >= 2
        and all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in value)
    )


def _plain_instance(name: str, instance: Any, depth: int = 0) -> bool:
    if not isinstance(instance, dict) or depth > 2:
        return False
    kind = instance.get("type")
    if name in _GEO_NAMES and kind != "GeoProperty":
        return False
    for key, item in instance.items():
        if key == "type":
            continue
        if key == "value":
            if kind == "GeoProperty":
                if not (
                    isinstance(item, dict)
                    and set(item) == {"type", "coordinates"}
                    and item["type"] in _GEOMETRIES
                    and _coordinates(item["coordinates"])
                ):
                    return False
            elif kind != "Property" or not _plain_value(item):
                return False
        elif key in ("object", "datasetId"):
            if not (isinstance(item, str) and item.startswith("urn:") and " " not in item):
                return False
        elif key in ("observedAt", "unitCode"):
            if not isinstance(item, str):
                return False
        elif not (_plain_name(key) and _plain_instance(key, item, depth + 1)):
            return False
    if kind == "Relationship":
        return "object" in instance and "value" not in instance
    if kind == "GeoProperty":
        return name in _GEO_NAMES or _plain_name(name)
    return kind == "Property" and "value" in instance and "object" not in instance


def _plain_type(value: Any) -> bool:
    if isinstance(value, list):
        return len(value) >= 2 and len(set(value)) == len(value) and all(map(_plain_name, value))
    return _plain_name(value)


def is_plain(document: dict) -> bool:
    """Whether the processor would give this document back unchanged when it is written with
    the core context alone: common entities (plain names, URNs, Properties, Relationships,
    GeoJSON geometries). `tests/test_ld_fast_path.py` checks the claim on generated documents,
    plain or not."""
    for key, value in document.items():
        if key == "id":
            if not (isinstance(value, str) and value.startswith("urn:") and " " not in value):
                return False
        elif key == "type":
            if not _plain_type(value):
                return False
        elif not (
            (_plain_name(key) or key in _GEO_NAMES)
            and all(_plain_instance(key, item) for item in _instances(value))
        ):
            return False
    # A node with nothing but its id is dropped by the processor.
    return "id" in document and len(document) > 1


def _instances(value: Any) -> list:
    if isinstance(value, list):
        # Several instances of one attribute must each name a distinct datasetId.
        ids = [item.get("datasetId") if isinstance(item, dict) else None for item in value]
        return value if len(value) >= 2 and None not in ids and len(set(ids)) == len(ids) else [1]
    return [value]


def to_storage(document: dict, context: Any) -> dict:
    """A compact NGSI-LD document (without @context) in the stored, core-compacted form."""
    if is_core_only(context) and is_plain(document):
        # What the processor would give back (see `is_plain`), without its cost: a copy
        # (pydantic's Rust JSON, installed with django-ninja, at a third of json's cost).
        return from_json(to_json(document))
    compacted = _run(jsonld.compact, {"@context": context_list(context), **document}, CORE_URL)
    compacted.pop("@context", None)
    return compacted


def is_core_only(context: Any) -> bool:
    """Whether a request's context is the core context alone (none given, or only it)."""
    return context_list(context) == [CORE_URL]


def from_storage(document: dict, context: Any) -> dict:
    """A stored document compacted with the request's context (without @context)."""
    if is_core_only(context):
        # The stored form is the compaction with the core context, and compacting it again
        # with the same context gives it back (tests/test_ld_fast_path.py checks this on
        # generated entities): the processor would only spend its time.
        return document
    compacted = _run(jsonld.compact, {"@context": CORE_URL, **document}, context_list(context))
    compacted.pop("@context", None)
    return compacted


def from_storage_many(documents: list[dict], context: Any) -> list[dict]:
    """Several stored documents compacted at once (one pass of the processor: about twice as
    fast as one by one)."""
    if len(documents) < 2 or is_core_only(context):
        return [from_storage(document, context) for document in documents]
    compacted = _run(
        jsonld.compact, {"@context": CORE_URL, "@graph": documents}, context_list(context)
    )
    nodes = compacted.get("@graph", [compacted])
    by_id = {node.get("id", node.get("@id")): node for node in nodes}
    result = []
    for document in documents:
        node = by_id.get(document["id"], {})
        node.pop("@context", None)
        result.append(node)
    return result


def context_key(context: Any) -> str:
    return json.dumps(context_list(context), sort_keys=True)


@lru_cache(maxsize=4096)
def _names_to_storage(key: str, names: tuple[str, ...]) -> tuple[str, ...]:
    compacted = _run(jsonld.compact, {"@context": json.loads(key), "@type": list(names)}, CORE_URL)
    found = compacted.get("type", [])
    return tuple(found if isinstance(found, list) else [found])


@lru_cache(maxsize=4096)
def _names_from_storage(key: str, names: tuple[str, ...]) -> tuple[str, ...]:
    compacted = _run(jsonld.compact, {"@context": CORE_URL, "@type": list(names)}, json.loads(key))
    found = compacted.get("type", [])
    return tuple(found if isinstance(found, list) else [found])


# Names that are NGSI-LD's own members, never attribute names to expand.
RESERVED_NAMES = {"id", "@id", "@type", "@context", "scope"} | INSTANCE_MEMBERS


def storage_names(names: list[str], context: Any) -> list[str]:
    """Attribute or type names as the request writes them, in the stored form."""
    if not names:
        return []
    plain = [name for name in names if name not in RESERVED_NAMES]
    mapped = dict(zip(plain, _names_to_storage(context_key(context), tuple(plain)), strict=True))
    return [mapped.get(name, name) for name in names]


def storage_name(name: str, context: Any) -> str:
    return storage_names([name], context)[0]


@lru_cache(maxsize=4096)
def _names_expanded(names: tuple[str, ...]) -> tuple[str, ...]:
    expanded = _run(jsonld.expand, {"@context": CORE_URL, "@type": list(names)})
    return tuple(expanded[0]["@type"]) if expanded else names


def expanded_names(names: list[str]) -> list[str]:
    """Stored attribute or type names as full IRIs: the `id` of the discovery data types
    (EntityType, EntityTypeInfo, Attribute: 5.2.25-5.2.29), whatever the request's context."""
    if not names:
        return []
    return list(_names_expanded(tuple(names)))


def user_names(names: list[str], context: Any) -> list[str]:
    """Stored attribute or type names as the request's context writes them."""
    if not names:
        return []
    return list(_names_from_storage(context_key(context), tuple(names)))


def link_header_context(header: str) -> str | None:
    """The context URL of a `Link: <url>; rel="http://www.w3.org/ns/json-ld#context"` header."""
    for part in header.split(","):
        match = re.match(r"\s*<([^>]*)>(.*)$", part)
        if match and JSONLD_CONTEXT_REL in match[2]:
            return match[1]
    if header.strip():
        raise BadRequestData(
            'The Link header must be <url>; rel="http://www.w3.org/ns/json-ld#context".'
        )
    return None


def hosted_url(pk: str) -> str:
    return settings.HUB_URL.rstrip("/") + "/ngsi-ld/v1/jsonldContexts/" + pk


def hub_context_url() -> str:
    return hosted_url(HUB_CONTEXT_ID)


IMPLICIT_PREFIX = "implicit-"


def implicit_id(context: Any) -> str:
    """The localId of the context the hub makes for an @context that is not one URL: the
    same for the same @context, so that subscriptions that share one share its URL."""
    canonical = json.dumps(context, sort_keys=True, separators=(",", ":"))
    return IMPLICIT_PREFIX + hashlib.sha256(canonical.encode()).hexdigest()[:31]


def _one_url(context: Any) -> str | None:
    """The one URL a context comes down to (the core context applying anyway), if any."""
    if context is None:
        return CORE_URL
    items = context if isinstance(context, list) else [context]
    rest = [item for item in items if not is_core(item)]
    if not rest:
        return CORE_URL
    return rest[0] if len(rest) == 1 and isinstance(rest[0], str) else None


def needs_implicit(context: Any) -> bool:
    return _one_url(context) is None


def context_link(context: Any) -> str:
    """The URL a Link header names for a context: the one URL it comes down to (the core
    context for none), otherwise the implicitly created context that holds it."""
    return _one_url(context) or hosted_url(implicit_id(context))
