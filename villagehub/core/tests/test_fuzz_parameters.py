"""Every query parameter of every public page, feed, download, catalogue and API address,
fed generated values (unicode, control characters, huge and superscript numbers, impossible
dates, empty): never a server error, and under /api/v1/ every error is problem details.

The addresses are found by walking the URL patterns (those an anonymous visitor can GET,
filled with records of the demo data), and each page's parameters by recording what it
reads from its query string; the API's come from its OpenAPI schema.
"""

import io
import itertools
import json
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from villagehub.api import api
from villagehub.catalogue.models import Dataset
from villagehub.communities.models import Community, Network
from villagehub.countries.models import Factsheet
from villagehub.events.models import Event, Series
from villagehub.organisations.models import Organisation
from villagehub.practices.models import Practice

EXAMPLES_PER_ADDRESS = 12
# Areas that are not public pages: the back office, accounts, contributions, the outbox.
PRIVATE = ("admin/", "accounts/", "contribute/", "outbox/", "media/", "i18n/")
# Parameters tried everywhere, besides those a page was seen to read.
COMMON = ("page", "q")
API_PREFIX = "/api/v1"

TRICKY = st.sampled_from(
    [
        "",
        " ",
        "²",
        "١٢",
        "0",
        "-1",
        "1e309",
        "NaN",
        "9" * 30,
        "9" * 5000,
        "\x00",
        "\x1b[31m",
        "%",
        "'\"<script>",
        "9999-99-99",
        "2026-02-30",
        "2026-00-01",
        "2026-01-01T25:00",
        "2026-01-01T10:00+99:00",
        "0001-01-01T00:00+05:00",
        "Тorup",
        "torup\u200b",
    ]
)
VALUES = st.one_of(
    TRICKY,
    st.text(max_size=40),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.dates().map(str),
    st.datetimes().map(lambda moment: moment.isoformat()),
)


def _routes(patterns, namespace=None, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            name = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _routes(pattern.url_patterns, name, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern), list(pattern.pattern.converters)


def _candidates() -> dict[str, list]:
    """Values for each URL argument, taken from the demo data."""
    slugs = [
        model.objects.order_by("pk").values_list("slug", flat=True).first()
        for model in (Community, Network, Practice, Organisation, Event, Series)
    ]
    slugs.append(Dataset.objects.filter(is_published=True).order_by("pk").first().slug)
    return {
        "slug": [slug for slug in slugs if slug],
        "code": [Factsheet.objects.order_by("pk").first().country.code.lower()],
        "extension": ["ttl", "rdf", "jsonld", "csv", "json", "geojson"],
        "name": ["communities", "practices"],
        "number": [9],
    }


def public_addresses(client: Client) -> list[str]:
    """One address per named URL pattern that an anonymous visitor can GET."""
    candidates, addresses = _candidates(), []
    for name, route, arguments in _routes(get_resolver().url_patterns):
        if route.startswith(PRIVATE) or name.startswith("admin:"):
            continue
        if any(argument not in candidates for argument in arguments):
            continue  # tokens, ids and paths: not public
        for values in itertools.product(*(candidates[a] for a in arguments)):
            try:
                address = reverse(name, kwargs=dict(zip(arguments, values, strict=True)))
            except NoReverseMatch:
                continue
            if client.get(address).status_code == 200:
                addresses.append(address)
                break
    return addresses


def parameters_read(client: Client, address: str, monkeypatch) -> set[str]:
    """The query parameters a page reads, recorded while it answers."""
    if address.startswith(API_PREFIX):
        path = next((p for p in api_paths() if _matches(p, address)), None)  # the schema says it
        operation = api_paths().get(path, {}).get("get", {})
        return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    seen: set[str] = set()
    for method in ("get", "getlist", "__getitem__", "__contains__"):
        original = getattr(QueryDict, method)

        def recording(self, key, *args, _original=original, **kwargs):
            seen.add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(QueryDict, method, recording)
    client.get(address, {"probe": "1"})
    monkeypatch.undo()
    return seen - {"probe"}


_API_PATHS: dict = {}


def api_paths() -> dict:
    if not _API_PATHS:
        _API_PATHS.update(api.get_openapi_schema(path_prefix=API_PREFIX)["paths"])
    return _API_PATHS


def _matches(template: str, address: str) -> bool:
    parts, actual = template.split("/"), address.split("?")[0].split("/")
    return len(parts) == len(actual) and all(
        p == a or p.startswith("{") for p, a in zip(parts, actual, strict=True)
    )


@pytest.fixture
def demo(db):
    call_command("demo", no_migrate=True, stdout=io.StringIO())


def test_the_walk_finds_the_public_addresses(demo):
    addresses = public_addresses(Client())
    for expected in (
        "/communities/",
        "/practices/",
        "/catalog.ttl",
        "/catalogue/",
        "/downloads/communities.csv",
        "/feeds/practices.atom",
        "/events/feed.atom",
        "/api/v1/communities",
        "/api/v1/sdgs/9",
    ):
        assert expected in addresses
    assert not [a for a in addresses if a.startswith(("/admin/", "/accounts/"))]


def survives(client: Client, address: str, names: list[str]):
    """A property test of one address: generated values for its parameters."""

    @given(query=st.fixed_dictionaries({}, optional=dict.fromkeys(names, VALUES)))
    @settings(
        max_examples=EXAMPLES_PER_ADDRESS,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers(query):
        response = client.get(f"{address}?{urlencode(query)}")
        assert response.status_code < 500, (address, query)
        if address.startswith(API_PREFIX) and response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json", (address, query)
            assert json.loads(response.content)["status"] == response.status_code

    return answers


def test_every_parameter_of_every_public_address_survives_generated_values(demo, monkeypatch):
    client = Client()
    for address in public_addresses(client):
        names = sorted(parameters_read(client, address, monkeypatch) | set(COMMON))
        survives(client, address, names)()
