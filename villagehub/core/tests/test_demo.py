import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from villagehub.core.demo import SAMPLE_EVENT_SLUG, demo_samples
from villagehub.events.models import Event

pytestmark = pytest.mark.django_db


def test_demo_adds_one_upcoming_sample_cafe_marked_as_a_sample(client):
    call_command("demo", no_migrate=True)
    call_command("demo", no_migrate=True)
    (sample,) = Event.objects.filter(source__startswith="sample")
    assert sample.slug == SAMPLE_EVENT_SLUG
    assert sample.starts_at > timezone.now() + dt.timedelta(weeks=4)
    assert sample.registration_open
    html = client.get(f"/events/{SAMPLE_EVENT_SLUG}/").content.decode()
    assert "Sample café (not from the sources)" in html
    assert "not taken from the source documents" in html


def test_demo_without_samples_holds_only_what_the_sources_state():
    call_command("demo", no_migrate=True, no_samples=True)
    assert not Event.objects.filter(slug=SAMPLE_EVENT_SLUG).exists()
    assert Event.objects.exclude(source__startswith="seed-").count() == 0


def test_the_sample_cafe_keeps_its_date_within_a_week():
    monday, sunday = dt.date(2026, 12, 7), dt.date(2026, 12, 13)
    first = demo_samples(today=monday)["events"][0]["starts_at"]
    assert first == "2027-01-06T10:00:00+01:00"
    assert demo_samples(today=dt.date(2026, 12, 9))["events"][0]["starts_at"] == first
    assert demo_samples(today=sunday)["events"][0]["starts_at"] == "2027-01-13T10:00:00+01:00"
