"""Temporal instances named by their instanceId: shown, modified and deleted one by one
(CIM 009 5.6.14, 5.6.15; ETSI 016 and 017)."""

import re

import pytest

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.ngsi.models import AttributeInstance

from .conftest import CORE_LINK, Api, editor_of
from .test_entities import ERRORS

pytestmark = pytest.mark.django_db

VEHICLE = "urn:ngsi-ld:Vehicle:I1"
TEMPORAL = f"/temporal/entities/{VEHICLE}"
HUB_ERRORS = "urn:villagehub:ngsi-ld:errors:"
INSTANCE_ID = re.compile(r"^urn:ngsi-ld:AttributeInstance:[1-9][0-9]*$")
UNKNOWN_INSTANCE = "urn:ngsi-ld:AttributeInstance:999999999"


def at(value, moment, **members):
    return {"type": "Property", "value": value, "observedAt": f"2020-09-01T{moment}:00Z", **members}


@pytest.fixture
def vehicle(api):
    """The ETSI suite's vehicle: two speeds, and fuel levels of two datasets."""
    response = api.post(
        "/temporal/entities",
        {
            "id": VEHICLE,
            "type": "Vehicle",
            "speed": [at(120, "12:03"), at(80, "12:05")],
            "fuelLevel": [
                at(67, "12:03"),
                at(53, "13:05"),
                at(40, "14:07", datasetId="urn:ngsi-ld:Vehicle:12345-fuel"),
            ],
        },
    )
    assert response.status_code == 201
    return api


def history(api, **params):
    return api.get(TEMPORAL, **params).json()


def instance_id(api, name="speed", index=0):
    return history(api)[name][index]["instanceId"]


def without_ids(instances):
    return [{k: v for k, v in item.items() if k != "instanceId"} for item in instances]


def test_every_instance_shows_its_own_instance_id_without_sys_attrs(vehicle):
    body = history(vehicle)
    ids = [item["instanceId"] for name in ("speed", "fuelLevel") for item in body[name]]
    assert len(ids) == len(set(ids)) == 5
    assert all(INSTANCE_ID.match(item) for item in ids)
    assert history(vehicle, options="sysAttrs")["speed"][0]["instanceId"] == ids[0]
    assert ids == [
        f"urn:ngsi-ld:AttributeInstance:{row.pk}"
        for name in ("speed", "fuelLevel")
        for row in AttributeInstance.objects.filter(entity_id=VEHICLE, attribute=name)
    ]


def test_instance_ids_of_history_written_by_entity_operations(api):
    api.post("/entities", {"id": VEHICLE, "type": "Vehicle", "speed": at(1, "10:00")})
    api.patch(f"/entities/{VEHICLE}/attrs/speed", at(2, "10:01"))
    body = api.get(TEMPORAL, headers={"Link": CORE_LINK}).json()
    assert [item["value"] for item in body["speed"]] == [1, 2]
    assert all(INSTANCE_ID.match(item["instanceId"]) for item in body["speed"])
    assert body["speed"][0]["instanceId"] != body["speed"][1]["instanceId"]


def test_simplified_and_aggregated_representations_show_no_instance_id(vehicle):
    assert history(vehicle, options="temporalValues")["speed"] == {
        "type": "Property",
        "values": [[120, "2020-09-01T12:03:00Z"], [80, "2020-09-01T12:05:00Z"]],
    }
    aggregated = history(vehicle, options="aggregatedValues", aggrMethods="max")
    assert "instanceId" not in str(aggregated)


def test_an_instance_is_modified_and_keeps_its_id(vehicle):
    """ETSI 016_01: the fragment replaces the members it sends; the entity is unchanged."""
    first = instance_id(vehicle)
    response = vehicle.patch(f"{TEMPORAL}/attrs/speed/{first}", at(129, "12:03"))
    assert response.status_code == 204
    assert response.content == b""
    body = history(vehicle)
    assert body["speed"][0]["instanceId"] == first
    assert without_ids(body["speed"]) == [at(129, "12:03"), at(80, "12:05")]
    assert len(body["fuelLevel"]) == 3
    current = vehicle.get(f"/entities/{VEHICLE}", options="keyValues").json()
    assert current["speed"] == 80


def test_a_modified_instance_keeps_the_members_not_sent_and_moves_in_time(vehicle):
    first = instance_id(vehicle)
    vehicle.patch(f"{TEMPORAL}/attrs/speed/{first}", {"value": 121})
    assert history(vehicle)["speed"][0]["value"] == 121
    assert history(vehicle)["speed"][0]["observedAt"] == "2020-09-01T12:03:00Z"
    vehicle.patch(f"{TEMPORAL}/attrs/speed/{first}", {"observedAt": "2020-09-01T12:09:00Z"})
    speeds = history(vehicle, options="sysAttrs")["speed"]
    assert [(item["value"], item["instanceId"] == first) for item in speeds] == [
        (80, False),
        (121, True),
    ]
    assert speeds[1]["modifiedAt"] > speeds[0]["modifiedAt"]
    after = history(vehicle, timerel="after", timeAt="2020-09-01T12:06:00Z", attrs="speed")
    assert [item["value"] for item in after["speed"]] == [121]


def test_a_modified_instance_of_another_type_takes_the_members_sent(vehicle):
    dataset = "urn:ngsi-ld:Vehicle:12345-fuel"
    third = instance_id(vehicle, "fuelLevel", 2)
    relationship = {"type": "Relationship", "object": "urn:ngsi-ld:Tank:1"}
    response = vehicle.patch(f"{TEMPORAL}/attrs/fuelLevel/{third}", relationship)
    assert response.status_code == 204
    row = AttributeInstance.objects.get(pk=int(third.rpartition(":")[2]))
    assert {k: v for k, v in row.instance.items() if not k.endswith("At")} == {
        **relationship,
        "datasetId": dataset,
    }


def test_an_instance_is_deleted(vehicle):
    """ETSI 017_01: the other instances and the entity stay."""
    first = instance_id(vehicle)
    response = vehicle.delete(f"{TEMPORAL}/attrs/speed/{first}")
    assert response.status_code == 204
    assert response.content == b""
    body = history(vehicle)
    assert without_ids(body["speed"]) == [at(80, "12:05")]
    assert len(body["fuelLevel"]) == 3
    assert vehicle.get(f"/entities/{VEHICLE}", options="keyValues").json()["speed"] == 80
    again = vehicle.delete(f"{TEMPORAL}/attrs/speed/{first}")
    assert again.status_code == 404
    assert again.json()["type"] == ERRORS + "ResourceNotFound"


UNKNOWN = "urn:ngsi-ld:Vehicle:unknown"


@pytest.mark.parametrize("method", ["patch", "delete"])
@pytest.mark.parametrize(
    ("entity", "attribute", "instance", "status", "kind"),
    [
        # ETSI 016_02 and 017_02: ids that are not right.
        ("invalidId", "speed", None, 400, "BadRequestData"),
        ("", "speed", None, 400, "BadRequestData"),
        (VEHICLE, "speed", "invalidId", 400, "BadRequestData"),
        (VEHICLE, "invalid(Id", None, 400, "BadRequestData"),
        # ETSI 016_03 and 017_03: ids that name nothing.
        (UNKNOWN, "speed", None, 404, "ResourceNotFound"),
        (VEHICLE, "speed2", None, 404, "ResourceNotFound"),
        (VEHICLE, "speed", "urn:ngsi-ld:01234567890123456789", 404, "ResourceNotFound"),
        (VEHICLE, "speed", UNKNOWN_INSTANCE, 404, "ResourceNotFound"),
        # An instance of another attribute is not one of this attribute's.
        (VEHICLE, "fuelLevel", None, 404, "ResourceNotFound"),
    ],
)
def test_instance_ids_that_are_wrong_or_name_nothing(
    vehicle, method, entity, attribute, instance, status, kind
):
    instance = instance or instance_id(vehicle)
    path = f"/temporal/entities/{entity}/attrs/{attribute}/{instance}"
    response = vehicle.patch(path, at(129, "12:03")) if method == "patch" else vehicle.delete(path)
    assert response.status_code == status, response.content
    assert response.json()["type"] == ERRORS + kind
    assert without_ids(history(vehicle)["speed"])[0] == at(120, "12:03")


def test_an_instance_path_without_instance_id_or_attribute_name(vehicle):
    """ETSI 016_02_04, 016_02_06, 017_02_05: the attribute's path, which takes DELETE only,
    and no empty name."""
    first = instance_id(vehicle)
    for path in (f"{TEMPORAL}/attrs/speed/", f"{TEMPORAL}/attrs//{first}"):
        response = vehicle.patch(path, at(129, "12:03"))
        assert response.status_code == 405
        assert response["Allow"] == "DELETE"
    response = vehicle.delete(f"{TEMPORAL}/attrs//{first}")
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert len(history(vehicle)["speed"]) == 2


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ([at(129, "12:03")], "JSON object"),
        ({}, "no member"),
        ({"type": "Property"}, "needs 'value'"),
        ({"type": "Relation", "object": "urn:x:1"}, "not an attribute type"),
        ({"value": 1, "observedAt": "yesterday"}, "observedAt"),
        ({"type": "Property", "value": 1, "datasetId": "not a uri"}, "datasetId"),
    ],
)
def test_an_invalid_fragment_changes_nothing(vehicle, body, detail):
    first = instance_id(vehicle)
    response = vehicle.patch(f"{TEMPORAL}/attrs/speed/{first}", body)
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert detail in response.json()["detail"]
    assert without_ids(history(vehicle)["speed"])[0] == at(120, "12:03")


def test_an_invalid_fragment_is_400_before_the_entity_is_looked_up(vehicle):
    path = f"/temporal/entities/{UNKNOWN}/attrs/speed/{UNKNOWN_INSTANCE}"
    assert vehicle.patch(path, {"type": "Property"}).status_code == 400


def test_instances_are_written_with_a_token_of_the_entitys_community(vehicle, client):
    first = instance_id(vehicle)
    path = f"{TEMPORAL}/attrs/speed/{first}"
    for other in (Api(client), Api(client, editor_of("other", CommunityFactory(slug="o"))[1])):
        expected = (401, "Unauthorized") if other.key is None else (403, "Forbidden")
        for response in (other.patch(path, at(1, "12:03")), other.delete(path)):
            assert (response.status_code, response.json()["type"]) == (
                expected[0],
                HUB_ERRORS + expected[1],
            )
    assert without_ids(history(vehicle)["speed"])[0] == at(120, "12:03")


def test_an_instance_id_is_one_spelling_of_its_key(vehicle):
    first = instance_id(vehicle)
    prefix, _, key = first.rpartition(":")
    for spelling in (f"{prefix}:0{key}", f"{prefix}:+{key}", first.upper(), f"urn:ngsi-ld:{key}"):
        assert vehicle.delete(f"{TEMPORAL}/attrs/speed/{spelling}").status_code == 404
    assert len(history(vehicle)["speed"]) == 2


def test_an_instance_is_found_only_under_its_own_entity(vehicle):
    """An instanceId of one entity, sent with another entity the writer may change: 404."""
    other = "urn:ngsi-ld:Vehicle:I2"
    vehicle.post("/temporal/entities", {"id": other, "type": "Vehicle", "speed": [at(1, "12:00")]})
    first = instance_id(vehicle)
    response = vehicle.delete(f"/temporal/entities/{other}/attrs/speed/{first}")
    assert response.status_code == 404
    elsewhere = vehicle.delete(f"{TEMPORAL}/attrs/speed/{first}", headers={"NGSILD-Tenant": "t2"})
    assert elsewhere.status_code == 404
    assert len(history(vehicle)["speed"]) == 2


def test_an_instance_id_sent_by_a_client_is_not_kept(api):
    sent = "urn:ngsi-ld:AttributeInstance:424242"
    api.post(
        "/temporal/entities",
        {"id": VEHICLE, "type": "Vehicle", "speed": [at(1, "10:00", instanceId=sent)]},
    )
    shown = history(api)["speed"][0]["instanceId"]
    assert INSTANCE_ID.match(shown)
    assert shown != sent


def test_instance_operations_take_no_query_parameters(vehicle):
    first = instance_id(vehicle)
    response = vehicle.delete(f"{TEMPORAL}/attrs/speed/{first}?deleteAll=true")
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "InvalidRequest"


KPI = "https://smart-data-models.github.io/dataModel.KeyPerformanceIndicator/context.jsonld"
KPI_LINK = f'<{KPI}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'


def test_an_instance_is_named_with_the_requests_context(api):
    sensor = "urn:ngsi-ld:Sensor:K1"
    link = {"Link": KPI_LINK}
    api.post(
        "/temporal/entities",
        {"id": sensor, "type": "Sensor", "kpiValue": [at(1, "10:00"), at(2, "11:00")]},
        headers=link,
    )
    path = f"/temporal/entities/{sensor}"
    first = api.get(path, headers=link).json()["kpiValue"][0]["instanceId"]
    assert api.patch(f"{path}/attrs/kpiValue/{first}", {"value": 5}).status_code == 404
    response = api.patch(f"{path}/attrs/kpiValue/{first}", {"value": 5}, headers=link)
    assert response.status_code == 204
    shown = api.get(path, headers=link).json()["kpiValue"]
    assert [(item["value"], item["instanceId"] == first) for item in shown] == [
        (5, True),
        (2, False),
    ]
    stored = AttributeInstance.objects.get(instance__value=5)
    assert (
        stored.attribute == "https://smartdatamodels.org/dataModel.KeyPerformanceIndicator/kpiValue"
    )
