"""`geoQ=near` within 10 km on both PostgreSQL paths, in one process on the same database
(docs/benchmarks.md, issue 15): PostGIS deciding in SQL, and the GiST index on the boxes
with shapely deciding. The paths alternate in blocks of 20 random queries (a random type,
`count=true`, a page of 20), so that the machine's load falls on both alike; every query
must find the same number of entities on both.

Usage: DATABASE_URL=postgres://... python bench/ngsi_geo_paths.py [BLOCKS]
on a database filled by `bench/ngsi_bench.py setup` and migrated with PostGIS.
"""

import os
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "villagehub.settings")

import django

django.setup()

from django.test import Client  # noqa: E402 - after django.setup()

from villagehub.ngsi import spatial  # noqa: E402

TYPES = [f"Sensor{n}" for n in range(10)]
BOX = (8.0, 53.5, 15.0, 58.0)  # where `ngsi_bench.py setup` puts its points
PATHS = ("postgis", "gist-box")


def main(blocks: int) -> None:
    rng = random.Random(7)
    client = Client()
    with_postgis = spatial.postgis_in_use

    def use(path: str) -> None:
        spatial.postgis_in_use = with_postgis if path == "postgis" else (lambda: False)  # type: ignore[assignment]
        if spatial.spatial_engine() != path:
            raise SystemExit(f"the database does not offer the {path} path")

    def address() -> str:
        x, y = rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3])
        return (
            f"/ngsi-ld/v1/entities?type={rng.choice(TYPES)}&geometry=Point"
            f"&coordinates=%5B{x:.4f},{y:.4f}%5D&georel=near%3BmaxDistance%3D%3D10000"
            "&limit=20&count=true"
        )

    for path in PATHS:  # warm-up: connections, caches, the first statements
        use(path)
        for _ in range(20):
            client.get(address(), HTTP_HOST="127.0.0.1")
    times: dict[str, list[float]] = {path: [] for path in PATHS}
    cpu = dict.fromkeys(PATHS, 0.0)
    counts: dict[str, list[int]] = {path: [] for path in PATHS}
    for block in range(blocks):
        addresses = [address() for _ in range(20)]
        for path in PATHS if block % 2 else PATHS[::-1]:
            use(path)
            for url in addresses:
                cpu_start, start = time.process_time(), time.perf_counter()
                response = client.get(url, HTTP_HOST="127.0.0.1")
                times[path].append(time.perf_counter() - start)
                cpu[path] += time.process_time() - cpu_start
                if response.status_code != 200:
                    raise SystemExit(response.content)
                counts[path].append(int(response["NGSILD-Results-Count"]))
    if counts["postgis"] != counts["gist-box"]:
        raise SystemExit("the two paths found different entities")
    for path in PATHS:
        ordered = sorted(times[path])
        n = len(ordered)
        print(
            f"{path:9} {n} queries: median {statistics.median(ordered) * 1000:.1f} ms, "
            f"p95 {ordered[int(n * 0.95)] * 1000:.1f} ms, CPU in process "
            f"{cpu[path] / n * 1000:.2f} ms/request, mean matches "
            f"{statistics.mean(counts[path]):.1f}"
        )
    with open("/proc/loadavg") as load:
        print("load average", load.read().strip())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
