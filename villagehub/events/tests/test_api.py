import pytest

from villagehub.events.models import Event

from .factories import event_make

pytestmark = pytest.mark.django_db


def test_event_list_filters_pages_and_never_shows_the_meeting_link(client):
    event_make(title="Café", kind=Event.Kind.CAFE, country="DK")
    event_make(title="Workshop", kind=Event.Kind.WORKSHOP, country="SI")
    event_make(title="Draft", status=Event.Status.DRAFT)
    body = client.get("/api/v1/events?kind=cafe&when=upcoming").json()
    assert body["count"] == 1
    (cafe,) = body["results"]
    assert (cafe["title"], cafe["online"], cafe["time_zone"]) == ("Café", True, "Europe/Ljubljana")
    assert "meet.example.org" not in str(body)
    assert cafe["calendar"].endswith(f"/events/{cafe['slug']}.ics")
    assert client.get("/api/v1/events?limit=1").json()["next"] is not None


def test_event_api_errors_are_problem_details(client):
    response = client.get("/api/v1/events?kind=party&limit=abc")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"kind", "limit"} <= fields
    assert client.get("/api/v1/events/no-such-event").status_code == 404


def test_event_detail_answers_conditional_requests(client):
    event = event_make()
    first = client.get(f"/api/v1/events/{event.slug}")
    assert first.json()["slug"] == event.slug
    again = client.get(f"/api/v1/events/{event.slug}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
