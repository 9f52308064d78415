from urllib.parse import quote

import pytest

from .test_contexts import INDICATOR, KPI_LINK

pytestmark = pytest.mark.django_db

DEFAULT = "https://uri.etsi.org/ngsi-ld/default-context/"
KPI_TYPE = "https://smartdatamodels.org/dataModel.KeyPerformanceIndicator/KeyPerformanceIndicator"


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
        "id": DEFAULT + "Car",
        "type": "EntityType",
        "typeName": "Car",
        "attributeNames": ["owner", "speed"],
    }


def test_type_detail(stock):
    body = stock.get("/types/Car").json()
    assert body["entityCount"] == 2
    assert body["attributeDetails"] == [
        {
            "id": DEFAULT + "owner",
            "type": "Attribute",
            "attributeName": "owner",
            "attributeTypes": ["Relationship"],
        },
        {
            "id": DEFAULT + "speed",
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
        "id": DEFAULT + "speed",
        "type": "Attribute",
        "attributeName": "speed",
        "attributeCount": 3,
        "attributeTypes": ["Property"],
        "typeNames": ["Bike", "Car"],
    }
    assert stock.get("/attributes/colour").status_code == 404
    details = stock.get("/attributes", details="true").json()
    assert [item for item in details if item["attributeName"] == "owner"] == [
        {
            "id": DEFAULT + "owner",
            "type": "Attribute",
            "attributeName": "owner",
            "typeNames": ["Car"],
        }
    ]


def test_a_type_asked_for_by_its_full_iri_is_named_as_the_context_writes_it(stock):
    """ETSI 024_02_02: the id is the full IRI, typeName as the request's context compacts it."""
    body = stock.get("/types/" + quote(KPI_TYPE, safe=""), headers={"Link": KPI_LINK}).json()
    assert (body["id"], body["typeName"]) == (KPI_TYPE, "KeyPerformanceIndicator")
    assert body["entityCount"] == 1
    without = stock.get("/types/" + quote(KPI_TYPE, safe="")).json()
    assert (without["id"], without["typeName"]) == (KPI_TYPE, KPI_TYPE)
    with_details = stock.get("/types", details="true", headers={"Link": KPI_LINK}).json()
    assert [(item["id"], item["typeName"]) for item in with_details][2] == (
        KPI_TYPE,
        "KeyPerformanceIndicator",
    )


def test_an_attribute_asked_for_by_its_full_iri_is_named_as_the_context_writes_it(stock):
    body = stock.get("/attributes/" + quote(DEFAULT + "speed", safe="")).json()
    assert (body["id"], body["attributeName"]) == (DEFAULT + "speed", "speed")


def test_unknown_paths_and_methods_are_problems(anonymous):
    missing = anonymous.get("/nothing")
    assert missing.status_code == 404
    assert missing.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound"
    wrong = anonymous.send("put", "/types", {})
    assert wrong.status_code == 405
    assert wrong["Allow"] == "GET"
