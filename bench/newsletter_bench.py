"""Benchmark of the newsletter (issue 17): an automatic digest for many subscribers over many
new items, delivered by two workers to a local SMTP server (aiosmtpd) that this benchmark
starts, with a worker killed twice during delivery.

Measures: assembling and queueing (the digest issue and one delivery row per subscriber,
timed in a fresh process with its peak memory), delivery rate with two workers, the peak
memory of every worker. The SMTP server writes down every message as received; the checks,
after delivery: no subscriber lost, at most one message repeated per killed worker (the one
in flight), no row left waiting, and each message's recipient, subject (in the subscriber's
language), signed links, language and items (those the subscriber chose) in both parts;
one message in 50 compared whole with the message rendered for its subscriber alone.

Usage (bench/newsletter.sh runs it on a fresh database):
    python bench/newsletter_bench.py run [--subscribers 100000] [--items 1000] [--kills 2]
Sizes also from BENCH_NEWSLETTER_SUBSCRIBERS and BENCH_NEWSLETTER_ITEMS.
"""

import argparse
import email
import email.policy
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from bench_lib import PYTHON, ROOT

LEASE_SECONDS = 10
SLUG = re.compile(r"/(news|practices)/(bench-[\w-]+)/")


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "villagehub.settings")
    import django

    django.setup()


# The SMTP server ---------------------------------------------------------------------------


class Recorder:
    """Writes down every message as it arrives: its envelope recipients and its bytes, as
    received. Parsing and checking wait until delivery is over (`check`), so that the
    server answers each message as fast as a real one would."""

    def __init__(self, out):
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        self.out.write(json.dumps(envelope.rcpt_tos).encode() + b"\n")
        self.out.write(b"%d\n" % len(envelope.content) + envelope.content)
        self.out.flush()
        return "250 OK"


def received_messages(path: Path) -> Iterator[dict]:
    """What the checks need of each message the server recorded: envelope recipient,
    headers, both parts' texts and the items each links to."""
    with path.open("rb") as recorded:
        while rcpt := recorded.readline():
            content = recorded.read(int(recorded.readline()))
            message = email.message_from_bytes(content, policy=email.policy.default)
            text = message.get_body(("plain",))
            html = message.get_body(("html",))
            # SMTP carries CRLF line ends; the message was written with LF.
            text_body = text.get_content().replace("\r\n", "\n") if text else ""
            html_body = html.get_content().replace("\r\n", "\n") if html else ""
            yield {
                "rcpt": json.loads(rcpt),
                "to": str(message["To"]),
                "subject": str(message["Subject"]),
                "unsubscribe": str(message["List-Unsubscribe"]),
                "one_click": str(message["List-Unsubscribe-Post"]),
                "parts": [bool(text), bool(html)],
                "items": sorted({m.group(2) for m in SLUG.finditer(text_body)}),
                "html_items": sorted({m.group(2) for m in SLUG.finditer(html_body)}),
                "text": text_body,
                "html": html_body,
            }


def smtp_serve(port: int, path: str) -> None:
    from aiosmtpd.controller import Controller

    # Blocked before the server's thread starts, so that only `sigwait` receives them.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    with open(path, "wb") as out:
        controller = Controller(Recorder(out), hostname="127.0.0.1", port=port)
        controller.start()
        signal.sigwait({signal.SIGTERM, signal.SIGINT})
        controller.stop()


# Data ----------------------------------------------------------------------------------------


def setup(subscribers: int, items: int) -> None:
    """One network with 20 communities, `items` new news items and practices (60/40) with
    themes, `subscribers` confirmed subscribers in the eight languages, a third of them
    choosing two themes. Bulk inserts: the setup is not what is measured."""
    django_setup()
    from django.conf import settings
    from django.utils import timezone

    from villagehub.communities.models import Community, Network
    from villagehub.news.models import Digest, NewsItem, Subscription
    from villagehub.practices.models import Practice
    from villagehub.taxonomy.models import Theme

    now = timezone.now()
    network = Network.objects.create(slug="bench-network", name="Bench Network", kind="cluster")
    Digest.objects.create(network=network, frequency=Digest.Frequency.WEEKLY)
    communities = Community.objects.bulk_create(
        [
            Community(slug=f"bench-village-{n}", name=f"Bench village {n}", country="SE")
            for n in range(20)
        ]
    )
    network.communities.add(*communities)
    themes = list(Theme.objects.order_by("pk")[:6])
    news_count = items * 6 // 10
    news = NewsItem.objects.bulk_create(
        [
            NewsItem(
                slug=f"bench-news-{n}",
                title=f"Bench news {n}",
                summary="What happened in the village.",
                language="en",
                network=network if n % 2 else None,
                community=None if n % 2 else communities[n % 20],
                published_at=now - timedelta(minutes=n),
            )
            for n in range(news_count)
        ]
    )
    practices = Practice.objects.bulk_create(
        [
            Practice(
                slug=f"bench-practice-{n}",
                title=f"Bench practice {n}",
                summary="What works.",
                language="en",
                community=communities[n % 20],
                is_published=True,
            )
            for n in range(items - news_count)
        ]
    )
    NewsItem.themes.through.objects.bulk_create(
        [
            NewsItem.themes.through(newsitem_id=item.pk, theme_id=themes[n % len(themes)].pk)
            for n, item in enumerate(news)
        ]
    )
    Practice.themes.through.objects.bulk_create(
        [
            Practice.themes.through(practice_id=p.pk, theme_id=themes[n % len(themes)].pk)
            for n, p in enumerate(practices)
        ]
    )
    languages = [code for code, _name in settings.LANGUAGES]
    kinds = list(Subscription.Kind.values)
    for start in range(0, subscribers, 10_000):
        made = Subscription.objects.bulk_create(
            [
                Subscription(
                    email=f"reader{n}@bench.example.org",
                    language=languages[n % len(languages)],
                    status=Subscription.Status.CONFIRMED,
                    kinds=kinds,
                    consent_at=now,
                    confirmed_at=now,
                )
                for n in range(start, min(start + 10_000, subscribers))
            ]
        )
        Subscription.themes.through.objects.bulk_create(
            [
                Subscription.themes.through(subscription_id=s.pk, theme_id=themes[k].pk)
                for n, s in enumerate(made, start)
                if n % 3 == 0
                for k in (n % len(themes), (n + 1) % len(themes))
            ]
        )
    print(f"setup: {subscribers} subscribers, {news_count} news, {items - news_count} practices")


def assemble() -> None:
    """The measured step, in its own process: the digest assembled and every delivery row
    recorded and queued (what `newsletters_run` does when the week comes)."""
    django_setup()
    from villagehub.news.services import digests_assemble

    start = time.perf_counter()
    (issue_id,) = digests_assemble()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"issue": issue_id, "seconds": seconds, "peak_mb": peak}))


# The run ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0.0
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


def _worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [PYTHON, "-m", "villagehub.cli", "manage", "db_worker", "--interval", "0.1",
         "--no-startup-delay"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def run(subscribers: int, items: int, kills: int) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "villagehub.settings"}
    subprocess.run(  # noqa: S603
        [PYTHON, __file__, "setup", "--subscribers", str(subscribers), "--items", str(items)],
        env=env, check=True, cwd=ROOT,
    )  # fmt: skip
    port = _free_port()
    received = ROOT / "var" / "bench-newsletter-received.bin"
    smtp = subprocess.Popen(  # noqa: S603
        [PYTHON, __file__, "smtp", "--port", str(port), "--out", str(received)], env=env, cwd=ROOT
    )
    time.sleep(1)
    env |= {"EMAIL_URL": f"smtp://127.0.0.1:{port}", "NEWSLETTER_LEASE": str(LEASE_SECONDS)}
    assembled = subprocess.run(  # noqa: S603
        [PYTHON, __file__, "assemble"], env=env, check=True, cwd=ROOT, capture_output=True,
        text=True,
    )  # fmt: skip
    measured = json.loads(assembled.stdout.strip().splitlines()[-1])
    print(
        f"assembling and queueing: {measured['seconds']:.1f} s, "
        f"peak memory {measured['peak_mb']:.0f} MB"
    )

    os.environ.update({"EMAIL_URL": env["EMAIL_URL"], "NEWSLETTER_LEASE": str(LEASE_SECONDS)})
    django_setup()
    from villagehub.news.models import Delivery, Issue

    issue_id = measured["issue"]
    rows = Delivery.objects.filter(issue_id=issue_id)
    total = rows.count()
    workers = [_worker(env), _worker(env)]
    peaks: list[float] = []
    start = time.perf_counter()
    killed = 0
    while Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).exists():
        done = rows.exclude(status=Delivery.Status.PENDING).count()
        if killed < kills and done >= total * (killed + 1) / (kills + 1):
            victim = workers[killed % 2]
            peaks.append(_peak_mb(victim.pid))
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            workers[killed % 2] = _worker(env)
            killed += 1
            print(f"killed a worker after {done} of {total} messages")
        if time.perf_counter() - start > 3600:
            raise SystemExit("delivery did not finish within an hour")
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    peaks += [_peak_mb(w.pid) for w in workers]
    for w in workers:
        w.terminate()
        w.wait()
    time.sleep(1)
    smtp.terminate()
    smtp.wait()
    return check(issue_id, received, seconds, peaks, killed)


# One message in this many is also compared whole (text and HTML) with the same message
# rendered on its own through the templates (`issue_message`, the test send's path).
WHOLE_EVERY = 50


def _expected_slugs(content, subscription) -> list[str]:
    """The items a subscriber should get, worked out here from the issue's candidates and
    the subscriber's themes and networks (the bench's subscribers choose no countries),
    not through the sending code's cache of choices."""
    from villagehub.news.selectors import SECTION_LENGTH

    themes = {t.pk for t in subscription.themes.all()}
    networks = {n.pk for n in subscription.networks.all()}
    slugs = []
    for kind, entries in content.sections.items():
        if kind in subscription.kinds:
            picked = [
                e.obj.slug
                for e in entries
                if (not themes or e.themes & themes) and (not networks or e.networks & networks)
            ]
            slugs += picked[:SECTION_LENGTH]
    return sorted(slugs)


def _whole_message_wrong(issue, content, subscription, received: dict, token: str) -> bool:
    """Whether the message received differs from the one rendered for the subscriber on its
    own (its signed token, which carries the time it was made, put in for the one there)."""
    from villagehub.news.services import issue_message

    reference = issue_message(
        issue=issue, subscription=subscription, content=content.for_subscription(subscription)
    )
    own = reference.extra_headers["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[-1]
    html = next(body for body, mimetype in reference.alternatives if mimetype == "text/html")
    return (
        reference.body.replace(own, token) != received["text"]
        or html.replace(own, token) != received["html"]
    )


def check(issue_id: int, received: Path, seconds: float, peaks: list[float], killed: int) -> int:
    """Every message as the SMTP server saw it, against what each subscriber should get:
    envelope recipient and To, subject in their language, a signed unsubscribe link naming
    their subscription (in the header and in both parts), one-click header, both parts in
    their language, and the exact items linked in both parts; one in `WHOLE_EVERY` compared
    whole with the message rendered for the subscriber alone."""
    from django.core import signing

    from villagehub.news.models import Delivery, Issue, Subscription
    from villagehub.news.selectors import MANAGE_SALT, IssueContent

    issue = Issue.objects.get(pk=issue_id)
    content = IssueContent(issue)
    expected = {}
    for s in Subscription.objects.prefetch_related("networks", "themes").iterator(5000):
        slugs = _expected_slugs(content, s)
        if slugs:
            expected[s.email] = (s, slugs)
    counts = Counter()
    wrong = []
    whole = 0
    for n, r in enumerate(received_messages(received)):
        address = r["rcpt"][0]
        counts[address] += 1
        if address not in expected:
            wrong.append((address, "not a recipient"))
            continue
        subscription, slugs = expected[address]
        unsubscribe = r["unsubscribe"].strip(" <>")
        token = unsubscribe.rstrip("/").rsplit("/", 1)[-1]
        pk, token_email = signing.loads(token, salt=MANAGE_SALT)
        subject = issue.localized("subject", subscription.language).text
        problem = (
            r["to"] != address
            or token_email != address
            or pk != subscription.pk
            or r["subject"] != subject
            or r["one_click"] != "List-Unsubscribe=One-Click"
            or r["parts"] != [True, True]
            or r["items"] != slugs
            or r["html_items"] != slugs
            or f'<html lang="{subscription.language}">' not in r["html"]
            or unsubscribe not in r["text"]
            or f'href="{unsubscribe}"' not in r["html"]
        )
        if not problem and n % WHOLE_EVERY == 0:
            whole += 1
            problem = _whole_message_wrong(issue, content, subscription, r, token)
        if problem:
            wrong.append((address, r["subject"], subject, r["items"][:3], slugs[:3]))
    lost = sorted(set(expected) - set(counts))
    duplicated = sum(n - 1 for n in counts.values())
    sent = sum(counts.values())
    rate = sent / seconds if seconds else 0
    waiting = Delivery.objects.filter(issue=issue, status=Delivery.Status.PENDING).count()
    print(
        f"delivery: {sent} messages to {len(counts)} subscribers in {seconds:.1f} s "
        f"({rate:.0f} messages/s, two workers, {killed} killed); "
        f"skipped (nothing chosen was new): "
        f"{Delivery.objects.filter(issue=issue, status=Delivery.Status.SKIPPED).count()}"
    )
    print(f"worker peak memory: {max(peaks):.0f} MB (each: {', '.join(f'{p:.0f}' for p in peaks)})")
    print(
        f"lost: {len(lost)}, duplicated: {duplicated}, wrong content: {len(wrong)} "
        f"({whole} compared whole), rows still waiting: {waiting}"
    )
    for line in wrong[:5]:
        print("  wrong:", line)
    ok = not lost and duplicated <= killed and not wrong and not waiting
    print("checks:", "passed" if ok else "FAILED")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["run", "setup", "assemble", "smtp"])
    parser.add_argument(
        "--subscribers",
        type=int,
        default=int(os.environ.get("BENCH_NEWSLETTER_SUBSCRIBERS", 100_000)),
    )
    parser.add_argument(
        "--items", type=int, default=int(os.environ.get("BENCH_NEWSLETTER_ITEMS", 1000))
    )
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--port", type=int)
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.command == "smtp":
        smtp_serve(args.port, args.out)
    elif args.command == "setup":
        setup(args.subscribers, args.items)
    elif args.command == "assemble":
        assemble()
    else:
        sys.exit(run(args.subscribers, args.items, args.kills))


if __name__ == "__main__":
    main()
