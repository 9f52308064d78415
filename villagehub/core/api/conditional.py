"""HTTP caching: ETag and Last-Modified from table versions, 304 when current."""

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from villagehub.core.versions import (  # noqa: F401 - shared with the routers
    record_version,
    tables_version,
)

from .problems import ApiProblem, NotModified


def conditional_get(
    request: HttpRequest,
    response: HttpResponse,
    *,
    version: Iterable[Any],
    last_modified: datetime | None = None,
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


def queryset_version(*querysets: QuerySet[Any]) -> tuple[tuple[int, ...], datetime | None]:
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
