"""Deletions in the temporal history: a deleted attribute instance (or entity) leaves an
instance of its own, its value NGSI-LD Null and `deletedAt` its time, shown to queries with
`timeproperty=deletedAt` alone (CIM 009 v1.8 4.5.x, 5.7.3; ETSI 020_17, 020_18)."""

import re
from datetime import UTC, datetime

import pytest

from villagehub.ngsi.models import AttributeInstance

from .test_entities import ERRORS

pytestmark = pytest.mark.django_db

VEHICLE = "urn:ngsi-ld:Vehicle:D1"
TEMPORAL = f"/temporal/entities/{VEHICLE}"
NULL = "urn:ngsi-ld:null"
INSTANCE_ID = re.compile(r"^urn:ngsi-ld:AttributeInstance:[1-9][0-9]*$")
FUEL_DATASET = "urn:ngsi-ld:Vehicle:D1-fuel"


def _moment(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def vehicle(api):
    """The ETSI suite's vehicle of different attribute types (020_17, 020_18), with a second
    dataset of fuelLevel."""
    response = api.post(
        "/temporal/entities",
        {
            "id": VEHICLE,
            "type": "Vehicle",
            "isParkedIn": [
                {
                    "type": "Relationship",
                    "object": "urn:ngsi-ld:OffStreetParking:Commerce",
                    "observedAt": "2024-12-01T12:00:00Z",
                },
                {
                    "type": "Relationship",
                    "object": "urn:ngsi-ld:OffStreetParking:Graslin",
                    "observedAt": "2024-12-05T12:00:00Z",
                },
            ],
            "name": [
                {
                    "type": "LanguageProperty",
                    "languageMap": {"fr": "Ma voiture", "en": "My vehicle"},
                    "observedAt": "2024-12-01T12:00:00Z",
                },
                {
                    "type": "LanguageProperty",
                    "languageMap": {"fr": "Ma jolie voiture", "en": "My pretty vehicle"},
                    "observedAt": "2024-12-05T12:00:00Z",
                },
            ],
            "fuelLevel": [
                {"type": "Property", "value": 67, "observedAt": "2020-08-01T12:03:00Z"},
                {"type": "Property", "value": 53, "observedAt": "2020-08-01T13:05:00Z"},
                {
                    "type": "Property",
                    "value": 40,
                    "observedAt": "2020-08-01T14:07:00Z",
                    "datasetId": FUEL_DATASET,
                },
            ],
        },
    )
    assert response.status_code == 201
    return api


def deletions(api, **params):
    response = api.get(TEMPORAL, timeproperty="deletedAt", **params)
    assert response.status_code == 200
    return response.json()


def test_a_deleted_property_is_one_null_value_at_its_deletion_in_the_simplified_history(vehicle):
    """ETSI 020_18_01."""
    before = datetime.now(UTC)
    assert vehicle.delete(f"/entities/{VEHICLE}/attrs/fuelLevel").status_code == 204
    body = deletions(vehicle, options="temporalValues")
    [[_value, deleted_at]] = body["fuelLevel"]["values"]
    assert body == {
        "id": VEHICLE,
        "type": "Vehicle",
        "fuelLevel": {"type": "Property", "values": [[NULL, deleted_at]]},
    }
    assert before <= _moment(deleted_at) <= datetime.now(UTC)


def test_a_deleted_relationship_is_one_null_object_in_the_simplified_history(vehicle):
    """ETSI 020_18_02."""
    assert vehicle.delete(f"/entities/{VEHICLE}/attrs/isParkedIn").status_code == 204
    body = deletions(vehicle, options="temporalValues")
    [[_value, deleted_at]] = body["isParkedIn"]["objects"]
    assert body == {
        "id": VEHICLE,
        "type": "Vehicle",
        "isParkedIn": {"type": "Relationship", "objects": [[NULL, deleted_at]]},
    }


def test_a_deleted_language_property_is_a_null_language_map_in_the_simplified_history(vehicle):
    """ETSI 020_18_03."""
    assert vehicle.delete(f"/entities/{VEHICLE}/attrs/name").status_code == 204
    body = deletions(vehicle, options="temporalValues")
    [[_value, deleted_at]] = body["name"]["languageMaps"]
    assert body == {
        "id": VEHICLE,
        "type": "Vehicle",
        "name": {
            "type": "LanguageProperty",
            "languageMaps": [[{"languageMap": {"@none": NULL}}, deleted_at]],
        },
    }


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("fuelLevel", {"type": "Property", "value": NULL}),
        ("isParkedIn", {"type": "Relationship", "object": NULL}),
        ("name", {"type": "LanguageProperty", "languageMap": {"@none": NULL}}),
    ],
)
def test_a_deleted_attribute_is_one_instance_with_deleted_at_in_the_normalized_history(
    vehicle, name, shown
):
    """ETSI 020_17: its instanceId and deletedAt, no other time."""
    assert vehicle.delete(f"/entities/{VEHICLE}/attrs/{name}").status_code == 204
    body = deletions(vehicle)
    [instance] = body[name]
    assert INSTANCE_ID.match(instance.pop("instanceId"))
    deleted_at = instance.pop("deletedAt")
    assert instance == shown
    assert set(body) == {"id", "type", name}
    assert _moment(deleted_at) <= datetime.now(UTC)


def test_other_queries_show_the_history_as_it_was_without_the_deletion(vehicle):
    full = vehicle.get(TEMPORAL).json()
    simplified = vehicle.get(TEMPORAL, options="temporalValues").json()
    assert vehicle.delete(f"/entities/{VEHICLE}/attrs/fuelLevel").status_code == 204
    assert vehicle.get(TEMPORAL).json() == full
    assert vehicle.get(TEMPORAL, options="temporalValues").json() == simplified
    by_change = vehicle.get(TEMPORAL, timeproperty="modifiedAt").json()["fuelLevel"]
    assert sorted(item["value"] for item in by_change) == [40, 53, 67]
    assert [item["value"] for item in full["fuelLevel"]] == [67, 53, 40]


def test_deleting_one_dataset_records_that_instance_alone(vehicle):
    path = f"/entities/{VEHICLE}/attrs/fuelLevel?datasetId={FUEL_DATASET}"
    assert vehicle.delete(path).status_code == 204
    [instance] = deletions(vehicle)["fuelLevel"]
    assert {key: instance[key] for key in ("type", "value", "datasetId")} == {
        "type": "Property",
        "value": NULL,
        "datasetId": FUEL_DATASET,
    }
    simplified = deletions(vehicle, options="temporalValues")["fuelLevel"]
    assert simplified["datasetId"] == FUEL_DATASET
    assert simplified["values"][0][0] == NULL


def test_deleting_the_default_instance_leaves_the_other_dataset_undeleted(vehicle):
    assert vehicle.delete(f"/entities/{VEHICLE}/attrs/fuelLevel").status_code == 204
    [instance] = deletions(vehicle)["fuelLevel"]
    assert "datasetId" not in instance
    assert vehicle.get(f"/entities/{VEHICLE}").json()["fuelLevel"]["datasetId"] == FUEL_DATASET


def test_delete_all_records_every_dataset(vehicle):
    assert vehicle.delete(f"/entities/{VEHICLE}/attrs/fuelLevel?deleteAll=true").status_code == 204
    instances = deletions(vehicle)["fuelLevel"]
    assert sorted(item.get("datasetId", "") for item in instances) == ["", FUEL_DATASET]
    assert {item["value"] for item in instances} == {NULL}


def test_a_failed_deletion_records_nothing(vehicle):
    response = vehicle.delete(f"/entities/{VEHICLE}/attrs/fuelLevel?datasetId=urn:ngsi-ld:x")
    assert response.status_code == 404
    assert response.json()["type"] == ERRORS + "ResourceNotFound"
    assert not AttributeInstance.objects.filter(instance__has_key="deletedAt").exists()
    assert deletions(vehicle) == {"id": VEHICLE, "type": "Vehicle"}


def test_deleting_the_entity_records_the_deletion_of_each_of_its_instances(vehicle):
    assert vehicle.delete(f"/entities/{VEHICLE}").status_code == 204
    body = deletions(vehicle)
    assert set(body) == {"id", "type", "fuelLevel", "isParkedIn", "name"}
    assert [item["value"] for item in body["fuelLevel"]] == [NULL, NULL]
    assert len({item["deletedAt"] for item in body["fuelLevel"] + body["name"]}) == 1
    # The history before the deletion is still there for the other queries.
    assert [item["value"] for item in vehicle.get(TEMPORAL).json()["fuelLevel"]] == [67, 53, 40]


def test_a_batch_delete_records_the_deletion_of_each_entity(vehicle):
    response = vehicle.post("/entityOperations/delete", [VEHICLE])
    assert response.status_code == 204
    body = deletions(vehicle, options="temporalValues")
    assert body["isParkedIn"]["objects"][0][0] == NULL
    assert len(body["fuelLevel"]) == 2


def test_a_query_of_deletions_answers_only_the_entities_with_one(vehicle):
    other = {"id": "urn:ngsi-ld:Vehicle:D2", "type": "Vehicle", "speed": {"value": 3}}
    assert vehicle.post("/entities", other).status_code == 201
    assert vehicle.delete(f"/entities/{VEHICLE}/attrs/name").status_code == 204
    response = vehicle.get("/temporal/entities", type="Vehicle", timeproperty="deletedAt")
    assert response.status_code == 200
    assert [entity["id"] for entity in response.json()] == [VEHICLE]
    everything = vehicle.get("/temporal/entities", type="Vehicle").json()
    assert sorted(entity["id"] for entity in everything) == [VEHICLE, other["id"]]


def test_timerel_applies_to_the_deletion_time(vehicle):
    assert vehicle.delete(f"/entities/{VEHICLE}/attrs/name").status_code == 204
    deleted_at = deletions(vehicle)["name"][0]["deletedAt"]
    assert "name" in deletions(vehicle, timerel="before", timeAt="2999-01-01T00:00:00Z")
    assert "name" not in deletions(vehicle, timerel="after", timeAt=deleted_at)
    assert "name" not in deletions(vehicle, timerel="before", timeAt="2024-12-31T00:00:00Z")


def test_an_unknown_timeproperty_is_bad_request(vehicle):
    response = vehicle.get(TEMPORAL, timeproperty="removedAt")
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert "deletedAt" in response.json()["detail"]


def test_the_temporal_delete_removes_the_deletions_too(vehicle):
    assert vehicle.delete(f"/entities/{VEHICLE}/attrs/name").status_code == 204
    assert vehicle.delete(TEMPORAL).status_code == 204
    assert not AttributeInstance.objects.filter(entity_id=VEHICLE).exists()
    assert vehicle.get(TEMPORAL, timeproperty="deletedAt").status_code == 404


def test_json_and_vocab_properties_are_wrapped_in_the_simplified_history(api):
    """As the ETSI suite's expectations show them (vehicle-json-property- and
    vehicle-vocab-property-simplified-temporal-representation)."""
    response = api.post(
        "/temporal/entities",
        {
            "id": VEHICLE,
            "type": "Vehicle",
            "speed": [
                {
                    "type": "JsonProperty",
                    "json": {"value": 120},
                    "observedAt": "2020-08-01T12:03:00Z",
                },
                {
                    "type": "JsonProperty",
                    "json": {"value": 80},
                    "observedAt": "2020-08-01T12:05:00Z",
                },
            ],
            "vocabProperty": [
                {
                    "type": "VocabProperty",
                    "vocab": "monument",
                    "observedAt": "2020-08-01T12:03:00Z",
                },
            ],
        },
    )
    assert response.status_code == 201
    body = api.get(TEMPORAL, options="temporalValues").json()
    assert body["speed"] == {
        "type": "JsonProperty",
        "jsons": [
            [{"json": {"value": 120}}, "2020-08-01T12:03:00Z"],
            [{"json": {"value": 80}}, "2020-08-01T12:05:00Z"],
        ],
    }
    assert body["vocabProperty"] == {
        "type": "VocabProperty",
        "vocabs": [[{"vocab": "monument"}, "2020-08-01T12:03:00Z"]],
    }
