"""Absolute URLs of records and endpoints in answers."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from villagehub.core.models import Illustrated
from villagehub.core.versions import (  # noqa: F401 - shared with the routers
    record_version,
    tables_version,
)


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


def image_data(request: HttpRequest, obj: Illustrated) -> dict[str, Any] | None:
    """A record's published image with absolute URLs (`Illustrated.image_described`)."""
    return obj.image_described(absolute=request.build_absolute_uri)


def api_url(request: HttpRequest, name: str, **kwargs: Any) -> str:
    return request.build_absolute_uri(reverse(f"api-v1:{name}", kwargs=kwargs))
