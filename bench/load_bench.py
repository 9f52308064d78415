"""Load on /practices/ and /communities/ served by `villagehub serve --production` (gunicorn,
2 workers), from a load generator on loopback (threads with keep-alive connections).

Usage: DATABASE_URL=... SECRET_KEY=... python bench/load_bench.py [--seconds S] [--clients C]
"""

import argparse
import http.client
import os
import secrets
import signal
import subprocess
import sys
import threading
import time

from bench_lib import PYTHON, ROOT, percentile

PORT = 8765
URLS = ["/practices/", "/communities/", "/practices/?country=se", "/communities/?country=fi"]


def wait_for_server() -> None:
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def client_loop(deadline: float, latencies: list, errors: list, n: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    i = n
    while time.perf_counter() < deadline:
        url = URLS[i % len(URLS)]
        i += 1
        start = time.perf_counter()
        try:
            connection.request("GET", url)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
        except (OSError, http.client.HTTPException) as error:
            errors.append(repr(error))
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
            continue
        latencies.append((time.perf_counter() - start) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    env = {
        **os.environ,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
    }
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [PYTHON, "-m", "villagehub.cli", "serve", "--production", f"127.0.0.1:{PORT}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_server()
        latencies: list[float] = []
        errors: list = []
        deadline = time.perf_counter() + args.seconds
        threads = [
            threading.Thread(target=client_loop, args=(deadline, latencies, errors, n))
            for n in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(
            f"{len(latencies) / args.seconds:.0f} requests/s over {args.seconds:.0f} s with "
            f"{args.clients} clients; p50={percentile(latencies, 50):.1f} ms "
            f"p95={percentile(latencies, 95):.1f} ms; errors={len(errors)}"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
