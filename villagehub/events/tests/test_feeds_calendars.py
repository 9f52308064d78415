"""The events' Atom feed and iCalendar calendars as standards validators read them."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject
from django.utils import timezone

from villagehub.events import selectors
from villagehub.events.models import Event
from villagehub.taxonomy.models import Theme

from .factories import event_make

pytestmark = pytest.mark.django_db

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def feed(client):
    response = client.get("/events/feed.atom")
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314 (our own feed)


def test_events_feed_names_its_author_and_sends_plain_text_summaries(client, settings):
    settings.HUB_NAME = "Smart Rural Hub"
    event_make(title="Café <i>one</i>", summary="<script>alert(1)</script>")

    root = feed(client)

    assert root.findtext("a:author/a:name", namespaces=ATOM) == "Smart Rural Hub"
    summary = root.find("a:entry/a:summary", ATOM)
    assert summary.get("type") == "text"
    assert summary.text.endswith(". <script>alert(1)</script>")
    assert root.findtext("a:entry/a:title", namespaces=ATOM) == "Café <i>one</i>"


def test_events_feed_and_calendar_leave_out_control_characters_stored_before(client):
    event = event_make(title="Café one")
    Event.objects.filter(pk=event.pk).update(title="Café\x1b one", summary="Bell\x07 and\x01 nul")

    root = feed(client)
    calendar = client.get(f"/events/{event.slug}.ics").content.decode()

    assert root.findtext("a:entry/a:title", namespaces=ATOM) == "Café one"
    assert root.findtext("a:entry/a:summary", namespaces=ATOM).endswith(". Bell and nul")
    entry = vobject.readOne(calendar).vevent
    assert entry.summary.value == "Café one"
    assert entry.description.value.startswith("Bell and nul\n\n")


def test_calendar_without_events_is_still_a_valid_calendar(client, settings):
    settings.TIME_ZONE = "Europe/Riga"
    event_make(title="Café elsewhere")  # a theme no event carries

    response = client.get("/events/calendar.ics?theme=school-canteens")

    assert response.status_code == 200
    parsed = icalendar.Calendar.from_ical(response.content)
    assert [c.name for c in parsed.subcomponents] == ["VTIMEZONE"]
    assert parsed.subcomponents[0]["TZID"] == "Europe/Riga"
    read = vobject.readOne(response.content.decode())
    assert read.vtimezone.tzid.value == "Europe/Riga"
    assert not hasattr(read, "vevent")


def test_dtstamp_says_when_the_event_last_changed(client):
    event = event_make(title="Café one", themes=[Theme.objects.get(slug="school-canteens")])
    changed = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    Event.objects.filter(pk=event.pk).update(updated_at=changed)

    for path in (f"/events/{event.slug}.ics", "/events/calendar.ics"):
        entry = vobject.readOne(client.get(path).content.decode()).vevent
        assert entry.dtstamp.value == changed, path
        assert entry.last_modified.value == changed, path


def test_a_calendar_sent_as_a_message_is_stamped_when_it_is_made():
    event = event_make(title="Café one")
    Event.objects.filter(pk=event.pk).update(updated_at=datetime(2026, 3, 4, tzinfo=UTC))
    event.refresh_from_db()
    before = timezone.now().replace(microsecond=0)

    body = selectors.event_ical([event], method="PUBLISH")

    stamp = vobject.readOne(body.decode()).vevent.dtstamp.value
    assert before <= stamp <= timezone.now() + timedelta(seconds=1)
