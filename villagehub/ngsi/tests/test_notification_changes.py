"""What a notification shows of the change it tells: `showChanges` (former values) and
deletions (`urn:ngsi-ld:null`, `deletedAt`), as CIM 009 and the ETSI test suite (046_31 …
046_37) have them."""

import pytest

from villagehub.ngsi.models import Notification

pytestmark = pytest.mark.django_db

NULL = "urn:ngsi-ld:null"
BUILDING = {
    "id": "urn:ngsi-ld:Building:1",
    "type": "Building",
    "name": {"type": "Property", "value": "Eiffel Tower"},
    "street": {"type": "LanguageProperty", "languageMap": {"fr": "Grand Place", "nl": "Markt"}},
    "locatedAt": {"type": "Relationship", "object": "urn:ngsi-ld:City:Paris"},
    "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [-8.5, 41.2]}},
    "kind": {"type": "VocabProperty", "vocab": "monument"},
    "data": {"type": "JsonProperty", "json": {"id": "some-id", "null": None}},
}


def subscribe(api, **notification):
    body = {
        "type": "Subscription",
        "entities": [{"type": "Building"}],
        "notificationTrigger": [
            "attributeCreated",
            "attributeUpdated",
            "attributeDeleted",
            "entityDeleted",
        ],
        "notification": {"endpoint": {"uri": "http://127.0.0.1:9/notify"}, **notification},
    }
    assert api.post("/subscriptions", body).status_code == 201


def notified():
    [notification] = Notification.objects.all()
    Notification.objects.all().delete()
    [entity] = notification.payload["data"]
    return entity


@pytest.fixture
def building(api):
    assert api.post("/entities", BUILDING).status_code == 201
    return BUILDING["id"]


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        (
            {"name": {"type": "Property", "value": "Tour Eiffel"}},
            {"name": {"type": "Property", "value": "Tour Eiffel", "previousValue": "Eiffel Tower"}},
        ),
        (
            {"locatedAt": {"type": "Relationship", "object": "urn:ngsi-ld:City:Nantes"}},
            {
                "locatedAt": {
                    "type": "Relationship",
                    "object": "urn:ngsi-ld:City:Nantes",
                    "previousObject": "urn:ngsi-ld:City:Paris",
                }
            },
        ),
        (
            {"street": {"type": "LanguageProperty", "languageMap": {"es": "Gran Lugar"}}},
            {
                "street": {
                    "type": "LanguageProperty",
                    "languageMap": {"es": "Gran Lugar"},
                    "previousLanguageMap": {"fr": "Grand Place", "nl": "Markt"},
                }
            },
        ),
        (
            {
                "location": {
                    "type": "GeoProperty",
                    "value": {"type": "Point", "coordinates": [1, 2]},
                }
            },
            {
                "location": {
                    "type": "GeoProperty",
                    "value": {"type": "Point", "coordinates": [1, 2]},
                    "previousValue": {"type": "Point", "coordinates": [-8.5, 41.2]},
                }
            },
        ),
        (
            {"kind": {"type": "VocabProperty", "vocab": "museum"}},
            {"kind": {"type": "VocabProperty", "vocab": "museum", "previousVocab": "monument"}},
        ),
        (
            {"data": {"type": "JsonProperty", "json": {"city": "Nantes"}}},
            {
                "data": {
                    "type": "JsonProperty",
                    "json": {"city": "Nantes"},
                    "previousJson": {"id": "some-id", "null": None},
                }
            },
        ),
    ],
)
def test_show_changes_adds_the_replaced_value_to_the_updated_attribute(
    api, building, fragment, expected
):
    subscribe(api, showChanges=True)
    assert api.patch(f"/entities/{building}/attrs", fragment).status_code == 204
    entity = notified()
    [name] = expected
    assert entity[name] == expected[name]
    assert entity["name" if name != "name" else "kind"] == (
        BUILDING["name"] if name != "name" else BUILDING["kind"]
    )


def test_without_show_changes_no_former_value_is_sent(api, building):
    subscribe(api)
    api.patch(f"/entities/{building}/attrs/name", {"value": "Tour Eiffel"})
    assert notified()["name"] == {"type": "Property", "value": "Tour Eiffel"}


def test_a_new_attribute_has_no_former_value(api, building):
    subscribe(api, showChanges=True)
    api.post(f"/entities/{building}/attrs", {"height": {"type": "Property", "value": 330}})
    assert notified()["height"] == {"type": "Property", "value": 330}


def test_show_changes_through_a_batch_update(api, building):
    subscribe(api, showChanges=True, attributes=["name"])
    api.post(
        "/entityOperations/upsert?options=update",
        [{"id": building, "type": "Building", "name": {"type": "Property", "value": "Tour"}}],
    )
    assert notified() == {
        "id": building,
        "type": "Building",
        "name": {"type": "Property", "value": "Tour", "previousValue": "Eiffel Tower"},
    }


def test_show_changes_in_the_subscriptions_context(api):
    context = [
        {"label": "https://example.org/label"},
        "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
    ]
    ld_json = {"content_type": "application/ld+json"}
    body = {
        "type": "Subscription",
        "entities": [{"type": "Building"}],
        "notification": {"endpoint": {"uri": "http://127.0.0.1:9/notify"}, "showChanges": True},
        "@context": context,
    }
    assert api.post("/subscriptions", body, **ld_json).status_code == 201
    entity = {
        "id": "urn:ngsi-ld:Building:2",
        "type": "Building",
        "label": "old",
        "@context": context,
    }
    assert api.post("/entities", entity, **ld_json).status_code == 201
    Notification.objects.all().delete()
    fragment = {"label": {"type": "Property", "value": "new"}, "@context": context}
    assert (
        api.patch("/entities/urn:ngsi-ld:Building:2/attrs", fragment, **ld_json).status_code == 204
    )
    assert notified()["label"] == {"type": "Property", "value": "new", "previousValue": "old"}


def test_a_deleted_attribute_is_notified_as_null_with_its_former_value(api, building):
    subscribe(api, showChanges=True)
    assert api.delete(f"/entities/{building}/attrs/locatedAt").status_code == 204
    entity = notified()
    assert entity["locatedAt"] == {
        "type": "Relationship",
        "object": NULL,
        "previousObject": "urn:ngsi-ld:City:Paris",
    }
    assert entity["name"] == BUILDING["name"]


def test_a_deleted_attribute_is_notified_as_null_without_show_changes(api, building):
    """ETSI 046 (entity-different-attributes-types-deleted-street-attribute-normalized): a
    LanguageProperty's null is the language map {"@none": null}."""
    subscribe(api)
    api.delete(f"/entities/{building}/attrs/street")
    assert notified()["street"] == {"type": "LanguageProperty", "languageMap": {"@none": NULL}}


def test_a_deleted_language_property_is_notified_with_its_former_language_map(api, building):
    """ETSI 046_34_04."""
    subscribe(api, showChanges=True)
    assert api.delete(f"/entities/{building}/attrs/street").status_code == 204
    assert notified()["street"] == {
        "type": "LanguageProperty",
        "languageMap": {"@none": NULL},
        "previousLanguageMap": {"fr": "Grand Place", "nl": "Markt"},
    }


def test_one_deleted_instance_of_a_multi_attribute_is_notified_as_null(api, building):
    api.post(
        f"/entities/{building}/attrs",
        {"name": {"type": "Property", "value": "Tour", "datasetId": "urn:ngsi-ld:Dataset:fr"}},
    )
    subscribe(api, showChanges=True)
    api.delete(f"/entities/{building}/attrs/name?datasetId=urn:ngsi-ld:Dataset:fr")
    assert notified()["name"] == [
        {"type": "Property", "value": "Eiffel Tower"},
        {
            "type": "Property",
            "value": NULL,
            "datasetId": "urn:ngsi-ld:Dataset:fr",
            "previousValue": "Tour",
        },
    ]


def test_a_deleted_entity_is_notified_with_deleted_at_and_null_attributes(api, building):
    subscribe(api, showChanges=True, attributes=["name", "street"])
    assert api.delete(f"/entities/{building}").status_code == 204
    entity = notified()
    assert entity.pop("deletedAt").endswith("Z")
    assert entity == {
        "id": building,
        "type": "Building",
        "name": {"type": "Property", "value": NULL, "previousValue": "Eiffel Tower"},
        "street": {
            "type": "LanguageProperty",
            "languageMap": NULL,
            "previousLanguageMap": {"fr": "Grand Place", "nl": "Markt"},
        },
    }


def test_a_deleted_entity_in_key_values(api, building):
    subscribe(api, format="keyValues", attributes=["name"])
    api.delete(f"/entities/{building}")
    entity = notified()
    del entity["deletedAt"]
    assert entity == {"id": building, "type": "Building", "name": NULL}


def test_a_deleted_entity_with_system_attributes(api, building):
    """046 (entity-deleted … normalized-sysAttrs): the times of the entity and of each
    attribute, and when they were deleted."""
    subscribe(api, sysAttrs=True, attributes=["name"])
    api.delete(f"/entities/{building}")
    entity = notified()
    assert set(entity) == {"id", "type", "createdAt", "modifiedAt", "deletedAt", "name"}
    name = entity["name"]
    assert set(name) == {"type", "value", "createdAt", "modifiedAt", "deletedAt"}
    assert name["value"] == NULL
    assert name["deletedAt"] == entity["deletedAt"]


def test_a_deleted_entity_without_attributes_has_deleted_at(api):
    api.post("/entities", {"id": "urn:ngsi-ld:Building:bare", "type": "Building"})
    subscribe(api)
    api.delete("/entities/urn:ngsi-ld:Building:bare")
    entity = notified()
    assert set(entity) == {"id", "type", "deletedAt"}


def test_a_deleted_json_property_keeps_its_former_json(api, building):
    """046_35: the member of the type holds urn:ngsi-ld:null, previousJson the old object."""
    subscribe(api, showChanges=True)
    api.delete(f"/entities/{building}/attrs/data")
    assert notified()["data"] == {
        "type": "JsonProperty",
        "json": NULL,
        "previousJson": {"id": "some-id", "null": None},
    }
