"""`notification.pick` and `notification.omit` (CIM 009 v1.8, 4.21): the entity members a
notification keeps or leaves out, as the ETSI suite checks them (046_42, 046_43, 028_08)."""

import pytest

from villagehub.ngsi.models import Notification, Subscription

from .test_entities import ERRORS

pytestmark = pytest.mark.django_db

BUILDING = {
    "id": "urn:ngsi-ld:Building:P1",
    "type": "Building",
    "name": {"type": "Property", "value": "Eiffel Tower"},
    "street": {"type": "LanguageProperty", "languageMap": {"fr": "Grand Place", "nl": "Markt"}},
    "locatedAt": {"type": "Relationship", "object": "urn:ngsi-ld:City:Paris"},
}


def subscribe(api, **notification):
    body = {
        "type": "Subscription",
        "entities": [{"type": "Building"}],
        "notification": {"endpoint": {"uri": "http://127.0.0.1:9/notify"}, **notification},
    }
    return api.post("/subscriptions", body)


def notified():
    [notification] = Notification.objects.all()
    Notification.objects.all().delete()
    [entity] = notification.payload["data"]
    return entity


def test_pick_keeps_the_members_named(api):
    assert subscribe(api, pick=["id", "name"]).status_code == 201
    assert api.post("/entities", BUILDING).status_code == 201
    assert notified() == {"id": BUILDING["id"], "name": BUILDING["name"]}


def test_omit_leaves_the_members_named_out(api):
    assert api.post("/entities", BUILDING).status_code == 201
    assert subscribe(api, omit=["type", "name"]).status_code == 201
    patch = {"name": {"type": "Property", "value": "Tour Eiffel"}}
    assert api.patch(f"/entities/{BUILDING['id']}/attrs", patch).status_code == 204
    assert notified() == {
        "id": BUILDING["id"],
        "street": BUILDING["street"],
        "locatedAt": BUILDING["locatedAt"],
    }


def test_pick_in_key_values(api):
    assert subscribe(api, pick=["name"], format="keyValues").status_code == 201
    assert api.post("/entities", BUILDING).status_code == 201
    assert notified() == {"name": "Eiffel Tower"}


def test_the_subscription_shows_its_pick(api):
    response = subscribe(api, pick=["id", "name"])
    path = response["Location"].split("/ngsi-ld/v1", 1)[1]
    assert api.get(path).json()["notification"]["pick"] == ["id", "name"]


@pytest.mark.parametrize(
    ("notification", "detail"),
    [
        ({"pick": ["id"], "omit": ["id"]}, "notification.pick and notification.omit"),
        ({"pick": ["id"], "omit": ["name"]}, "notification.pick and notification.omit"),
        ({"pick": ["id"], "attributes": ["id"]}, "notification.attributes and notification.pick"),
        ({"omit": ["id"], "attributes": ["id"]}, "notification.attributes and notification.omit"),
        ({"pick": "id,name"}, "notification.pick: a list"),
        ({"pick": []}, "notification.pick: a list"),
        ({"omit": [3]}, "notification.omit: a list"),
        ({"omit": [""]}, "notification.omit: a list"),
    ],
)
def test_an_invalid_projection_is_bad_request(api, notification, detail):
    response = subscribe(api, **notification)
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == ERRORS + "BadRequestData"
    assert body["title"]
    assert body["detail"].startswith(detail)
    assert not Subscription.objects.exists()


def test_a_patch_cannot_add_omit_to_a_pick(api):
    path = subscribe(api, pick=["id"])["Location"].split("/ngsi-ld/v1", 1)[1]
    notification = {"endpoint": {"uri": "http://127.0.0.1:9/notify"}, "pick": ["id"], "omit": ["x"]}
    response = api.patch(path, {"notification": notification})
    assert response.status_code == 400
    assert api.get(path).json()["notification"]["pick"] == ["id"]
