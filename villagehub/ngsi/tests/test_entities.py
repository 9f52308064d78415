import pytest

from villagehub.ngsi.models import Entity

from .conftest import CORE_LINK

pytestmark = pytest.mark.django_db

ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"

BUILDING = {
    "id": "urn:ngsi-ld:Building:store001",
    "type": "Building",
    "name": {"type": "Property", "value": "Bösebrücke Einkauf"},
    "category": {"type": "VocabProperty", "vocab": "commercial"},
    "temperature": {
        "type": "Property",
        "value": 21.5,
        "unitCode": "CEL",
        "observedAt": "2026-05-01T10:00:00.000Z",
        "accuracy": {"type": "Property", "value": 0.5},
    },
    "address": {
        "type": "Property",
        "value": {"streetAddress": "Bornholmer Straße 65", "addressLocality": "Berlin"},
    },
    "location": {
        "type": "GeoProperty",
        "value": {"type": "Point", "coordinates": [13.3986, 52.5547]},
    },
    "owner": {"type": "Relationship", "object": "urn:ngsi-ld:Person:alice"},
    "label": {"type": "LanguageProperty", "languageMap": {"en": "Shop", "sv": "Butik"}},
    "floors": {"type": "ListProperty", "valueList": [0, 1, 2]},
    "config": {"type": "JsonProperty", "json": {"any": {"shape": [1, 2]}}},
}


def create(api, entity=BUILDING):
    response = api.post("/entities", entity)
    assert response.status_code == 201, response.content
    return response


def test_create_answers_201_with_location_and_retrieve_gives_the_entity_back(api):
    response = create(api)
    assert response["Location"] == "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:store001"
    got = api.get("/entities/urn:ngsi-ld:Building:store001")
    assert got.status_code == 200
    assert got["Content-Type"] == "application/json"
    assert got["Link"] == CORE_LINK
    assert got.json() == {**BUILDING, "owner": BUILDING["owner"]}
    row = Entity.objects.get()
    assert row.community.slug == "torup"
    assert row.types == ["Building"]


def test_create_twice_is_already_exists(api):
    create(api)
    response = api.post("/entities", BUILDING)
    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert response.json()["type"] == ERRORS + "AlreadyExists"
    assert "urn:ngsi-ld:Building:store001" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"type": "Building"}, "id:"),
        ({"id": "not a uri", "type": "Building"}, "id:"),
        ({"id": "urn:a:1"}, "type:"),
        ({"id": "urn:a:1", "type": "T", "p": {"type": "Property"}}, "p: a Property needs 'value'"),
        ({"id": "urn:a:1", "type": "T", "r": {"type": "Relationship", "object": "x y"}}, "r:"),
        (
            {
                "id": "urn:a:1",
                "type": "T",
                "g": {"type": "GeoProperty", "value": {"type": "Point"}},
            },
            "g:",
        ),
        ({"id": "urn:a:1", "type": "T", "p": {"type": "Wrong", "value": 1}}, "p: type 'Wrong'"),
        (
            {"id": "urn:a:1", "type": "T", "p": {"value": 1, "observedAt": "yesterday"}},
            "observedAt",
        ),
        ({"id": "urn:a:1", "type": "T", "p": None}, "p: an attribute cannot be null"),
        ([1, 2], "JSON object"),
    ],
)
def test_bad_entities_are_bad_request_data_naming_the_member(api, body, detail):
    response = api.post("/entities", body)
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert detail in response.json()["detail"]
    assert Entity.objects.count() == 0


def test_invalid_json_is_invalid_request(api):
    response = api.client.post(
        "/ngsi-ld/v1/entities",
        "{nope",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.key}",
    )
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "InvalidRequest"


def test_unknown_entity_is_resource_not_found(anonymous):
    response = anonymous.get("/entities/urn:ngsi-ld:Building:none")
    assert response.status_code == 404
    assert response.json()["type"] == ERRORS + "ResourceNotFound"


def test_concise_input_is_stored_normalized(api):
    create(
        api,
        {
            "id": "urn:ngsi-ld:Sensor:1",
            "type": "Sensor",
            "temperature": 20,
            "humidity": {"value": 40, "unitCode": "P1"},
            "near": {"object": "urn:ngsi-ld:Building:store001"},
            "location": {"type": "Point", "coordinates": [1, 2]},
        },
    )
    got = api.get("/entities/urn:ngsi-ld:Sensor:1").json()
    assert got == {
        "id": "urn:ngsi-ld:Sensor:1",
        "type": "Sensor",
        "temperature": {"type": "Property", "value": 20},
        "humidity": {"type": "Property", "value": 40, "unitCode": "P1"},
        "near": {"type": "Relationship", "object": "urn:ngsi-ld:Building:store001"},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1, 2]}},
    }


def test_key_values_concise_and_sys_attrs(api):
    create(api)
    path = "/entities/urn:ngsi-ld:Building:store001"
    kv = api.get(path, options="keyValues").json()
    assert kv["temperature"] == 21.5
    assert kv["owner"] == "urn:ngsi-ld:Person:alice"
    assert kv["label"] == {"languageMap": {"en": "Shop", "sv": "Butik"}}
    assert kv["floors"] == {"valueList": [0, 1, 2]}
    assert kv["location"] == {"type": "Point", "coordinates": [13.3986, 52.5547]}
    concise = api.get(path, format="concise").json()
    assert concise["name"] == "Bösebrücke Einkauf"
    assert concise["temperature"] == {
        "value": 21.5,
        "unitCode": "CEL",
        "observedAt": "2026-05-01T10:00:00.000Z",
        "accuracy": 0.5,
    }
    assert concise["owner"] == {"object": "urn:ngsi-ld:Person:alice"}
    with_sys = api.get(path, options="sysAttrs").json()
    assert with_sys["createdAt"].endswith("Z")
    assert with_sys["temperature"]["createdAt"] == with_sys["temperature"]["modifiedAt"]


def test_lang_picks_one_language(api):
    create(api)
    path = "/entities/urn:ngsi-ld:Building:store001"
    assert api.get(path, lang="sv").json()["label"] == {
        "type": "Property",
        "value": "Butik",
        "lang": "sv",
    }
    assert api.get(path, lang="fr,en;q=0.5", options="keyValues").json()["label"] == "Shop"


def test_pick_and_omit(api):
    create(api)
    path = "/entities/urn:ngsi-ld:Building:store001"
    assert set(api.get(path, pick="id,name").json()) == {"id", "name"}
    assert "name" not in api.get(path, omit="name").json()
    assert set(api.get(path, attrs="name,owner").json()) == {"id", "type", "name", "owner"}


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"pick": "name", "omit": "owner"}, "pick and omit"),
        ({"attrs": "name", "pick": "name"}, "attrs and pick"),
        ({"attrs": "name", "omit": "owner"}, "attrs and omit"),
    ],
)
def test_projections_that_contradict_are_bad_request_data(api, params, detail):
    create(api)
    for path in ("/entities/urn:ngsi-ld:Building:store001", "/entities?type=Building"):
        path, _, query = path.partition("?")
        extra = dict([query.split("=")]) if query else {}
        response = api.get(path, **extra, **params)
        assert response.status_code == 400
        assert response.json()["type"] == ERRORS + "BadRequestData"
        assert response.json()["detail"].startswith(detail)


def test_an_attributes_expiry_is_shown_only_with_sys_attrs(api):
    body = {
        "id": "urn:ngsi-ld:Vehicle:1",
        "type": "Vehicle",
        "speed": {"type": "Property", "value": 7, "expiresAt": "2100-01-01T00:00:00Z"},
    }
    assert api.post("/entities", body).status_code == 201
    plain = api.get("/entities/urn:ngsi-ld:Vehicle:1").json()
    assert plain["speed"] == {"type": "Property", "value": 7}
    shown = api.get("/entities/urn:ngsi-ld:Vehicle:1", options="sysAttrs").json()
    assert shown["speed"]["expiresAt"] == "2100-01-01T00:00:00Z"
    history = api.get("/temporal/entities/urn:ngsi-ld:Vehicle:1").json()
    assert "expiresAt" not in history["speed"][0]
    bad = {**body, "id": "urn:ngsi-ld:Vehicle:2", "speed": {"value": 1, "expiresAt": "soon"}}
    response = api.post("/entities", bad)
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "speed: expiresAt must be a date and time (ISO 8601, with Z)."
    )


def test_geojson_accept_answers_a_feature(api):
    create(api)
    got = api.get(
        "/entities/urn:ngsi-ld:Building:store001", headers={"Accept": "application/geo+json"}
    )
    assert got["Content-Type"] == "application/geo+json"
    assert got.json()["type"] == "Feature"
    assert got.json()["geometry"] == {"type": "Point", "coordinates": [13.3986, 52.5547]}


def test_delete_entity(api):
    create(api)
    assert api.delete("/entities/urn:ngsi-ld:Building:store001").status_code == 204
    assert api.get("/entities/urn:ngsi-ld:Building:store001").status_code == 404
    assert api.delete("/entities/urn:ngsi-ld:Building:store001").status_code == 404
