import pytest

from .test_contexts import INDICATOR, KPI_LINK

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(api):
    api.post(
        "/entities",
        {
            "id": "urn:ngsi-ld:Car:1",
            "type": "Car",
            "speed": 1,
            "owner": {"object": "urn:ngsi-ld:P:1"},
        },
    )
    api.post("/entities", {"id": "urn:ngsi-ld:Car:2", "type": "Car", "speed": 2})
    api.post("/entities", {"id": "urn:ngsi-ld:Bike:1", "type": "Bike", "speed": 3})
    api.post("/entities", INDICATOR, headers={"Link": KPI_LINK})
    return api


def test_types_list(stock):
    body = stock.get("/types").json()
    assert body["type"] == "EntityTypeList"
    assert body["typeList"] == [
        "Bike",
        "Car",
        "https://smartdatamodels.org/dataModel.KeyPerformanceIndicator/KeyPerformanceIndicator",
    ]
    with_context = stock.get("/types", headers={"Link": KPI_LINK}).json()
    assert "KeyPerformanceIndicator" in with_context["typeList"]


def test_types_with_details(stock):
    body = stock.get("/types", details="true").json()
    assert body[1] == {
        "id": "Car",
        "type": "EntityType",
        "typeName": "Car",
        "attributeNames": ["owner", "speed"],
    }


def test_type_detail(stock):
    body = stock.get("/types/Car").json()
    assert body["entityCount"] == 2
    assert body["attributeDetails"] == [
        {
            "id": "owner",
            "type": "Attribute",
            "attributeName": "owner",
            "attributeTypes": ["Relationship"],
        },
        {
            "id": "speed",
            "type": "Attribute",
            "attributeName": "speed",
            "attributeTypes": ["Property"],
        },
    ]
    assert stock.get("/types/Plane").status_code == 404


def test_attributes(stock):
    body = stock.get("/attributes").json()
    assert body["type"] == "AttributeList"
    assert "speed" in body["attributeList"]
    detail = stock.get("/attributes/speed").json()
    assert detail == {
        "id": "speed",
        "type": "Attribute",
        "attributeName": "speed",
        "attributeCount": 3,
        "attributeTypes": ["Property"],
        "typeNames": ["Bike", "Car"],
    }
    assert stock.get("/attributes/colour").status_code == 404
    details = stock.get("/attributes", details="true").json()
    assert [item["attributeName"] for item in details if item["attributeName"] == "owner"] == [
        "owner"
    ]


def test_unknown_paths_and_methods_are_problems(anonymous):
    missing = anonymous.get("/nothing")
    assert missing.status_code == 404
    assert missing.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound"
    wrong = anonymous.send("put", "/types", {})
    assert wrong.status_code == 405
    assert wrong["Allow"] == "GET"
