"""Whole pages for visitors who are not signed in, kept while the tables they show are unchanged.

A list page at the size of Europe costs tens of milliseconds to build (counts, a page of
records, a template), yet most of its visitors ask for the same few addresses. The page is
kept in the cache under its address, its language and the versions of every versioned table
(`core.versions`, kept by database triggers): any write to those tables, through any path,
changes the key, so a kept page is never older than the data it shows. Reading the versions
costs one indexed query of a few rows.

Only anonymous requests without a session or pending messages use it (a signed-in header or
a message belongs to one person). The page's CSRF token belongs to one visitor too: it is
kept as a placeholder and each visitor gets their own on the way out.
"""

import hashlib
import re
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
_PLACEHOLDER = b"\x00csrf-token\x00"


def _versions_key() -> str:
    from .models import TableVersion

    rows = TableVersion.objects.order_by("name").values_list("name", "version", "changed_at")
    # The time of the last write as well as the counter: a counter can come back to an
    # earlier value (a flushed database, a rolled-back test), a time does not.
    return hashlib.sha1(repr(list(rows)).encode(), usedforsecurity=False).hexdigest()


def _cacheable(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def page_cache(view):
    """Keep the view's page for anonymous visitors until a versioned table changes."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        digest = hashlib.sha1(request.get_full_path().encode(), usedforsecurity=False)
        key = f"page:{translation.get_language()}:{digest.hexdigest()}:{_versions_key()}"
        kept = caches["pages"].get(key)
        if kept is not None:
            content_type, body = kept
            if _PLACEHOLDER in body:
                body = body.replace(_PLACEHOLDER, get_token(request).encode())
            return HttpResponse(body, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            body = response.content
            found = _TOKEN.search(body)
            if found:
                body = body.replace(found.group(1), _PLACEHOLDER)
            caches["pages"].set(key, (response["Content-Type"], body), settings.PAGE_CACHE_SECONDS)
        return response

    return wrapper
