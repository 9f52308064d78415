"""Open data at scale, in-process against the database in DATABASE_URL:

- API list pages (/api/v1/communities, /api/v1/practices, filtered, deep by offset and by
  cursor, and with `fields`): p50/p95 server time of a full answer, and of the same request
  answered 304 (If-None-Match);
- the full RDF catalogue export (every page of /catalog.ttl and of /catalog.jsonld) with
  1,000 published community data sets, each with two distributions (made once, by the
  catalogue's service, marked with the source "bench");
- the streamed bulk CSV of every community: seconds and peak resident memory, measured in a
  child process so that the figure is the download's own.

Usage: DATABASE_URL=... python bench/opendata_bench.py [--runs N] [--skip-csv] [--datasets N]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "villagehub.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from bench_lib import percentile, summary  # noqa: E402
from django.test import Client  # noqa: E402

from villagehub.catalogue.models import Dataset  # noqa: E402
from villagehub.catalogue.services import dataset_create  # noqa: E402
from villagehub.communities.models import Community  # noqa: E402
from villagehub.communities.selectors import community_list  # noqa: E402
from villagehub.core.api import cursor_at  # noqa: E402

API_LISTS = [
    "/api/v1/communities",
    "/api/v1/communities?country=dk&limit=100",
    "/api/v1/communities?size=under-2000&offset=5000",
    "/api/v1/communities?size=under-2000&cursor={deep}",
    "/api/v1/communities?fields=slug,name,country",
    "/api/v1/practices",
    "/api/v1/practices?theme=broadband&limit=100",
]

CSV_CHILD = """
import os, resource, sys, time
import django
django.setup()
from django.test import Client
start = time.perf_counter()
response = Client().get("/downloads/communities.csv")
rows = sum(chunk.count(b"\\n") for chunk in response.streaming_content)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{rows - 1} rows in {seconds:.1f} s, peak memory {peak:.0f} MB")
"""


def timed_get(client: Client, path: str, **headers) -> tuple[float, object]:
    start = time.perf_counter()
    response = client.get(path, **headers)
    if response.streaming:
        b"".join(response.streaming_content)
    return (time.perf_counter() - start) * 1000, response


def deep_cursor() -> str:
    """The cursor a client reaches after 5,000 small communities, as offset=5000 does."""
    small = community_list(filters={"size": "under-2000"})
    return cursor_at("/api/v1/communities", small, small[4999])


def bench_api(runs: int) -> None:
    client = Client()
    print(f"== API lists ({Community.objects.count()} communities), {runs} runs each")
    deep = deep_cursor()
    for template in API_LISTS:
        path = template.format(deep=deep)
        full, cached = [], []
        for _ in range(runs):
            ms, response = timed_get(client, path)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.content[:200]!r}")
            full.append(ms)
            ms, again = timed_get(client, path, HTTP_IF_NONE_MATCH=response["ETag"])
            if again.status_code != 304:
                raise SystemExit(f"{path}: a conditional GET answered {again.status_code}")
            cached.append(ms)
        ratio = percentile(full, 50) / max(percentile(cached, 50), 0.001)
        label = template.replace("{deep}", "<5,000 deep>")
        print(f"{label}\n  full: {summary(full)}\n  304:  {summary(cached)}  (p50 {ratio:.1f}x)")


def datasets_ensure(wanted: int) -> None:
    """Published community data sets with two link distributions each, made once."""
    have = Dataset.objects.filter(source="bench").count()
    if have >= wanted:
        return
    start = time.perf_counter()
    communities = Community.objects.order_by("pk")[have:wanted]
    for n, community in enumerate(communities, start=have):
        dataset_create(
            title=f"Broadband coverage of {community.name} ({n})",
            description=f"Households with 100 Mbit/s or more in {community.name}, per street.",
            publisher_community=community,
            spatial_communities=[community],
            spatial_countries=[community.country.code],
            keywords=["broadband", "coverage"],
            data_themes=["TECH", "REGI"],
            licence="CC_BY_4_0",
            contact_email="data@example.org",
            source="bench",
            distributions=[
                {
                    "title": "CSV",
                    "access_url": f"https://data.example.org/{community.slug}.csv",
                    "format": "CSV",
                },
                {
                    "title": "JSON",
                    "access_url": f"https://data.example.org/{community.slug}.json",
                    "format": "JSON",
                },
            ],
        )
    print(f"== made {wanted - have} data sets in {time.perf_counter() - start:.1f} s")


def _next_page(extension: str, content: bytes) -> str | None:
    if extension == "ttl":
        found = re.search(rb"hydra:next <([^>]+)>", content)
        return found.group(1).decode() if found else None
    # Expanded JSON-LD: a list of nodes with full IRIs.
    for node in json.loads(content):
        following = node.get("http://www.w3.org/ns/hydra/core#next")
        if following:
            return following[0]["@id"]
    return None


def bench_catalogue() -> None:
    client = Client()
    published = Dataset.objects.filter(is_published=True).count()
    for extension in ("ttl", "jsonld"):
        start, url, pages, size = time.perf_counter(), f"/catalog.{extension}", 0, 0
        while url:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
            pages += 1
            size += len(response.content)
            url = _next_page(extension, response.content)
            url = url.replace("http://testserver", "") if url else None
        seconds = time.perf_counter() - start
        print(
            f"== RDF catalogue /catalog.{extension}, {published} data sets: {pages} pages, "
            f"{size / 1e6:.1f} MB in {seconds:.1f} s"
        )


def bench_csv() -> None:
    output = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", CSV_CHILD], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(f"== streamed communities.csv: {output}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--skip-csv", action="store_true")
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--skip-api", action="store_true")
    args = parser.parse_args()
    if not args.skip_api:
        bench_api(args.runs)
    datasets_ensure(args.datasets)
    bench_catalogue()
    if not args.skip_csv:
        bench_csv()


if __name__ == "__main__":
    main()
