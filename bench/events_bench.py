"""Benchmarks of the events programme (issue 4).

registrations: 1,000 people open the registration form, then post it, 100 at a time, for an
  event with 80 places, served by `villagehub serve --production` (gunicorn, 2 workers) on
  loopback. Checks exactly 80 confirmed, 920 waiting in arrival order, no error response;
  reports the throughput of the posts (the registrations) and of the form pages.
reminders: one reminder to 10,000 confirmed registrations with the in-memory mail backend.
results: the survey results page of a series with 200 events and 20,000 answers (100 attendees
  and answers per event), asked by a signed-in organiser in the same process (Django's test
  client, so the time is the page's, without a network): p50 and p95 of 50 requests after one
  warm-up, and of the chart it links to. Target: p95 at most 100 ms.

Usage: DATABASE_URL=... python bench/events_bench.py registrations|reminders [options]
"""

import argparse
import gc
import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlencode

from bench_lib import PYTHON, ROOT, percentile

PORT = 8766


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "villagehub.settings")
    import django

    django.setup()


def event_create(places: int, **fields):
    from django.utils import timezone

    from villagehub.events import services
    from villagehub.events.models import Event

    start = timezone.now() + timedelta(days=30)
    return services.event_create(
        title=f"Benchmark café {secrets.token_hex(3)}",
        kind=Event.Kind.CAFE,
        status=Event.Status.PUBLISHED,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        registration_open=True,
        capacity=places,
        online_url="https://meet.example.org/bench",
        **fields,
    )


def wait_for_server() -> None:
    for _ in range(150):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            connection.request("GET", "/events/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def form_open(slug: str) -> tuple[str, str]:
    """Open the form as a browser would: the CSRF cookie and the token of the page."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    connection.request("GET", f"/events/{slug}/register/")
    form = connection.getresponse()
    body = form.read().decode()
    cookie = form.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    return cookie, token


def form_post(slug: str, n: int, cookie: str, token: str) -> tuple[int, object, float]:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    path = f"/events/{slug}/register/"
    data = urlencode(
        {
            "csrfmiddlewaretoken": token,
            "name": f"Person {n}",
            "email": f"person{n}@example.org",
            "language": "en",
            "privacy_consent": "on",
        }
    )
    start = time.perf_counter()
    try:
        connection.request(
            "POST",
            path,
            body=data,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        response = connection.getresponse()
        response.read()
        return n, response.status, (time.perf_counter() - start) * 1000
    except (OSError, http.client.HTTPException) as error:
        return n, repr(error), 0.0


def registrations(attempts: int, concurrency: int, places: int) -> None:
    django_setup()
    from villagehub.events import selectors
    from villagehub.events.models import Registration

    event = event_create(places)
    env = {
        **os.environ,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
        "SECURE_COOKIES": "false",
        "EMAIL_URL": "memory://",
        "DEBUG": "false",
        # Every attempt comes from 127.0.0.1: lift the per-address limit for the load test.
        "REGISTRATION_RATE_LIMIT": "1000000",
    }
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [PYTHON, "-m", "villagehub.cli", "serve", "--production", f"127.0.0.1:{PORT}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_server()
        with ThreadPoolExecutor(concurrency) as pool:
            start = time.perf_counter()
            forms = list(pool.map(lambda _n: form_open(event.slug), range(attempts)))
            form_seconds = time.perf_counter() - start
            start = time.perf_counter()
            results = list(
                pool.map(
                    lambda args: form_post(event.slug, *args),
                    [(n, cookie, token) for n, (cookie, token) in enumerate(forms)],
                )
            )
            seconds = time.perf_counter() - start
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()

    # A registration answers with the "check your e-mail" page (200), new or not.
    errors = [r for r in results if r[1] != 200]
    rows = list(event.registrations.order_by("pk"))
    confirmed = [r for r in rows if r.status == Registration.Status.CONFIRMED]
    waiting = [r for r in rows if r.status == Registration.Status.WAITLISTED]
    by_arrival = sorted(waiting, key=lambda r: (r.queued_at, r.pk))
    positions = [selectors.waitlist_position(r) for r in by_arrival]
    in_order = by_arrival == sorted(waiting, key=lambda r: r.pk) and positions == list(
        range(1, len(waiting) + 1)
    )
    latencies = [ms for _n, status, ms in results if status == 200] or [0.0]
    print(
        f"{attempts} registrations posted, {concurrency} at a time, {places} places: "
        f"{len(confirmed)} confirmed, {len(waiting)} waiting (arrival order kept: {in_order}), "
        f"{len(errors)} errors; {attempts / seconds:.0f} registrations/s "
        f"(p50={percentile(latencies, 50):.0f} ms p95={percentile(latencies, 95):.0f} ms); "
        f"the forms were opened beforehand at {attempts / form_seconds:.0f} pages/s; "
        f"target at least 100 registrations/s: {'met' if attempts / seconds >= 100 else 'missed'}"
    )
    if errors:
        print("first errors:", errors[:5])
    ok = len(confirmed) == places and len(waiting) == attempts - places and in_order
    if not ok or errors:
        raise SystemExit("registration benchmark: capacity or order not kept")


def reminders(count: int) -> None:
    os.environ["EMAIL_URL"] = "memory://"
    django_setup()
    from django.core import mail
    from django.utils import timezone

    from villagehub.events import tasks
    from villagehub.events.models import Notice, Registration

    event = event_create(count)
    now = timezone.now()
    # Set-up only: the registrations are written in bulk, not through the service.
    Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                status=Registration.Status.CONFIRMED,
                name=f"Person {n}",
                email=f"person{n}@example.org",
                language=("en", "sv", "fi", "sl")[n % 4],
                privacy_consent_at=now,
                privacy_notice_version="bench",
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    tracemalloc.start()
    start = time.perf_counter()
    sent = tasks.event_reminder_send.call(event.pk, 60, event.starts_at.isoformat())
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    again = tasks.event_reminder_send.call(event.pk, 60, event.starts_at.isoformat())
    print(
        f"reminders: {sent} sent in {seconds:.1f} s ({sent / seconds:.0f}/s), "
        f"{len(mail.outbox)} in the outbox, "
        f"{Notice.objects.filter(registration__event=event).count()} notices, "
        f"a second run sent {again}; Python heap peak {peak / 1e6:.0f} MB"
    )
    if sent != count or again != 0 or len(mail.outbox) != count:
        raise SystemExit("reminder benchmark: not every reminder sent exactly once")


def results(events: int, answers: int, requests: int) -> None:
    django_setup()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.models import Permission, User
    from django.test import Client
    from django.utils import timezone

    from villagehub.accounts.tests.helpers import sign_in
    from villagehub.events import services
    from villagehub.events.models import Event, Feedback, Registration

    series = services.series_create(name=f"Benchmark series {secrets.token_hex(3)}")
    start = timezone.now() - timedelta(days=7 * events)
    # Set-up only: events, attendees and answers are written in bulk, not through services.
    rows = Event.objects.bulk_create(
        [
            Event(
                slug=f"{series.slug}-{n}",
                title=f"Café {n}",
                kind=Event.Kind.CAFE,
                status=Event.Status.PUBLISHED,
                series=series,
                number=n + 1,
                starts_at=start + timedelta(days=7 * n),
                ends_at=start + timedelta(days=7 * n, hours=2),
            )
            for n in range(events)
        ]
    )
    per_event = answers // events
    now = timezone.now()
    registrations = Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                status=Registration.Status.CONFIRMED,
                name=f"Person {n}",
                email=f"person{n}@example.org",
                privacy_consent_at=now,
                privacy_notice_version="bench",
                attended=True,
            )
            for event in rows
            for n in range(per_event)
        ],
        batch_size=2000,
    )
    Feedback.objects.bulk_create(
        [
            Feedback(
                event_id=r.event_id,
                registration=r,
                would_attend_again=n % 5 != 0,
                recommend=n % 11,
                satisfaction=1 + n % 5,
            )
            for n, r in enumerate(registrations)
        ],
        batch_size=2000,
    )
    # A server's process holds none of the set-up's 40,000 objects (the collector would scan).
    del rows, registrations
    gc.collect()
    user = User.objects.create_user(f"bench-{secrets.token_hex(3)}", password=secrets.token_hex(8))
    user.user_permissions.add(Permission.objects.get(codename="change_event"))
    TOTP.activate(user, generate_totp_secret())
    # As the production server is asked: its host name, over HTTPS.
    client = Client(HTTP_HOST="127.0.0.1", secure=True)
    sign_in(client, user)

    def timed(path: str) -> list[float]:
        times = []
        for n in range(requests + 1):
            begin = time.perf_counter()
            response = client.get(path)
            if n:  # the first request warms the caches
                times.append((time.perf_counter() - begin) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"results benchmark: {path} answered {response.status_code}")
        return times

    page = timed(f"/events/results/?series={series.slug}")
    chart = timed(f"/events/results/chart.svg?series={series.slug}")
    p95 = percentile(page, 95)
    given = Feedback.objects.filter(event__series=series).count()
    verdict = "met" if p95 <= 100 else "missed"
    print(
        f"results page of a series: {events} events, {given} answers; "
        f"page p50={percentile(page, 50):.0f} ms p95={p95:.0f} ms, chart "
        f"p50={percentile(chart, 50):.0f} ms p95={percentile(chart, 95):.0f} ms "
        f"({requests} requests each); target p95 at most 100 ms: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["registrations", "reminders", "results"])
    parser.add_argument("--attempts", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--places", type=int, default=80)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--answers", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    if args.what == "registrations":
        registrations(args.attempts, args.concurrency, args.places)
    elif args.what == "results":
        results(args.events, args.answers, args.requests)
    else:
        reminders(args.count)


if __name__ == "__main__":
    sys.exit(main())
