"""Rate limits for the public forms that need no account (registration, feedback).

Sign-in, sign-up and password reset are limited by django-allauth. For the other forms the
maintained library, django-ratelimit, refuses any cache but memcached or Redis, while the hub
must run with nothing but Python; so this is a fixed-window counter on Django's cache (per
process with the default cache; shared between workers when CACHES points at a shared one).
Both count visitors by the same address, `client_ip`.
"""

import ipaddress
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The visitor's address, for the hub's rate limits and django-allauth's alike.

    Without a proxy (`TRUSTED_PROXY_COUNT` 0, the default) it is the connection's address and
    X-Forwarded-For is ignored: anyone can send that header. Behind `TRUSTED_PROXY_COUNT`
    proxies of our own, each appending the address it saw, the client is the address the
    outermost proxy saw: that many entries from the right. Entries further left are whatever
    the client wrote and never read; a request with fewer entries did not pass through the
    proxies and counts under the connection's address."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(hops) >= proxies and (forwarded := _address(hops[-proxies])):
            return forwarded
    return _address(request.META.get("REMOTE_ADDR", "")) or "unknown"


def _counted_as(ip: str) -> str:
    """IPv6 addresses count per /64, the block one subscriber gets, as allauth counts them."""
    if ":" in ip:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return ip


def rate_exceeded(request, *, scope: str, limit: int, seconds: int) -> bool:
    """Count this request; True once more than `limit` came from its address in the window."""
    window = int(time.time() // seconds)
    key = f"ratelimit:{scope}:{_counted_as(client_ip(request))}:{window}"
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
