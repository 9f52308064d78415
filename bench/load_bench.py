"""Load on /practices/ and /communities/ served by `villagehub serve --production` (gunicorn,
2 workers), from a load generator on loopback (threads with keep-alive connections).

`--search`: varied, uncached search pages instead (`/practices/?q=` and `/search/?q=`, with
and without a country, for the corpus's most frequent words; the page cache off), so that
every request asks the full-text index.

Usage: DATABASE_URL=... SECRET_KEY=... python bench/load_bench.py [--seconds S] [--clients C]
       [--search]
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


def search_urls(words: int = 40) -> list[str]:
    """Distinct search pages: the most frequent words of the index, on both search pages,
    with and without a country; more of them than a worker keeps matches of."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "villagehub.settings")
    import django

    django.setup()
    from villagehub.search.interface import engine

    found = [(n, w) for w, n in engine().index_words() if len(w) >= 4 and w.isalpha()]
    common = [word for _n, word in sorted(found, reverse=True)[:words]]
    return [
        f"{page}?q={word}{country}"
        for country in ("", "&country=se", "&country=fi", "&country=dk")
        for word in common
        for page in ("/practices/", "/search/")
    ]


def wait_for_server() -> None:
    # gunicorn loads the application (and the search's copy) before it listens.
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def client_loop(deadline: float, latencies: list, errors: list, n: int, urls: list) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    i = n
    while time.perf_counter() < deadline:
        url = urls[i % len(urls)]
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
    parser.add_argument("--search", action="store_true", help="varied uncached search pages")
    args = parser.parse_args()
    urls = search_urls() if args.search else URLS
    env = {
        **os.environ,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
        **({"PAGE_CACHE_SECONDS": "0"} if args.search else {}),
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
            threading.Thread(target=client_loop, args=(deadline, latencies, errors, n * 37, urls))
            for n in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(
            f"{'search pages: ' if args.search else ''}"
            f"{len(latencies) / args.seconds:.0f} requests/s over {args.seconds:.0f} s with "
            f"{args.clients} clients; p50={percentile(latencies, 50):.1f} ms "
            f"p90={percentile(latencies, 90):.1f} ms p95={percentile(latencies, 95):.1f} ms; "
            f"errors={len(errors)}"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
