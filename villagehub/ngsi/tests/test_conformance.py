"""Answers shaped as the ETSI NGSI-LD test suite expects them, where CIM 009 leaves room
(each test names the suite's test case)."""

import pytest

from villagehub.ngsi import ld
from villagehub.ngsi.models import JsonLdContext

pytestmark = pytest.mark.django_db

SUBSCRIPTION = {
    "id": "urn:ngsi-ld:Subscription:1",
    "type": "Subscription",
    "entities": [{"type": "Building"}],
    "notification": {"endpoint": {"uri": "http://127.0.0.1:9/notify"}},
}


def test_a_new_subscription_shows_no_is_active_and_no_notification_status(api):
    """030_03, 031_01: isActive only as given; notification.status only once notified."""
    assert api.post("/subscriptions", SUBSCRIPTION).status_code == 201
    shown = api.get("/subscriptions/urn:ngsi-ld:Subscription:1").json()
    assert "isActive" not in shown
    assert shown["status"] == "active"
    assert shown["notification"] == {
        "endpoint": {"uri": "http://127.0.0.1:9/notify"},
        "timesSent": 0,
        "timesFailed": 0,
    }


def test_is_active_is_shown_as_set(api):
    assert api.post("/subscriptions", {**SUBSCRIPTION, "isActive": False}).status_code == 201
    shown = api.get("/subscriptions/urn:ngsi-ld:Subscription:1").json()
    assert (shown["isActive"], shown["status"]) == (False, "paused")
    api.patch("/subscriptions/urn:ngsi-ld:Subscription:1", {"isActive": True})
    shown = api.get("/subscriptions/urn:ngsi-ld:Subscription:1").json()
    assert (shown["isActive"], shown["status"]) == (True, "active")


@pytest.mark.parametrize(
    "context",
    [
        ["https://example.org/one.jsonld"],
        ["https://example.org/one.jsonld", ld.CORE_URL],
        [ld.CORE_URL],
    ],
)
def test_a_list_of_one_context_url_is_that_url(api, monkeypatch, context):
    """028_01: a subscription whose @context is a list of one URL makes no context."""
    monkeypatch.setattr(ld, "remote_fetch", lambda url: {"@context": {"a": "https://e.org/a"}})
    body = {**SUBSCRIPTION, "@context": context}
    assert api.post("/subscriptions", body, content_type="application/ld+json").status_code == 201
    shown = api.get("/subscriptions/urn:ngsi-ld:Subscription:1").json()
    assert "jsonldContext" not in shown
    assert not JsonLdContext.objects.filter(kind="ImplicitlyCreated").exists()
    assert ld.context_link(context) == context[0]


def test_a_subscription_shows_only_the_members_of_its_data_type(api):
    """5811_02_04: members the client made up, or read-only ones it sent, are not shown."""
    body = {
        **SUBSCRIPTION,
        "__context": "http://127.0.0.1:9/hijacked.jsonld",
        "status": "expired",
        "notification": {**SUBSCRIPTION["notification"], "timesSent": 42},
        "description": "kept",
    }
    assert api.post("/subscriptions", body).status_code == 201
    shown = api.get("/subscriptions/urn:ngsi-ld:Subscription:1").json()
    assert "__context" not in shown
    assert shown["description"] == "kept"
    assert shown["status"] == "active"
    assert shown["notification"]["timesSent"] == 0


@pytest.mark.parametrize("csf", ["((", "", 5])
def test_an_invalid_csf_is_bad_request_data(api, csf):
    """5811_02_03."""
    response = api.post("/subscriptions", {**SUBSCRIPTION, "csf": csf})
    assert response.status_code == 400
    assert response.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
    assert response.json()["detail"].startswith("csf:")


def test_a_valid_csf_is_kept(api):
    assert api.post("/subscriptions", {**SUBSCRIPTION, "csf": "brand==Mercedes"}).status_code == 201
    shown = api.get("/subscriptions/urn:ngsi-ld:Subscription:1").json()
    assert shown["csf"] == "brand==Mercedes"


def test_a_batch_merge_names_an_invalid_entity_as_bad_request_data_even_if_missing(api):
    """057_03_02: the body is checked before the entity is looked up."""
    body = [{"id": "urn:ngsi-ld:Building:x", "type": "Building", "name": {"type": "Property"}}]
    response = api.post("/entityOperations/merge", body)
    assert response.status_code == 207
    [error] = response.json()["errors"]
    assert error["error"]["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
    missing = api.patch("/entities/urn:ngsi-ld:Building:x", {"name": "ok"})
    assert missing.status_code == 404


def test_a_batch_update_names_an_invalid_entity_as_bad_request_data_even_if_missing(api):
    """As batch merge: the body is checked before the entity is looked up; a valid body of
    a missing entity is ResourceNotFound."""
    bad = {"id": "urn:ngsi-ld:Building:x", "type": "Building", "name": {"type": "Property"}}
    good = {"id": "urn:ngsi-ld:Building:y", "type": "Building", "name": "ok"}
    response = api.post("/entityOperations/update", [bad, good])
    assert response.status_code == 207
    errors = {e["entityId"]: e["error"]["type"] for e in response.json()["errors"]}
    assert errors == {
        "urn:ngsi-ld:Building:x": "https://uri.etsi.org/ngsi-ld/errors/BadRequestData",
        "urn:ngsi-ld:Building:y": "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound",
    }
