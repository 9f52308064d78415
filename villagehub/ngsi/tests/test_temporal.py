import pytest

from villagehub.ngsi import ld
from villagehub.ngsi.models import AttributeInstance

from .test_entities import ERRORS

pytestmark = pytest.mark.django_db

PATH = "/entities/urn:ngsi-ld:Sensor:1"
TEMPORAL = "/temporal/entities/urn:ngsi-ld:Sensor:1"


def reading(value, day):
    return {"type": "Property", "value": value, "observedAt": f"2026-01-0{day}T12:00:00.000Z"}


@pytest.fixture
def history(api):
    api.post(
        "/entities",
        {
            "id": "urn:ngsi-ld:Sensor:1",
            "type": "Sensor",
            "temperature": reading(10, 1),
            "name": "S",
        },
    )
    api.patch(PATH + "/attrs/temperature", reading(11, 2))
    api.patch(PATH + "/attrs", {"temperature": reading(12, 3)})
    api.post(PATH + "/attrs", {"temperature": reading(13, 4)})
    return api


def values(body, name="temperature"):
    return [item["value"] for item in body[name]]


def test_every_change_is_kept(history):
    body = history.get(TEMPORAL, attrs="temperature").json()
    assert body["id"] == "urn:ngsi-ld:Sensor:1"
    assert body["type"] == "Sensor"
    assert values(body) == [10, 11, 12, 13]
    assert body["temperature"][0]["observedAt"] == "2026-01-01T12:00:00.000Z"
    assert AttributeInstance.objects.filter(attribute="temperature").count() == 4


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"timerel": "before", "timeAt": "2026-01-02T12:00:00Z"}, [10]),
        ({"timerel": "after", "timeAt": "2026-01-02T12:00:00Z"}, [12, 13]),
        (
            {
                "timerel": "between",
                "timeAt": "2026-01-02T00:00:00Z",
                "endTimeAt": "2026-01-04T00:00:00Z",
            },
            [11, 12],
        ),
        ({"lastN": "2"}, [12, 13]),
    ],
)
def test_time_filters_and_last_n(history, params, expected):
    assert values(history.get(TEMPORAL, attrs="temperature", **params).json()) == expected


def test_temporal_values(history):
    body = history.get(TEMPORAL, attrs="temperature", options="temporalValues", lastN="2").json()
    assert body["temperature"] == {
        "type": "Property",
        "values": [[12, "2026-01-03T12:00:00.000Z"], [13, "2026-01-04T12:00:00.000Z"]],
    }


@pytest.mark.parametrize(
    "params",
    [
        {"options": "keyValues"},
        {"options": "simplified"},
        {"format": "temporalValues"},
        {"format": "simplified"},
        {"format": "keyValues"},
    ],
)
def test_key_values_and_format_ask_for_the_simplified_temporal_representation(history, params):
    body = history.get(TEMPORAL, attrs="temperature", lastN="1", **params).json()
    assert body["temperature"] == {
        "type": "Property",
        "values": [[13, "2026-01-04T12:00:00.000Z"]],
    }


def test_an_unknown_temporal_format_is_bad_request_data(history):
    response = history.get(TEMPORAL, format="concise")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("format: 'concise' is not one of")


def test_temporal_query_by_type(history):
    response = history.get(
        "/temporal/entities", type="Sensor", attrs="temperature", lastN="1", count="true"
    )
    assert response.status_code == 200
    assert [values(item) for item in response.json()] == [[13]]
    assert response["NGSILD-Results-Count"] == "1"


@pytest.mark.parametrize(
    ("params", "status", "kind"),
    [
        ({"timerel": "during", "timeAt": "2026-01-01T00:00:00Z"}, 400, "BadRequestData"),
        ({"timerel": "before"}, 400, "BadRequestData"),
        ({"timerel": "between", "timeAt": "2026-01-01T00:00:00Z"}, 400, "BadRequestData"),
        ({"aggrMethods": "sum", "aggrPeriodDuration": "P1D"}, 400, "BadRequestData"),
        ({"options": "aggregatedValues"}, 400, "BadRequestData"),
        ({"options": "aggregatedValues", "aggrMethods": "median"}, 400, "BadRequestData"),
        (
            {"options": "aggregatedValues", "aggrMethods": "sum", "aggrPeriodDuration": "P1M"},
            400,
            "BadRequestData",
        ),
        # Retrieving one entity's history takes no query (6.3.20).
        ({"q": "temperature>1"}, 400, "InvalidRequest"),
    ],
)
def test_bad_temporal_parameters(history, params, status, kind):
    response = history.get(TEMPORAL, **params)
    assert response.status_code == status
    if kind:
        assert response.json()["type"] == ERRORS + kind


def test_history_of_an_unknown_entity_is_404(anonymous, db):
    assert anonymous.get("/temporal/entities/urn:ngsi-ld:Sensor:none").status_code == 404


def test_aggregated_values_per_period(history):
    body = history.get(
        TEMPORAL,
        attrs="temperature",
        options="aggregatedValues",
        aggrMethods="totalCount,sum,avg,min,max,sumsq,distinctCount,stddev",
        aggrPeriodDuration="P2D",
    ).json()
    temperature = body["temperature"]
    assert temperature["type"] == "Property"
    assert temperature["sum"] == [
        [21, "2026-01-01T12:00:00Z", "2026-01-03T12:00:00Z"],
        [25, "2026-01-03T12:00:00Z", "2026-01-05T12:00:00Z"],
    ]
    assert [item[0] for item in temperature["totalCount"]] == [2, 2]
    assert [item[0] for item in temperature["avg"]] == [10.5, 12.5]
    assert [item[0] for item in temperature["min"]] == [10, 12]
    assert [item[0] for item in temperature["max"]] == [11, 13]
    assert [item[0] for item in temperature["sumsq"]] == [221, 313]
    assert [item[0] for item in temperature["stddev"]] == [0.5, 0.5]
    whole = history.get(
        TEMPORAL, attrs="temperature", options="aggregatedValues", aggrMethods="sum"
    ).json()
    assert whole["temperature"]["sum"] == [[46, "2026-01-01T12:00:00Z", "2026-01-04T12:00:00Z"]]


TEMPORAL_QUERY = "/temporal/entityOperations/query"


def test_temporal_query_by_post_takes_its_time_filter_from_temporal_q(history):
    history.post(
        "/entities", {"id": "urn:ngsi-ld:Sensor:2", "type": "Sensor", "temperature": reading(5, 1)}
    )
    response = history.post(
        TEMPORAL_QUERY + "?count=true",
        {
            "type": "Query",
            "entities": [{"type": "Sensor"}],
            "attrs": ["temperature"],
            "temporalQ": {"timerel": "after", "timeAt": "2026-01-02T12:00:00Z"},
        },
    )
    assert response.status_code == 200
    # Sensor:2 has nothing after timeAt, so it is not in the answer (ETSI 021_13_01).
    assert [(item["id"], values(item)) for item in response.json()] == [
        ("urn:ngsi-ld:Sensor:1", [12, 13])
    ]
    assert response["NGSILD-Results-Count"] == "1"


def test_temporal_query_by_post_with_last_n_and_the_simplified_representation(history):
    response = history.post(
        TEMPORAL_QUERY + "?options=temporalValues",
        {
            "type": "Query",
            "entities": [{"id": "urn:ngsi-ld:Sensor:1", "type": "Sensor"}],
            "attrs": ["temperature"],
            "temporalQ": {"lastN": 2},
        },
    )
    assert response.status_code == 200
    assert response.json()[0]["temperature"]["values"] == [
        [12, "2026-01-03T12:00:00.000Z"],
        [13, "2026-01-04T12:00:00.000Z"],
    ]


def test_temporal_query_by_post_aggregates_with_methods_as_a_list(history):
    response = history.post(
        TEMPORAL_QUERY + "?options=aggregatedValues",
        {
            "type": "Query",
            "entities": [{"type": "Sensor"}],
            "attrs": ["temperature"],
            "temporalQ": {"aggrMethods": ["max", "sum"]},
        },
    )
    assert response.status_code == 200
    aggregated = response.json()[0]["temperature"]
    assert aggregated["max"][0][0] == 13
    assert aggregated["sum"][0][0] == 46


@pytest.mark.parametrize(
    ("body", "status", "kind", "detail"),
    [
        (
            {"temporalQ": {"timerel": "during", "timeAt": "2026-01-01T00:00:00Z"}},
            400,
            "BadRequestData",
            "timerel",
        ),
        (
            {"temporalQ": {"timerel": "between", "timeAt": "2026-01-01T00:00:00Z"}},
            400,
            "BadRequestData",
            "endTimeAt",
        ),
        ({"temporalQ": {"timerel": "after", "timeAt": 20260101}}, 400, "BadRequestData", "timeAt"),
        ({"temporalQ": {"lastN": 0}}, 400, "BadRequestData", "lastN"),
        ({"temporalQ": {"lastN": 1.5}}, 400, "BadRequestData", "lastN"),
        ({"temporalQ": {"timeproperty": "seenAt"}}, 400, "BadRequestData", "timeproperty"),
        ({"temporalQ": "after"}, 400, "BadRequestData", "temporalQ"),
        (
            {"entities": [{"type": "Sensor"}], "type": "Subscription"},
            400,
            "BadRequestData",
            "Query",
        ),
        ({"entities": []}, 400, "BadRequestData", "entities"),
        ({"entities": [{"id": "not a uri"}]}, 400, "BadRequestData", "id"),
        ({"q": "temperature>1"}, 422, "OperationNotSupported", "q"),
    ],
)
def test_temporal_query_by_post_refuses_a_bad_query(history, body, status, kind, detail):
    query = {"type": "Query", "entities": [{"type": "Sensor"}], **body}
    response = history.post(TEMPORAL_QUERY, query)
    assert response.status_code == status
    assert response.json()["type"] == ERRORS + kind
    assert detail in response.json()["detail"]


def test_temporal_query_by_post_refuses_other_methods(history):
    response = history.get(TEMPORAL_QUERY)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


VEHICLE = "urn:ngsi-ld:Vehicle:T1"


def at(value, moment):
    return {"type": "Property", "value": value, "observedAt": f"2020-08-01T{moment}:00Z"}


def vehicle_history():
    return {
        "id": VEHICLE,
        "type": "Vehicle",
        # Given out of order: the instances are written oldest first.
        "speed": [at(80, "12:05"), at(120, "12:03"), at(100, "12:07")],
        "fuelLevel": [at(67, "12:03"), at(53, "13:05")],
    }


def test_a_temporal_representation_creates_the_entity_and_its_history(api):
    response = api.post("/temporal/entities", vehicle_history())
    assert response.status_code == 201
    assert response["Location"] == f"/ngsi-ld/v1/temporal/entities/{VEHICLE}"
    body = api.get(f"/temporal/entities/{VEHICLE}").json()
    assert values(body, "speed") == [120, 80, 100]
    assert [item["observedAt"] for item in body["speed"]] == [
        "2020-08-01T12:03:00Z",
        "2020-08-01T12:05:00Z",
        "2020-08-01T12:07:00Z",
    ]
    assert values(body, "fuelLevel") == [67, 53]
    current = api.get(f"/entities/{VEHICLE}", options="keyValues").json()
    assert (current["speed"], current["fuelLevel"]) == (100, 53)
    assert AttributeInstance.objects.filter(entity_id=VEHICLE).count() == 5


def test_a_temporal_representation_of_an_existing_entity_adds_its_instances(api):
    api.post("/temporal/entities", vehicle_history())
    more = {"id": VEHICLE, "type": "Vehicle", "speed": [at(90, "12:09"), at(95, "12:11")]}
    response = api.post("/temporal/entities", more)
    assert response.status_code == 204
    body = api.get(f"/temporal/entities/{VEHICLE}", attrs="speed").json()
    assert values(body, "speed") == [120, 80, 100, 90, 95]


def test_instances_appended_to_a_temporal_entity(api):
    api.post("/temporal/entities", vehicle_history())
    path = f"/temporal/entities/{VEHICLE}/attrs"
    response = api.post(path, {"fuelLevel": [at(40, "14:07"), at(30, "15:00")]})
    assert response.status_code == 204
    body = api.get(f"/temporal/entities/{VEHICLE}", attrs="fuelLevel").json()
    assert values(body, "fuelLevel") == [67, 53, 40, 30]
    missing = api.post(
        "/temporal/entities/urn:ngsi-ld:Vehicle:none/attrs", {"speed": at(1, "12:00")}
    )
    assert missing.status_code == 404
    assert missing.json()["type"] == ERRORS + "ResourceNotFound"


@pytest.mark.parametrize("moment", ["2020-08-01T15:00:00Z", "2020-08-01T11:00:00Z"])
def test_a_temporal_representation_is_written_whole_or_not_at_all(api, moment):
    """An invalid instance, the latest (the entity's) or an older one (history only)."""
    document = vehicle_history()
    document["fuelLevel"].append({"type": "Property", "observedAt": moment})
    response = api.post("/temporal/entities", document)
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert api.get(f"/entities/{VEHICLE}").status_code == 404
    assert not AttributeInstance.objects.filter(entity_id=VEHICLE).exists()


@pytest.mark.parametrize(
    ("document", "detail"),
    [
        ({"type": "Vehicle", "speed": [at(1, "12:00")]}, "id"),
        ({"id": "not a uri", "type": "Vehicle"}, "id"),
        ({"id": VEHICLE, "type": "Vehicle", "speed": []}, "speed"),
        ([vehicle_history()], "body"),
    ],
)
def test_a_bad_temporal_representation_is_bad_request_data(api, document, detail):
    response = api.post("/temporal/entities", document)
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert detail in response.json()["detail"]


def test_writing_a_temporal_representation_needs_a_token(anonymous, db):
    response = anonymous.post("/temporal/entities", vehicle_history())
    assert response.status_code == 401
    assert not AttributeInstance.objects.exists()


def test_deleting_a_temporal_entity_deletes_its_history(api):
    api.post("/temporal/entities", vehicle_history())
    assert api.delete(f"/temporal/entities/{VEHICLE}").status_code == 204
    assert not AttributeInstance.objects.filter(entity_id=VEHICLE).exists()
    assert api.get(f"/temporal/entities/{VEHICLE}").status_code == 404
    assert api.get(f"/entities/{VEHICLE}").status_code == 404
    again = api.delete(f"/temporal/entities/{VEHICLE}")
    assert again.status_code == 404
    assert again.json()["type"] == ERRORS + "ResourceNotFound"


def test_an_instance_is_shown_with_its_observed_at_alone_unless_sys_attrs(api):
    api.post("/temporal/entities", vehicle_history())
    body = api.get(f"/temporal/entities/{VEHICLE}", attrs="fuelLevel").json()
    # The instanceId is shown always (see test_temporal_instances.py).
    instance_id = body["fuelLevel"][0].pop("instanceId")
    assert body["fuelLevel"][0] == at(67, "12:03")
    detailed = api.get(f"/temporal/entities/{VEHICLE}", attrs="fuelLevel", options="sysAttrs")
    assert detailed.json()["fuelLevel"][0]["instanceId"] == instance_id
    assert set(detailed.json()["fuelLevel"][0]) == {
        "type",
        "value",
        "observedAt",
        "modifiedAt",
        "instanceId",
    }
    api.post(f"/entities/{VEHICLE}/attrs", {"brand": "Volvo"})
    # Without observedAt, the time of the change is the instance's time.
    brand = api.get(f"/temporal/entities/{VEHICLE}", attrs="brand").json()["brand"]
    assert set(brand[0]) == {"type", "value", "modifiedAt", "instanceId"}


def test_aggregation_periods_are_bounded_in_whole_seconds(api):
    """ETSI 020_11_01: the bounds are written as the instances' observedAt are."""
    api.post("/temporal/entities", vehicle_history())
    body = api.get(
        f"/temporal/entities/{VEHICLE}",
        options="aggregatedValues",
        aggrMethods="avg",
        aggrPeriodDuration="PT1H",
    ).json()
    assert body["speed"] == {
        "type": "Property",
        "avg": [[100.0, "2020-08-01T12:03:00Z", "2020-08-01T13:03:00Z"]],
    }
    assert body["fuelLevel"]["avg"] == [
        [67.0, "2020-08-01T12:03:00Z", "2020-08-01T13:03:00Z"],
        [53.0, "2020-08-01T13:03:00Z", "2020-08-01T14:03:00Z"],
    ]


def test_a_temporal_representation_may_carry_its_context(api):
    document = {
        **vehicle_history(),
        "@context": [{"speed": "https://example.org/vocab#speed"}, ld.CORE_URL],
    }
    response = api.post("/temporal/entities", document, content_type="application/ld+json")
    assert response.status_code == 201
    body = api.get(f"/temporal/entities/{VEHICLE}").json()
    assert values(body, "https://example.org/vocab#speed") == [120, 80, 100]


@pytest.mark.parametrize(
    ("params", "members"),
    [
        ({"pick": "id"}, {"id"}),
        ({"pick": "id,speed"}, {"id", "speed"}),
        ({"omit": "speed"}, {"id", "type", "fuelLevel"}),
        ({"omit": "type,speed"}, {"id", "fuelLevel"}),
    ],
)
def test_temporal_queries_pick_or_omit_members(api, params, members):
    """ETSI 021_21 (since v1.8.1)."""
    api.post("/temporal/entities", vehicle_history())
    found = api.get("/temporal/entities", type="Vehicle", **params).json()
    assert [set(item) for item in found] == [members]
    one = api.get(f"/temporal/entities/{VEHICLE}", **params).json()
    assert set(one) == members


@pytest.mark.parametrize(
    "params", [{"pick": "id", "omit": "type"}, {"pick": "speed", "attrs": "speed"}]
)
def test_temporal_pick_with_omit_or_attrs_is_bad_request_data(api, params):
    api.post("/temporal/entities", vehicle_history())
    response = api.get("/temporal/entities", type="Vehicle", **params)
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"


def fuel_history():
    document = vehicle_history()
    document["fuelLevel"].append({**at(40, "14:07"), "datasetId": "urn:ngsi-ld:Dataset:fuel"})
    return document


@pytest.mark.parametrize(
    ("params", "left"),
    [
        ({}, [40]),
        ({"datasetId": "urn:ngsi-ld:Dataset:fuel"}, [67, 53]),
        ({"deleteAll": "true"}, None),
    ],
)
def test_deleting_an_attribute_from_a_temporal_entity(api, params, left):
    """ETSI 015_01: without datasetId the default instance's history, with it that
    dataset's, with deleteAll all of it; the other attributes keep theirs."""
    api.post("/temporal/entities", fuel_history())
    path = f"/temporal/entities/{VEHICLE}/attrs/fuelLevel"
    if params:
        path += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    response = api.delete(path)
    assert response.status_code == 204
    assert response.content == b""
    body = api.get(f"/temporal/entities/{VEHICLE}").json()
    assert (values(body, "fuelLevel") if "fuelLevel" in body else None) == left
    assert values(body, "speed") == [120, 80, 100]
    again = api.delete(path)
    assert again.status_code == 404
    assert again.json()["type"] == ERRORS + "ResourceNotFound"


def test_deleting_an_attribute_history_checks_the_writer(api, anonymous):
    api.post("/temporal/entities", vehicle_history())
    path = f"/temporal/entities/{VEHICLE}/attrs/fuelLevel"
    assert anonymous.delete(path).status_code == 401
    assert api.delete(path + "?deleteAll=maybe").status_code == 400
    assert api.delete("/temporal/entities/urn:ngsi-ld:Vehicle:none/attrs/speed").status_code == 404
    assert AttributeInstance.objects.filter(entity_id=VEHICLE, attribute="fuelLevel").count() == 2


def test_a_change_of_one_dataset_keeps_only_that_instance(api):
    """Writing one instance of a multi-attribute records that instance alone: the others
    did not change and are in the history once already."""
    other = {**reading(20, 1), "datasetId": "urn:ngsi-ld:Dataset:roof"}
    api.post(
        "/entities",
        {"id": "urn:ngsi-ld:Sensor:1", "type": "Sensor", "temperature": [reading(10, 1), other]},
    )
    api.patch(PATH + "/attrs/temperature", reading(11, 2))
    api.patch(PATH + "/attrs", {"temperature": {**reading(21, 3), "datasetId": other["datasetId"]}})
    kept = AttributeInstance.objects.filter(attribute="temperature").order_by("pk")
    assert [row.instance["value"] for row in kept] == [10, 20, 11, 21]
