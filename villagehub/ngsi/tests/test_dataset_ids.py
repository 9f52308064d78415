"""The `datasetId` parameter: the instances shown by entity queries and retrieval, and those
of a temporal query, chosen by datasetId; the simplified and aggregated temporal
representations one per datasetId (CIM 009 v1.8 4.5.5, 4.5.9; ETSI 019_12 and 021_18, since
v1.8.1)."""

import pytest

from .test_entities import ERRORS

pytestmark = pytest.mark.django_db

VEHICLE = "urn:ngsi-ld:Vehicle:021-18-A"
COMMON = "urn:ngsi-ld:Dataset:Common"
SPEED = "urn:ngsi-ld:Dataset:Speed"
FUEL = "urn:ngsi-ld:Dataset:fuel"


def at(value, moment, dataset=None):
    instance = {"type": "Property", "value": value, "observedAt": f"2020-09-01T{moment}Z"}
    return instance if dataset is None else {**instance, "datasetId": dataset}


@pytest.fixture
def vehicle(api):
    """ETSI 021_18's vehicle: instances of the default, Common, Speed and fuel datasets."""
    response = api.post(
        "/temporal/entities",
        {
            "id": VEHICLE,
            "type": "Vehicle",
            "speed": [
                at(120, "12:03:00"),
                at(80, "12:05:00", COMMON),
                at(90, "13:05:00", COMMON),
                at(60, "12:05:00", SPEED),
                at(62, "12:15:00", SPEED),
            ],
            "fuelLevel": [
                at(67, "12:03:00"),
                at(68, "12:03:30"),
                at(53, "13:05:00", COMMON),
                at(40, "14:07:00", FUEL),
            ],
        },
    )
    assert response.status_code == 201
    return api


def query(api, **params):
    response = api.get(
        "/temporal/entities",
        type="Vehicle",
        timerel="after",
        timeAt="2020-08-01T12:04:00Z",
        options="temporalValues",
        **params,
    )
    assert response.status_code == 200, response.content
    return response.json()


def values(*pairs, dataset=None):
    shown = {"type": "Property", "values": [[v, f"2020-09-01T{t}Z"] for v, t in pairs]}
    return shown if dataset is None else {"type": "Property", "datasetId": dataset, **shown}


def test_the_simplified_representation_shows_each_dataset_apart(vehicle):
    """021_18_01: attrs alone."""
    assert query(vehicle, attrs="speed") == [
        {
            "id": VEHICLE,
            "type": "Vehicle",
            "speed": [
                values((120, "12:03:00")),
                values((80, "12:05:00"), (90, "13:05:00"), dataset=COMMON),
                values((60, "12:05:00"), (62, "12:15:00"), dataset=SPEED),
            ],
        }
    ]


@pytest.mark.parametrize(
    ("params", "speed", "fuel_level"),
    [
        # 021_18_02 and 021_18_03: one datasetId, two.
        (
            {"datasetId": COMMON},
            values((80, "12:05:00"), (90, "13:05:00"), dataset=COMMON),
            values((53, "13:05:00"), dataset=COMMON),
        ),
        (
            {"datasetId": f"{COMMON},{SPEED}"},
            [
                values((80, "12:05:00"), (90, "13:05:00"), dataset=COMMON),
                values((60, "12:05:00"), (62, "12:15:00"), dataset=SPEED),
            ],
            values((53, "13:05:00"), dataset=COMMON),
        ),
        # 021_18_04: the default instances.
        (
            {"datasetId": "@none"},
            values((120, "12:03:00")),
            values((67, "12:03:00"), (68, "12:03:30")),
        ),
        (
            {"datasetId": f"@none,{FUEL}"},
            values((120, "12:03:00")),
            [values((67, "12:03:00"), (68, "12:03:30")), values((40, "14:07:00"), dataset=FUEL)],
        ),
    ],
)
def test_instances_chosen_by_dataset_id(vehicle, params, speed, fuel_level):
    assert query(vehicle, **params) == [
        {"id": VEHICLE, "type": "Vehicle", "speed": speed, "fuelLevel": fuel_level}
    ]


def test_dataset_id_with_attrs(vehicle):
    """021_18_05 to 021_18_07: with no instance of the attribute in the datasets, no entity."""
    assert query(vehicle, attrs="speed", datasetId="@none")[0]["speed"] == values((120, "12:03:00"))
    assert query(vehicle, attrs="fuelLevel", datasetId=FUEL)[0]["fuelLevel"] == values(
        (40, "14:07:00"), dataset=FUEL
    )
    assert query(vehicle, attrs="speed", datasetId=FUEL) == []
    response = vehicle.get(
        "/temporal/entities", type="Vehicle", attrs="speed", datasetId=FUEL, count="true"
    )
    assert response["NGSILD-Results-Count"] == "0"


def test_dataset_id_on_one_entity_normalized_and_aggregated(vehicle):
    path = f"/temporal/entities/{VEHICLE}"
    body = vehicle.get(path, attrs="fuelLevel", datasetId=f"{COMMON},{FUEL}").json()
    assert [(item["value"], item["datasetId"]) for item in body["fuelLevel"]] == [
        (53, COMMON),
        (40, FUEL),
    ]
    aggregated = vehicle.get(
        path, attrs="fuelLevel", options="aggregatedValues", aggrMethods="max"
    ).json()
    assert aggregated["fuelLevel"] == [
        {"type": "Property", "max": [[68, "2020-09-01T12:03:00Z", "2020-09-01T12:03:30Z"]]},
        {
            "type": "Property",
            "datasetId": COMMON,
            "max": [[53, "2020-09-01T13:05:00Z", "2020-09-01T13:05:00Z"]],
        },
        {
            "type": "Property",
            "datasetId": FUEL,
            "max": [[40, "2020-09-01T14:07:00Z", "2020-09-01T14:07:00Z"]],
        },
    ]


def test_dataset_id_in_a_temporal_query_by_post(vehicle):
    response = vehicle.post(
        "/temporal/entityOperations/query?options=temporalValues&datasetId=" + SPEED,
        {"type": "Query", "entities": [{"type": "Vehicle"}], "attrs": ["speed"]},
    )
    assert response.json()[0]["speed"] == values((60, "12:05:00"), (62, "12:15:00"), dataset=SPEED)


@pytest.mark.parametrize("dataset", ["", "not a uri", f"{COMMON},none"])
def test_a_dataset_id_that_is_not_a_uri_is_400(vehicle, dataset):
    response = vehicle.get("/temporal/entities", type="Vehicle", datasetId=dataset)
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert "datasetId" in response.json()["detail"]


BUILDING = "urn:ngsi-ld:Building:019-12"
FRENCH = "urn:ngsi-ld:Dataset:french-name"
GERMAN = "urn:ngsi-ld:Dataset:german-name"
SPANISH = "urn:ngsi-ld:Dataset:spanish-name"


def name(value, dataset=None):
    shown = {"type": "Property", "value": value}
    return shown if dataset is None else {**shown, "datasetId": dataset}


def located(city, dataset=None):
    shown = {"type": "Relationship", "object": city}
    return shown if dataset is None else {**shown, "datasetId": dataset}


@pytest.fixture
def building(api):
    """ETSI 019_12's building: names and places in several datasets."""
    response = api.post(
        "/entities",
        {
            "id": BUILDING,
            "type": "Building",
            "name": [
                name("Eiffel Tower"),
                name("Tour Eiffel", FRENCH),
                name("Eiffelturm", GERMAN),
            ],
            "locatedAt": [
                located("urn:ngsi-ld:City:Paris"),
                located("urn:ngsi-ld:Ville:Paris", FRENCH),
                located("urn:ngsi-ld:Ciudad:Paris", SPANISH),
            ],
        },
    )
    assert response.status_code == 201
    return api


@pytest.mark.parametrize(
    ("params", "members"),
    [
        (
            {"attrs": "name"},
            {
                "name": [
                    name("Eiffel Tower"),
                    name("Tour Eiffel", FRENCH),
                    name("Eiffelturm", GERMAN),
                ]
            },
        ),
        (
            {"datasetId": FRENCH},
            {
                "name": name("Tour Eiffel", FRENCH),
                "locatedAt": located("urn:ngsi-ld:Ville:Paris", FRENCH),
            },
        ),
        (
            {"datasetId": f"{FRENCH},{SPANISH}"},
            {
                "name": name("Tour Eiffel", FRENCH),
                "locatedAt": [
                    located("urn:ngsi-ld:Ville:Paris", FRENCH),
                    located("urn:ngsi-ld:Ciudad:Paris", SPANISH),
                ],
            },
        ),
        (
            {"datasetId": "@none"},
            {"name": name("Eiffel Tower"), "locatedAt": located("urn:ngsi-ld:City:Paris")},
        ),
        ({"attrs": "name", "datasetId": "@none"}, {"name": name("Eiffel Tower")}),
        ({"attrs": "name", "datasetId": GERMAN}, {"name": name("Eiffelturm", GERMAN)}),
        # 019_12_07: no instance of the datasetId, the entity without attributes.
        ({"attrs": "name", "datasetId": SPANISH}, {}),
    ],
)
def test_entity_queries_show_the_instances_of_the_dataset_ids_asked(building, params, members):
    """ETSI 019_12 (since v1.8.1)."""
    response = building.get("/entities", type="Building", **params)
    assert response.status_code == 200, response.content
    assert response.json() == [{"id": BUILDING, "type": "Building", **members}]


def test_an_entity_retrieved_with_dataset_id(building):
    body = building.get(f"/entities/{BUILDING}", datasetId=GERMAN, options="keyValues").json()
    assert body == {"id": BUILDING, "type": "Building", "name": "Eiffelturm"}
    response = building.get(f"/entities/{BUILDING}", datasetId="german")
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
