"""Public events of the hub as read-only NGSI-LD entities (schema.org Event)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from villagehub.communities.tests.factories import NetworkFactory
from villagehub.events import services as event_services
from villagehub.events.models import Event
from villagehub.events.tests.factories import event_make
from villagehub.ngsi.models import Entity
from villagehub.ngsi.services import hub_records_sync
from villagehub.organisations.models import Organisation
from villagehub.practices.tests.factories import PracticeFactory

from .test_hub_records import HUB_LINK

pytestmark = pytest.mark.django_db

START = datetime(2027, 5, 12, 14, 0, tzinfo=UTC)


@pytest.fixture
def cafe(town):
    event = event_make(
        title="Smart Café in Torup",
        slug="cafe-torup",
        starts_at=START,
        ends_at=START.replace(hour=16),
        host_community=town,
        venue_name="Village hall",
        venue_address="Bygaden 1",
        city="Torup",
        country="DK",
        latitude=Decimal("55.9"),
        longitude=Decimal("11.9"),
        languages=["da", "en"],
    )
    event.organiser_networks.set([NetworkFactory(slug="slv")])
    ruralnet = Organisation.objects.create(slug="ruralnet", name="RuralNet", kind="ngo")
    event.organiser_organisations.set([ruralnet])
    event.practices.set([PracticeFactory(slug="torup-ting", community=town)])
    return event


def test_a_public_event_is_an_entity_with_time_place_and_organisers(cafe, anonymous):
    hub_records_sync()
    shown = anonymous.get("/entities/urn:ngsi-ld:Event:cafe-torup", headers={"Link": HUB_LINK})
    assert shown.status_code == 200
    event = shown.json()
    assert event["type"] == "Event"
    assert event["name"]["value"] == "Smart Café in Torup"
    assert event["eventStatus"]["value"] == "EventScheduled"
    # The core context aliases @type to "type".
    assert event["startDate"]["value"] == {"type": "DateTime", "@value": "2027-05-12T14:00:00Z"}
    assert event["endDate"]["value"]["@value"] == "2027-05-12T16:00:00Z"
    assert event["location"]["value"] == {"type": "Point", "coordinates": [11.9, 55.9]}
    assert event["address"]["value"] == {
        "streetAddress": "Bygaden 1",
        "addressLocality": "Torup",
        "addressCountry": "DK",
    }
    assert event["organizer"]["object"] == [
        "urn:ngsi-ld:Network:slv",
        "urn:ngsi-ld:Organization:ruralnet",
    ]
    assert event["refCommunity"]["object"] == "urn:ngsi-ld:Community:torup"
    # One object compacts to a string (JSON-LD), two or more stay a list.
    assert event["about"]["object"] == "urn:ngsi-ld:Project:torup-ting"
    assert event["url"]["value"].endswith("/events/cafe-torup/")
    # The meeting link is for registered participants only.
    assert "meet.example.org" not in shown.content.decode()
    # The organisers and the host are entities too, so the relationships resolve.
    for target in [*event["organizer"]["object"], event["refCommunity"]["object"]]:
        assert Entity.objects.filter(entity_id=target, hub_record=True).exists()


def test_events_are_found_by_type_query_and_place(cafe, anonymous):
    event_make(title="Webinar", slug="webinar", kind=Event.Kind.WEBINAR)
    hub_records_sync()
    found = anonymous.get(
        "/entities", type="Event", q='kind=="cafe"', headers={"Link": HUB_LINK}
    ).json()
    assert [item["id"] for item in found] == ["urn:ngsi-ld:Event:cafe-torup"]
    near = anonymous.get(
        "/entities",
        type="Event",
        georel="near;maxDistance==1000",
        geometry="Point",
        coordinates="[11.9, 55.9]",
        headers={"Link": HUB_LINK},
    ).json()
    assert [item["id"] for item in near] == ["urn:ngsi-ld:Event:cafe-torup"]


def test_a_day_known_only_is_a_date_in_the_events_time_zone(town, anonymous):
    # 23:30 UTC is already the next day in Ljubljana.
    event_make(
        slug="day-only",
        starts_at=datetime(2027, 6, 1, 23, 30, tzinfo=UTC),
        ends_at=None,
        date_precision=Event.DatePrecision.DAY,
        registration_open=False,
    )
    event_make(
        slug="year-only",
        starts_at=datetime(2019, 1, 1, tzinfo=UTC),
        ends_at=None,
        date_precision=Event.DatePrecision.YEAR,
        registration_open=False,
    )
    hub_records_sync()
    day = anonymous.get("/entities/urn:ngsi-ld:Event:day-only", headers={"Link": HUB_LINK}).json()
    assert day["startDate"]["value"] == {"type": "Date", "@value": "2027-06-02"}
    assert "endDate" not in day
    year = anonymous.get("/entities/urn:ngsi-ld:Event:year-only", headers={"Link": HUB_LINK}).json()
    assert "startDate" not in year
    assert year["startYear"]["value"] == 2019


def test_drafts_are_not_published_and_unpublished_events_are_deleted(cafe, anonymous, api):
    event_make(slug="draft", status=Event.Status.DRAFT)
    hub_records_sync()
    assert anonymous.get("/entities/urn:ngsi-ld:Event:draft").status_code == 404
    event_services.event_status_set(event=cafe, status=Event.Status.CANCELLED)
    assert hub_records_sync()["updated"] >= 1
    shown = anonymous.get("/entities/urn:ngsi-ld:Event:cafe-torup", headers={"Link": HUB_LINK})
    assert shown.json()["eventStatus"]["value"] == "EventCancelled"
    Event.objects.filter(pk=cafe.pk).update(status=Event.Status.DRAFT)
    assert hub_records_sync()["deleted"] == 1
    assert anonymous.get("/entities/urn:ngsi-ld:Event:cafe-torup").status_code == 404


def test_events_cannot_be_written_through_ngsi_ld(cafe, api):
    hub_records_sync()
    response = api.patch(
        "/entities/urn:ngsi-ld:Event:cafe-torup/attrs/name",
        {"value": "Mine"},
        headers={"Link": HUB_LINK},
    )
    assert response.status_code == 403
