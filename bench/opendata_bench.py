"""Open data at scale, in-process against the database in DATABASE_URL:

- API list pages (/api/v1/communities, /api/v1/practices, filtered and deep pages): p50/p95
  server time of a full answer, and of the same request answered 304 (If-None-Match);
- the full RDF catalogue export (every /catalog.ttl page);
- the streamed bulk CSV of every community: seconds and peak resident memory, measured in a
  child process so that the figure is the download's own.

Usage: DATABASE_URL=... python bench/opendata_bench.py [--runs N] [--skip-csv]
"""

import argparse
import os
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

from villagehub.communities.models import Community  # noqa: E402

API_LISTS = [
    "/api/v1/communities",
    "/api/v1/communities?country=dk&limit=100",
    "/api/v1/communities?size=under-2000&offset=5000",
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


def bench_api(runs: int) -> None:
    client = Client()
    print(f"== API lists ({Community.objects.count()} communities), {runs} runs each")
    for path in API_LISTS:
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
        print(f"{path}\n  full: {summary(full)}\n  304:  {summary(cached)}  (p50 {ratio:.1f}x)")


def bench_catalogue() -> None:
    client = Client()
    start, url, pages = time.perf_counter(), "/catalog.ttl", 0
    while url:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        pages += 1
        marker = b"hydra:next <"
        at = response.content.find(marker)
        url = None
        if at >= 0:
            end = response.content.index(b">", at)
            url = response.content[at + len(marker) : end].decode().replace("http://testserver", "")
    print(f"== RDF catalogue: {pages} pages in {time.perf_counter() - start:.1f} s")


def bench_csv() -> None:
    output = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", CSV_CHILD], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(f"== streamed communities.csv: {output}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--skip-csv", action="store_true")
    args = parser.parse_args()
    bench_api(args.runs)
    bench_catalogue()
    if not args.skip_csv:
        bench_csv()


if __name__ == "__main__":
    main()
