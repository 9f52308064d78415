"""The coordinator's dashboard: the figures of their networks only, the same in the table
and the CSV, and a number of queries that does not grow with the rows."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.contributions.services import submission_save
from villagehub.core.models import PageView
from villagehub.events.models import Event, Registration
from villagehub.events.tests.factories import event_hold, event_make, register
from villagehub.indicators.services import indicator_value_publish
from villagehub.news.tests.factories import NewsItemFactory, network_with_community
from villagehub.news.tests.test_newsletters import _subscriber
from villagehub.practices.tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


def _held_event(network, attendees, **fields):
    event = event_make(capacity=10, **fields)
    event.organiser_networks.add(network)
    for n in range(attendees):
        register(event, f"{event.pk}-{n}")
    event_hold(event)
    Registration.objects.filter(event=event).update(attended=True)
    return event


@pytest.fixture
def world():
    network, town = network_with_community()
    other, other_town = network_with_community()
    coordinator = person("coordinator", coordinator=network)
    editor = person("editor", community_editor=town)
    PracticeFactory(title="Village sauna", community=town)
    PracticeFactory(title="Elsewhere", community=other_town)
    item = NewsItemFactory(title="Fibre", network=network)
    PageView.objects.create(
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
        day=timezone.localdate(),
        count=5,
    )
    NewsItemFactory(title="Other news", network=other)
    submission_save(
        author=editor,
        community=town,
        data={"title": "Sauna", "summary": "A sauna.", "language": "fi", "themes": []},
        submit=True,
    )
    _held_event(network, 3, host_community=town)
    _held_event(other, 4)
    for community in (town, other_town):
        indicator_value_publish(
            community=community,
            indicator="broadband-coverage",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            value=Decimal("87.5"),
            source="National broadband map",
            channel="web",
        )
    _subscriber("mine@example.org", networks=[network])
    _subscriber("all@example.org")
    _subscriber("theirs@example.org", networks=[other])
    return {"network": network, "other": other, "coordinator": coordinator, "town": town}


def test_the_dashboard_counts_the_coordinators_networks_only(client, world):
    sign_in(client, world["coordinator"])
    response = client.get("/dashboard/?period=3m")
    figures = response.context["figures"]
    assert len(figures.months) == 3
    assert (figures.communities[-1], figures.members[-1]) == (1, 2)
    assert (figures.practices[-1], figures.news[-1], figures.new_subscribers[-1]) == (1, 1, 2)
    assert (figures.waiting, figures.waiting_longest_days, figures.decided) == (1, 0, 0)
    assert (figures.events_held, figures.attendees) == (1, 3)
    (host,) = figures.by_host
    assert (host.name, host.events, host.attendees) == (world["town"].name, 1, 3)
    assert (figures.subscribers, figures.issues_sent, figures.news_views) == (2, 0, 5)
    assert figures.indicator_values == 1
    page = response.content.decode()
    assert '<img src="/dashboard/chart.svg?period=3m"' in page
    assert "<caption>Per host community</caption>" in page


def test_the_csv_gives_the_same_figures(client, world):
    sign_in(client, world["coordinator"])
    response = client.get("/dashboard/dashboard.csv?period=3m")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    month = timezone.localdate().strftime("%Y-%m")
    assert rows[0] == ["figure", "month_or_group", "value"]
    assert ["practices_published", month, "1"] in rows
    assert ["communities", month, "1"] in rows
    assert ["attendees", "", "3"] in rows
    assert ["host_attendees", world["town"].name, "3"] in rows
    assert ["news_views", "", "5"] in rows


def test_the_chart_is_an_svg_without_script(client, world):
    sign_in(client, world["coordinator"])
    response = client.get("/dashboard/chart.svg")
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    svg = response.content.decode()
    # Shown as an image, so that its script never runs; and it loads nothing from elsewhere.
    assert svg.startswith("<?xml") and "kozea.github.io" not in svg
    assert "Practices published" in svg


def test_only_coordinators_see_a_dashboard_and_a_bad_period_is_named(client, world):
    sign_in(client, person("nobody"))
    assert client.get("/dashboard/").status_code == 404
    sign_in(client, world["coordinator"])
    response = client.get("/dashboard/?period=99y&network=" + world["other"].slug)
    page = response.content.decode()
    assert "Period</a>: Select a valid choice." in page
    assert "Network</a>: Select a valid choice." in page
    assert response.context["figures"].attendees == 3  # their own network, by default


def test_the_number_of_queries_does_not_grow_with_the_rows(client, world):
    sign_in(client, world["coordinator"])
    client.get("/dashboard/")
    with CaptureQueriesContext(connection) as before:
        client.get("/dashboard/")
    _held_event(world["network"], 2, kind=Event.Kind.WORKSHOP)
    PracticeFactory(title="Another", community=world["town"])
    _subscriber("more@example.org", networks=[world["network"]])
    with CaptureQueriesContext(connection) as after:
        response = client.get("/dashboard/")
    assert response.context["figures"].events_held == 2
    assert len(after) == len(before) == 28
