"""A subscription's `datasetId` (CIM 009 v1.8, 4.5.5): its notifications show only the
attribute instances of the datasetIds named, as the ETSI suite checks (046_19)."""

import pytest

from villagehub.ngsi.models import Notification, Subscription

from .test_entities import ERRORS

pytestmark = pytest.mark.django_db

FRENCH = "urn:ngsi-ld:Dataset:french-name"
BUILDING = {
    "id": "urn:ngsi-ld:Building:M1",
    "type": "Building",
    "name": [
        {"type": "Property", "value": "Eiffel Tower"},
        {"type": "Property", "value": "Tour Eiffel", "datasetId": FRENCH},
    ],
    "locatedAt": [
        {"type": "Relationship", "object": "urn:ngsi-ld:City:Paris"},
        {"type": "Relationship", "object": "urn:ngsi-ld:Ville:Paris", "datasetId": FRENCH},
    ],
    "height": {"type": "Property", "value": 300},
}


def subscribe(api, datasets):
    body = {
        "type": "Subscription",
        "entities": [{"type": "Building"}],
        "datasetId": datasets,
        "notification": {"endpoint": {"uri": "http://127.0.0.1:9/notify"}},
    }
    return api.post("/subscriptions", body)


def notified():
    [notification] = Notification.objects.all()
    Notification.objects.all().delete()
    [entity] = notification.payload["data"]
    return entity


@pytest.fixture
def building(api):
    assert api.post("/entities", BUILDING).status_code == 201
    return BUILDING["id"]


def test_only_the_instances_of_the_dataset_named_are_notified(api, building):
    assert subscribe(api, [FRENCH]).status_code == 201
    fragment = {"name": {"type": "Property", "value": "Le Tour Eiffel", "datasetId": FRENCH}}
    assert api.patch(f"/entities/{building}/attrs", fragment).status_code == 204
    assert notified() == {
        "id": building,
        "type": "Building",
        "name": {"type": "Property", "value": "Le Tour Eiffel", "datasetId": FRENCH},
        "locatedAt": {
            "type": "Relationship",
            "object": "urn:ngsi-ld:Ville:Paris",
            "datasetId": FRENCH,
        },
    }


def test_none_names_the_default_instances(api, building):
    assert subscribe(api, ["@none"]).status_code == 201
    assert api.patch(f"/entities/{building}/attrs", {"height": {"value": 301}}).status_code == 204
    entity = notified()
    assert entity["name"] == {"type": "Property", "value": "Eiffel Tower"}
    assert entity["height"] == {"type": "Property", "value": 301}


def test_the_subscription_shows_its_dataset_ids(api):
    path = subscribe(api, [FRENCH, "@none"])["Location"].split("/ngsi-ld/v1", 1)[1]
    assert api.get(path).json()["datasetId"] == [FRENCH, "@none"]


@pytest.mark.parametrize("datasets", [[], ["not a uri"], [3], {"id": FRENCH}, None])
def test_a_dataset_id_that_is_not_a_list_of_uris_is_bad_request(api, datasets):
    response = subscribe(api, datasets)
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert response.json()["detail"].startswith("datasetId:")
    assert not Subscription.objects.exists()
