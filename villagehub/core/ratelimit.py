"""Rate limits for the public forms that need no account (registration, feedback).

Sign-in, sign-up and password reset are limited by django-allauth. For the other forms the
maintained library, django-ratelimit, refuses any cache but memcached or Redis, while the hub
must run with nothing but Python; so this is a fixed-window counter on Django's cache (per
process with the default cache; shared between workers when CACHES points at a shared one).
"""

import time
from functools import wraps

from django.core.cache import cache
from django.shortcuts import render


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_exceeded(request, *, scope: str, limit: int, seconds: int) -> bool:
    """Count this request; True once more than `limit` came from its address in the window."""
    window = int(time.time() // seconds)
    key = f"ratelimit:{scope}:{_client_ip(request)}:{window}"
    if cache.add(key, 1, timeout=seconds + 1):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds + 1)
        return False


def limit_posts(scope: str, *, limit: int, seconds: int = 3600):
    """Answer 429 with an explanatory page (which speaks of an hour) when one address posts
    too often."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and rate_exceeded(
                request, scope=scope, limit=limit, seconds=seconds
            ):
                return render(request, "429.html", {"minutes": max(1, seconds // 60)}, status=429)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
