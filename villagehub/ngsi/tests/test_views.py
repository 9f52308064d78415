"""What every NGSI-LD operation shares (ETSI GS CIM 009, 6.3): media types, the Accept
header's choice, Content-Length, unknown query parameters, tenants echoed, GeoJSON's
@context and remote contexts that are not contexts."""

import pytest

from villagehub.ngsi import ld

from .conftest import BASE

pytestmark = pytest.mark.django_db

ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
ENTITY_ID = "urn:ngsi-ld:Building:accept"
BUILDING = {
    "id": ENTITY_ID,
    "type": "Building",
    "name": {"type": "Property", "value": "Smithy"},
    "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [8.5, 41.2]}},
}


@pytest.fixture
def building(api):
    assert api.post("/entities", BUILDING).status_code == 201
    return api


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("", "application/json"),
        ("*/*", "application/json"),
        ("application/ld+json, application/json", "application/json"),
        ("application/geo+json, application/json", "application/json"),
        ("application/json;q=0.1, application/ld+json;q=0.9", "application/ld+json"),
        ("application/ld+json", "application/ld+json"),
        ("application/json;q=0, */*", "application/ld+json"),
        ("application/json;q=0, application/ld+json", "application/ld+json"),
        ("*/*;q=0.9, application/ld+json;q=0.8", "application/json"),
        ("application/ld+json;q=notanumber", "application/ld+json"),
        ("application/*", "application/json"),
        ("application/geo+json", "application/geo+json"),
    ],
)
def test_accept_chooses_by_weight_then_by_the_specifications_order(building, accept, chosen):
    response = building.get(f"/entities/{ENTITY_ID}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"] == chosen


@pytest.mark.parametrize(
    ("accept", "status", "chosen"),
    [
        ("application/geo+json", 406, "application/json"),
        ("application/geo+json, application/json", 200, "application/json"),
        ("application/geo+json;q=0.9, application/ld+json;q=0.1", 200, "application/ld+json"),
        ("application/json;q=0, application/ld+json;q=0", 406, "application/json"),
        ("text/html", 406, "application/json"),
    ],
)
def test_geojson_is_offered_only_by_entity_retrieval_and_query(anonymous, accept, status, chosen):
    response = anonymous.get("/types", headers={"Accept": accept})
    assert response.status_code == status
    assert response["Content-Type"] == chosen
    if status == 406:
        assert response.json()["type"] == ERRORS + "InvalidRequest"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/entities"),
        ("patch", f"/entities/{ENTITY_ID}/attrs"),
        ("put", f"/entities/{ENTITY_ID}"),
        ("post", "/entityOperations/upsert"),
    ],
)
def test_a_body_without_content_length_is_a_bare_411(client, method, path):
    # A chunked body carries no Content-Length; the tenant, unknown here, is not looked at.
    response = getattr(client, method)(
        BASE + path,
        b'{"id": "urn:ngsi-ld:Building:411", "type": "Building"}',
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        HTTP_NGSILD_TENANT="nosuchtenant",
    )
    assert response.status_code == 411
    assert response.content == b""


def test_reads_need_no_content_length(anonymous):
    assert anonymous.get("/entities", type="Building").status_code == 200


def test_no_content_answers_have_no_content_length(building):
    response = building.delete(f"/entities/{ENTITY_ID}")
    assert response.status_code == 204
    assert not response.has_header("Content-Length")
    assert response.content == b""


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/entities", BUILDING),
        ("get", "/entities?type=Building", None),
        ("get", f"/entities/{ENTITY_ID}", None),
        ("delete", "/entities", None),
        ("post", "/temporal/entities", BUILDING),
        ("get", "/temporal/entities?type=Building", None),
        ("get", "/types", None),
        ("get", "/subscriptions", None),
        ("post", "/entityOperations/create", [BUILDING]),
        ("delete", f"/entities/{ENTITY_ID}/attrs/name", None),
    ],
)
def test_an_unknown_query_parameter_is_invalid_request(api, method, path, body):
    separator = "&" if "?" in path else "?"
    response = api.send(method, f"{path}{separator}invalidParameter=dummy", body)
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == ERRORS + "InvalidRequest"
    assert "invalidParameter" in problem["detail"]


def test_the_tenant_is_named_in_every_answer_errors_too(api):
    headers = {"NGSILD-Tenant": "tp5510"}
    missing = api.get("/entities", type="Building", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["type"] == ERRORS + "NonexistentTenant"
    assert missing["NGSILD-Tenant"] == "tp5510"
    created = api.post("/entities", BUILDING, headers=headers)
    assert created.status_code == 201
    assert created["NGSILD-Tenant"] == "tp5510"
    found = api.get("/entities", type="Building", headers=headers)
    assert [item["id"] for item in found.json()] == [ENTITY_ID]
    assert found["NGSILD-Tenant"] == "tp5510"
    assert not api.get("/entities", type="Building").has_header("NGSILD-Tenant")


def test_geojson_carries_the_context_in_the_body_unless_prefer_body_json(building):
    geo = {"Accept": "application/geo+json"}
    collection = building.get("/entities", type="Building", headers=geo)
    assert collection["Content-Type"] == "application/geo+json"
    assert collection.json()["@context"] == ld.CORE_URL
    assert not collection.has_header("Link")
    feature = building.get(f"/entities/{ENTITY_ID}", headers=geo).json()
    assert (feature["type"], feature["@context"]) == ("Feature", ld.CORE_URL)

    plain = building.get("/entities", type="Building", headers={**geo, "Prefer": "body=json"})
    assert plain["Content-Type"] == "application/geo+json"
    assert "@context" not in plain.json()
    assert ld.CORE_URL in plain["Link"]


def test_geometry_property_chooses_the_geojson_geometry(api):
    body = {
        **BUILDING,
        "entrance": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1, 2]}},
    }
    api.post("/entities", body)
    feature = api.get(
        f"/entities/{ENTITY_ID}",
        headers={"Accept": "application/geo+json"},
        geometryProperty="entrance",
    ).json()
    assert feature["geometry"] == {"type": "Point", "coordinates": [1, 2]}


@pytest.mark.parametrize(
    ("served", "detail"),
    [({"note": "no context member here"}, "has no @context"), (ValueError("x"), "is not JSON")],
)
def test_a_remote_context_that_is_no_context_is_bad_request_data(api, monkeypatch, served, detail):
    url = "http://contexts.example.org/invalid.jsonld"

    def fetch(requested):
        assert requested == url
        if isinstance(served, Exception):
            raise served
        return served

    monkeypatch.setattr(ld, "remote_fetch", fetch)
    response = api.post(
        "/entities",
        {**BUILDING, "@context": url},
        content_type="application/ld+json",
    )
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert detail in response.json()["detail"]
    assert api.get(f"/entities/{ENTITY_ID}").status_code == 404
