"""The NGSI-LD API under load (issue 15), served by `villagehub serve --production` (gunicorn,
two workers) with the load generator on the same machine.

`setup` fills a fresh database with ENTITIES entities of ten types (a number, a text, a
point in Europe and the community they belong to) and INSTANCES temporal instances (daily
values of one attribute, a year per entity); `load` measures, in one run and interleaved
with the hub's constant-JSON endpoint as the floor:

- GET /entities/{id} of random entities,
- type + q (a page of 20 with `count=true`),
- geoQ=near within 10 km of a random point where entities are,
- temporal aggregation of a year of daily values (aggrMethods=avg,max, P30D),
- batch upsert (1,000 entities per request) of new entities, then of the same ones again
  (replaced), then batch update (a new value of one attribute) and batch delete of them,
  entities per second.

`notify` measures notifications: a subscription to one type, 100 attribute updates a second
through the API, two workers (`villagehub worker`), a receiver in this process; one worker
is killed (SIGKILL) a third of the way through and started again at half-way. It reports
the p95 from the write's answer to the receiver, and how many were lost or came twice.

`patch` measures one attribute update in this process (Django's test client, no server),
with the same subscription as `notify` and nothing sending: per PATCH, the CPU time, the
queries, and how long its write transaction was open (on SQLite, the one write lock).

Usage: DATABASE_URL=... python bench/ngsi_bench.py setup [--entities N] [--instances N]
       DATABASE_URL=... python bench/ngsi_bench.py load [--seconds S] [--clients C]
       DATABASE_URL=... python bench/ngsi_bench.py notify [--seconds S] [--rate R]
       DATABASE_URL=... python bench/ngsi_bench.py patch [--count N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench_lib import PYTHON, ROOT, percentile

# Another port lets two runs (e.g. two checkouts) share a machine.
PORT = int(os.environ.get("BENCH_NGSI_PORT", "8766"))
TYPES = [f"Sensor{n}" for n in range(10)]
KEY_FILE = ROOT / "var" / "ngsi-bench-key.json"
# Where the generated points lie (Denmark, southern Sweden, northern Germany).
BOX = (8.0, 53.5, 15.0, 58.0)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "villagehub.settings")
    import django

    django.setup()


def setup(entities: int, instances: int) -> None:
    _django()
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone

    from villagehub.accounts.services import api_token_create, role_grant
    from villagehub.communities.models import Community
    from villagehub.ngsi import ld
    from villagehub.ngsi.models import AttributeInstance, Entity
    from villagehub.ngsi.services import IndexRows, index_rows_add

    community = Community.objects.create(name="Bench town", slug="bench-town", country="DK")
    user = User.objects.create_user(
        "bench", email="bench@example.org", password=secrets.token_hex()
    )
    role_grant(user=user, kind="community_editor", target=community)
    _token, key = api_token_create(user=user, name="bench")
    KEY_FILE.parent.mkdir(exist_ok=True)
    KEY_FILE.write_text(json.dumps({"key": key, "entities": entities}))

    # The stored form of one entity, made by the API's own processing; the others differ only
    # in their values, so they are copies of it with other values.
    template = ld.to_storage(
        {
            "id": "urn:ngsi-ld:Sensor0:0",
            "type": "Sensor0",
            "temperature": {"type": "Property", "value": 1.5, "unitCode": "CEL"},
            "name": {"type": "Property", "value": "x"},
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [0, 0]}},
            "refCommunity": {"type": "Relationship", "object": "urn:ngsi-ld:Community:bench-town"},
        },
        None,
    )
    stamp = timezone.now()
    text = stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    rng = random.Random(1)
    per_year = 365
    with_history = max(1, instances // per_year)
    start = time.perf_counter()
    batch = 5000
    for first in range(0, entities, batch):
        rows = []
        for n in range(first, min(entities, first + batch)):
            kind = TYPES[n % len(TYPES)]
            x, y = rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3])
            attrs = {}
            for name, value in template.items():
                if name in ("id", "type"):
                    continue
                instance = json.loads(json.dumps(value))
                instance["createdAt"] = instance["modifiedAt"] = text
                attrs[name] = [instance]
            attrs["temperature"][0]["value"] = round(rng.uniform(-10, 35), 1)
            attrs["name"][0]["value"] = f"sensor {n}"
            attrs["location"][0]["value"]["coordinates"] = [x, y]
            rows.append(
                Entity(
                    entity_id=f"urn:ngsi-ld:{kind}:{n}",
                    types=[kind],
                    attrs=attrs,
                    community=community,
                    created_by=user,
                    created_at=stamp,
                    modified_at=stamp,
                )
            )
        with transaction.atomic():
            Entity.objects.bulk_create(rows)
            index = IndexRows()
            for entity in rows:
                index_rows_add(index, entity)
            index.insert()
    print(f"== {entities} entities in {time.perf_counter() - start:.0f} s")

    start = time.perf_counter()
    begin = datetime(2025, 1, 1, tzinfo=UTC)
    made = 0
    for n in range(with_history):
        kind = TYPES[n % len(TYPES)]
        rows = []
        for day in range(per_year):
            moment = begin + timedelta(days=day)
            value = round(rng.uniform(-10, 35), 1)
            rows.append(
                AttributeInstance(
                    entity_id=f"urn:ngsi-ld:{kind}:{n}",
                    types=[kind],
                    attribute="temperature",
                    instance={
                        "type": "Property",
                        "value": value,
                        "observedAt": moment.isoformat().replace("+00:00", "Z"),
                    },
                    observed_at=moment,
                    modified_at=stamp,
                )
            )
        AttributeInstance.objects.bulk_create(rows, batch_size=2000)
        made += len(rows)
    print(f"== {made} temporal instances in {time.perf_counter() - start:.0f} s")
    from django.db import connection

    if connection.vendor == "postgresql":
        # Otherwise the server writes the setup's pages back during the measurements (a
        # checkpoint spread over minutes), which slowed every figure of one run
        # (docs/benchmarks.md, fifth session).
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")


# Load.


def _request(connection, method: str, url: str, body: bytes | None, headers: dict):
    connection.request(method, url, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    return response.status, data


def _urls(kind: str, rng: random.Random, entities: int) -> tuple[str, str, bytes | None]:
    base = "/ngsi-ld/v1"
    if kind == "floor":
        return "GET", "/healthz", None
    if kind == "entity":
        n = rng.randrange(entities)
        return "GET", f"{base}/entities/urn:ngsi-ld:{TYPES[n % len(TYPES)]}:{n}", None
    if kind == "query":
        kind_name = rng.choice(TYPES)
        low = rng.randrange(-10, 30)
        return (
            "GET",
            f"{base}/entities?type={kind_name}&q=temperature%3D%3D{low}..{low + 2}"
            "&count=true&limit=20",
            None,
        )
    if kind == "near":
        x, y = rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3])
        return (
            "GET",
            f"{base}/entities?type={rng.choice(TYPES)}&geometry=Point&coordinates=%5B{x:.4f},{y:.4f}%5D"
            "&georel=near%3BmaxDistance%3D%3D10000&limit=20",
            None,
        )
    if kind == "temporal":
        n = rng.randrange(min(entities, 2739))
        return (
            "GET",
            f"{base}/temporal/entities/urn:ngsi-ld:{TYPES[n % len(TYPES)]}:{n}"
            "?options=aggregatedValues&aggrMethods=avg,max&aggrPeriodDuration=P30D"
            "&timerel=between&timeAt=2025-01-01T00:00:00Z&endTimeAt=2026-01-01T00:00:00Z",
            None,
        )
    raise ValueError(kind)


def _client(args: tuple) -> list:
    kind, seconds, seed, entities = args
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    results = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        method, url, body = _urls(kind, rng, entities)
        start = time.perf_counter()
        try:
            status, _data = _request(connection, method, url, body, {})
        except (OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            results.append((kind, -1, 0.0))
            continue
        results.append((kind, status, (time.perf_counter() - start) * 1000))
    return results


def _load(kind: str, seconds: float, clients: int, entities: int) -> None:
    with multiprocessing.Pool(clients) as pool:
        chunks = pool.map(_client, [(kind, seconds, n, entities) for n in range(clients)])
    results = [item for chunk in chunks for item in chunk]
    ok = [ms for _kind, status, ms in results if status == 200]
    errors = len(results) - len(ok)
    print(
        f"{kind:9} {len(ok) / seconds:7.0f} requests/s  p50 {percentile(ok, 50):6.1f} ms  "
        f"p95 {percentile(ok, 95):6.1f} ms  errors {errors}"
    )


def _upsert(key: str, batches: int, size: int) -> None:
    """Batches of new entities (ids of this run), then the same ids again: replaced."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    rng = random.Random(2)
    run = int(time.time())
    for label in ("new", "existing"):
        done = 0
        start = time.perf_counter()
        for batch in range(batches):
            body = [
                {
                    "id": f"urn:ngsi-ld:Upserted:{run}-{batch}-{n}",
                    "type": "Upserted",
                    "temperature": {"type": "Property", "value": rng.uniform(-10, 35)},
                    "location": {
                        "type": "GeoProperty",
                        "value": {
                            "type": "Point",
                            "coordinates": [
                                rng.uniform(BOX[0], BOX[2]),
                                rng.uniform(BOX[1], BOX[3]),
                            ],
                        },
                    },
                }
                for n in range(size)
            ]
            status, data = _request(
                connection,
                "POST",
                "/ngsi-ld/v1/entityOperations/upsert",
                json.dumps(body).encode(),
                headers,
            )
            if status not in (201, 204):
                raise SystemExit(f"upsert answered {status}: {data[:300]!r}")
            done += size
        seconds = time.perf_counter() - start
        print(f"upsert    {done / seconds:7.0f} entities/s ({batches} batches of {size}, {label})")
    for operation in ("update", "delete"):
        start = time.perf_counter()
        for batch in range(batches):
            ids = [f"urn:ngsi-ld:Upserted:{run}-{batch}-{n}" for n in range(size)]
            body = (
                [{"id": entity_id, "temperature": rng.uniform(-10, 35)} for entity_id in ids]
                if operation == "update"
                else ids
            )
            status, data = _request(
                connection,
                "POST",
                f"/ngsi-ld/v1/entityOperations/{operation}",
                json.dumps(body).encode(),
                headers,
            )
            if status != 204:
                raise SystemExit(f"{operation} answered {status}: {data[:300]!r}")
        seconds = time.perf_counter() - start
        rate = batches * size / seconds
        print(f"{operation:9} {rate:7.0f} entities/s ({batches} batches of {size})")


def _wait_for_server() -> None:
    # Two minutes: starting loads the lemmatiser's dictionaries, slow on a busy machine.
    for _ in range(600):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def _env() -> dict:
    return {
        **os.environ,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
    }


def _start(*command: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [PYTHON, "-m", "villagehub.cli", *command],
        env=_env(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    process.wait()


def load(seconds: float, clients: int, kinds: list[str], upserts: int) -> None:
    saved = json.loads(KEY_FILE.read_text())
    server = _start("serve", "--production", f"127.0.0.1:{PORT}")
    try:
        _wait_for_server()
        for kind in kinds:
            _load(kind, seconds, clients, saved["entities"])
        if upserts:
            _upsert(saved["key"], upserts, 1000)
    finally:
        _stop(server)


def _receiver() -> tuple[ThreadingHTTPServer, list]:
    received: list = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            moment = time.perf_counter()
            for item in body.get("data", []):
                value = item.get("temperature", {})
                received.append((body["id"], value.get("value"), moment))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, received


def notify(seconds: float, rate: int) -> None:
    saved = json.loads(KEY_FILE.read_text())
    receiver, received = _receiver()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {saved['key']}"}
    server = _start("serve", "--production", f"127.0.0.1:{PORT}")
    worker_args = ("worker", "--interval", "0.05", "--no-startup-delay")
    workers = [_start(*worker_args), _start(*worker_args)]
    try:
        _wait_for_server()
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        subscription = {
            "id": f"urn:ngsi-ld:Subscription:bench-{int(time.time())}",
            "type": "Subscription",
            "entities": [{"type": "Sensor0"}],
            "watchedAttributes": ["temperature"],
            "notification": {
                "attributes": ["temperature"],
                "endpoint": {
                    "uri": f"http://127.0.0.1:{receiver.server_port}/notify",
                    "accept": "application/json",
                },
            },
        }
        status, data = _request(
            connection,
            "POST",
            "/ngsi-ld/v1/subscriptions",
            json.dumps(subscription).encode(),
            headers,
        )
        if status != 201:
            raise SystemExit(f"the subscription was refused: {status} {data[:300]!r}")
        total = int(seconds * rate)
        written: dict[int, float] = {}
        start = time.perf_counter()
        lanes = 8

        def write(lane: int) -> None:
            # Each lane writes every eighth update at its time, on its own connection.
            own = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            for seq in range(lane, total, lanes):
                pause = start + seq / rate - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                entity = f"urn:ngsi-ld:Sensor0:{(seq % 1000) * 10}"
                status, data = _request(
                    own,
                    "PATCH",
                    f"/ngsi-ld/v1/entities/{entity}/attrs/temperature",
                    json.dumps({"type": "Property", "value": seq}).encode(),
                    headers,
                )
                if status != 204:
                    raise SystemExit(f"the update was refused: {status} {data[:300]!r}")
                written[seq] = time.perf_counter()

        writers = [threading.Thread(target=write, args=(lane,)) for lane in range(lanes)]
        for thread in writers:
            thread.start()
        time.sleep(seconds / 3)
        _stop(workers[0], signal.SIGKILL)
        time.sleep(seconds / 6)
        workers[0] = _start(*worker_args)
        for thread in writers:
            thread.join()
        sent_rate = total / (time.perf_counter() - start)
        deadline = time.perf_counter() + 180
        while time.perf_counter() < deadline:
            if len({value for _id, value, _moment in received}) >= total:
                break
            time.sleep(0.5)
        first: dict[int, float] = {}
        for _id, value, moment in received:
            if isinstance(value, int) and value in written and value not in first:
                first[value] = moment
        latencies = [(first[seq] - written[seq]) * 1000 for seq in first]
        ids = [notification_id for notification_id, _value, _moment in received]
        print(
            f"notify    {sent_rate:5.0f} updates/s for {seconds:.0f} s, one worker killed and "
            f"restarted: p50 {percentile(latencies, 50):6.0f} ms  p95 "
            f"{percentile(latencies, 95):6.0f} ms  lost {total - len(first)}  "
            f"duplicated {len(ids) - len(set(ids))}"
        )
    finally:
        for worker in workers:
            _stop(worker)
        _stop(server)
        receiver.shutdown()


def patch(count: int) -> None:
    _django()
    import statistics

    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    saved = json.loads(KEY_FILE.read_text())
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {saved['key']}"}
    subscription = {
        "id": f"urn:ngsi-ld:Subscription:patch-{int(time.time())}",
        "type": "Subscription",
        "entities": [{"type": "Sensor0"}],
        "watchedAttributes": ["temperature"],
        "notification": {"endpoint": {"uri": "http://127.0.0.1:9/none"}},
    }
    response = client.post(
        "/ngsi-ld/v1/subscriptions",
        json.dumps(subscription),
        content_type="application/json",
        **auth,
    )
    if response.status_code != 201:
        raise SystemExit(f"the subscription was refused: {response.content[:300]!r}")

    # How long each write transaction stays open, from BEGIN to the end of COMMIT.
    held: list[float] = []
    began = [0.0]
    wrapper = type(connections["default"])
    set_autocommit, commit = wrapper.set_autocommit, wrapper.commit

    def timed_set_autocommit(self, autocommit, *args, **kwargs):
        if not autocommit:
            began[0] = time.perf_counter()
        return set_autocommit(self, autocommit, *args, **kwargs)

    def timed_commit(self):
        result = commit(self)
        held.append((time.perf_counter() - began[0]) * 1000)
        return result

    wrapper.set_autocommit = timed_set_autocommit
    wrapper.commit = timed_commit

    def one(seq: int) -> tuple[float, float, int]:
        entity = f"urn:ngsi-ld:Sensor0:{(seq % 1000) * 10}"
        connection.queries_log.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.patch(
                f"/ngsi-ld/v1/entities/{entity}/attrs/temperature",
                json.dumps({"type": "Property", "value": seq}),
                content_type="application/json",
                **auth,
            )
        if response.status_code != 204:
            raise SystemExit(f"the update was refused: {response.content[:300]!r}")
        if os.environ.get("BENCH_SHOW_QUERIES") and seq == 20:
            for query in queries:
                print(query["time"], query["sql"][:300])
        return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000, len(queries)

    for seq in range(20):
        one(seq)
    held.clear()
    results = [one(seq) for seq in range(20, 20 + count)]
    cpu = [item[0] for item in results]
    wall = [item[1] for item in results]
    print(
        f"patch     {count} updates on {connection.vendor}: CPU median "
        f"{statistics.median(cpu):.2f} ms, wall median {statistics.median(wall):.2f} ms, "
        f"queries {min(item[2] for item in results)}-{max(item[2] for item in results)}, "
        f"write transaction open median {statistics.median(held):.2f} ms "
        f"(p95 {percentile(held, 95):.2f} ms, {len(held) / count:.1f} a PATCH)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("setup")
    make.add_argument("--entities", type=int, default=100_000)
    make.add_argument("--instances", type=int, default=1_000_000)
    run = sub.add_parser("load")
    run.add_argument("--seconds", type=float, default=10)
    run.add_argument("--clients", type=int, default=8)
    run.add_argument("--kinds", default="floor,entity,query,near,temporal,floor")
    run.add_argument("--upserts", type=int, default=5, help="batches of 1,000 new entities")
    told = sub.add_parser("notify")
    told.add_argument("--seconds", type=float, default=30)
    told.add_argument("--rate", type=int, default=100)
    patched = sub.add_parser("patch")
    patched.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    if args.command == "setup":
        setup(args.entities, args.instances)
    elif args.command == "load":
        load(args.seconds, args.clients, args.kinds.split(","), args.upserts)
    elif args.command == "notify":
        notify(args.seconds, args.rate)
    else:
        patch(args.count)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
