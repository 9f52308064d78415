import pytest

from .test_entities import ERRORS

pytestmark = pytest.mark.django_db


def entity(number, kind, **attrs):
    return {"id": f"urn:ngsi-ld:{kind}:{number}", "type": kind, **attrs}


@pytest.fixture
def stock(api):
    bodies = [
        entity(
            1,
            "Sensor",
            temperature={
                "type": "Property",
                "value": 12,
                "observedAt": "2026-01-01T10:00:00Z",
                "unitCode": "CEL",
            },
            status={"type": "Property", "value": "ok"},
            address={"type": "Property", "value": {"city": "Torup", "zip": "3390"}},
            controlledBy={"type": "Relationship", "object": "urn:ngsi-ld:Building:a"},
            location={
                "type": "GeoProperty",
                "value": {"type": "Point", "coordinates": [12.0, 56.0]},
            },
        ),
        entity(
            2,
            "Sensor",
            temperature={"type": "Property", "value": 25.5, "observedAt": "2026-03-01T10:00:00Z"},
            status={"type": "Property", "value": "broken"},
            address={"type": "Property", "value": {"city": "Hundested"}},
            controlledBy={"type": "Relationship", "object": "urn:ngsi-ld:Building:b"},
            location={
                "type": "GeoProperty",
                "value": {"type": "Point", "coordinates": [12.05, 56.0]},
            },
        ),
        entity(
            3,
            "Building",
            name={"type": "Property", "value": "Hall"},
            location={
                "type": "GeoProperty",
                "value": {
                    "type": "Polygon",
                    "coordinates": [[[11, 55], [13, 55], [13, 57], [11, 57], [11, 55]]],
                },
            },
        ),
        {"id": "urn:ngsi-ld:Both:4", "type": ["Sensor", "Building"], "temperature": 30},
    ]
    for body in bodies:
        assert api.post("/entities", body).status_code == 201
    return api


def ids(response):
    assert response.status_code == 200, response.content
    return [
        item["id"].rsplit(":", 2)[-2] + ":" + item["id"].rsplit(":", 1)[-1]
        for item in response.json()
    ]


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        ("Sensor", ["Sensor:1", "Sensor:2", "Both:4"]),
        ("Building", ["Building:3", "Both:4"]),
        ("Sensor,Building", ["Sensor:1", "Sensor:2", "Building:3", "Both:4"]),
        ("Sensor|Building", ["Sensor:1", "Sensor:2", "Building:3", "Both:4"]),
        ("Sensor;Building", ["Both:4"]),
        ("(Sensor;Building)|Nothing", ["Both:4"]),
        ("Nothing", []),
    ],
)
def test_type_selection_language(stock, type_, expected):
    assert ids(stock.get("/entities", type=type_)) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("temperature>20", ["Sensor:2", "Both:4"]),
        ("temperature>=12;temperature<26", ["Sensor:1", "Sensor:2"]),
        ("temperature==12", ["Sensor:1"]),
        ("temperature!=12", ["Sensor:2", "Both:4"]),
        ("temperature==10..26", ["Sensor:1", "Sensor:2"]),
        ("temperature==12,30", ["Sensor:1", "Both:4"]),
        ('status=="ok"', ["Sensor:1"]),
        ("status==ok", ["Sensor:1"]),
        ('status~="^bro"', ["Sensor:2"]),
        ('status!~="^bro"', ["Sensor:1"]),
        ('status=="ok"|temperature>26', ["Sensor:1", "Both:4"]),
        ("(status==ok|status==broken);temperature<20", ["Sensor:1"]),
        ("address[city]==Torup", ["Sensor:1"]),
        ("address.city==Hundested", ["Sensor:2"]),
        ("address[zip]", ["Sensor:1"]),
        ("controlledBy==urn:ngsi-ld:Building:b", ["Sensor:2"]),
        ("temperature.observedAt>=2026-02-01T00:00:00Z", ["Sensor:2"]),
        ('temperature.unitCode=="CEL"', ["Sensor:1"]),
        ("status", ["Sensor:1", "Sensor:2"]),
    ],
)
def test_q_language(stock, q, expected):
    assert ids(stock.get("/entities", type="Sensor", q=q)) == expected


@pytest.mark.parametrize(
    "q",
    [
        "temperature>",
        "temperature>>1",
        "(status==ok",
        'status=="ok',
        "temperature>1..2",
        "a~=(",
        ";",
        "temp erature==1",
    ],
)
def test_bad_q_is_400_naming_q(stock, q):
    response = stock.get("/entities", type="Sensor", q=q)
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert response.json()["detail"].startswith("q:")


def test_id_id_pattern_and_attrs(stock):
    assert ids(stock.get("/entities", id="urn:ngsi-ld:Sensor:2,urn:ngsi-ld:Building:3")) == [
        "Sensor:2",
        "Building:3",
    ]
    assert ids(stock.get("/entities", idPattern="urn:ngsi-ld:Sensor:.*")) == [
        "Sensor:1",
        "Sensor:2",
    ]
    shown = stock.get("/entities", type="Sensor", attrs="status")
    assert ids(shown) == ["Sensor:1", "Sensor:2"]
    assert set(shown.json()[0]) == {"id", "type", "status"}


def test_a_query_needs_a_condition(stock):
    response = stock.get("/entities")
    assert response.status_code == 400
    assert ids(stock.get("/entities", local="true")) == [
        "Sensor:1",
        "Sensor:2",
        "Building:3",
        "Both:4",
    ]


def test_limit_offset_and_count(stock):
    response = stock.get("/entities", type="Sensor", limit=1, offset=1, count="true")
    assert ids(response) == ["Sensor:2"]
    assert response["NGSILD-Results-Count"] == "3"
    only_count = stock.get("/entities", type="Sensor", limit=0, count="true")
    assert only_count.json() == []
    assert only_count["NGSILD-Results-Count"] == "3"
    assert stock.get("/entities", type="Sensor", limit=5000).status_code == 400
    assert stock.get("/entities", type="Sensor", limit="x").status_code == 400
    assert stock.get("/entities", type="Sensor", offset=-1).status_code == 400


def test_key_values_in_queries(stock):
    response = stock.get("/entities", id="urn:ngsi-ld:Sensor:1", options="keyValues")
    assert response.json()[0]["temperature"] == 12
    assert response.json()[0]["address"] == {"city": "Torup", "zip": "3390"}


@pytest.mark.parametrize(
    ("georel", "geometry", "coordinates", "expected"),
    [
        ("near;maxDistance==2000", "Point", "[12.0, 56.0]", ["Sensor:1", "Building:3"]),
        ("near;maxDistance==5000", "Point", "[12.0, 56.0]", ["Sensor:1", "Sensor:2", "Building:3"]),
        ("near;minDistance==2000", "Point", "[12.0, 56.0]", ["Sensor:2"]),
        (
            "within",
            "Polygon",
            "[[[11.9,55.9],[12.02,55.9],[12.02,56.1],[11.9,56.1],[11.9,55.9]]]",
            ["Sensor:1"],
        ),
        ("intersects", "Point", "[12.5, 56.5]", ["Building:3"]),
        ("contains", "Point", "[12.5, 56.5]", ["Building:3"]),
        ("disjoint", "Point", "[12.5, 56.5]", ["Sensor:1", "Sensor:2"]),
        ("equals", "Point", "[12.05, 56.0]", ["Sensor:2"]),
        (
            "overlaps",
            "Polygon",
            "[[[12.5,56.5],[14,56.5],[14,58],[12.5,58],[12.5,56.5]]]",
            ["Building:3"],
        ),
    ],
)
def test_geo_queries(stock, georel, geometry, coordinates, expected):
    response = stock.get("/entities", georel=georel, geometry=geometry, coordinates=coordinates)
    assert ids(response) == expected


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"georel": "near", "geometry": "Point", "coordinates": "[1,2]"}, "georel"),
        ({"georel": "close", "geometry": "Point", "coordinates": "[1,2]"}, "georel"),
        ({"georel": "within", "geometry": "Circle", "coordinates": "[1,2]"}, "geometry"),
        ({"georel": "within", "geometry": "Polygon", "coordinates": "[1,2]"}, "coordinates"),
        ({"georel": "within", "geometry": "Point"}, "geoQ"),
    ],
)
def test_bad_geo_queries_are_400_naming_the_parameter(stock, params, named):
    response = stock.get("/entities", **params)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(named)


def test_geojson_answers_a_feature_collection(stock):
    response = stock.get("/entities", type="Sensor", headers={"Accept": "application/geo+json"})
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [feature["geometry"] for feature in body["features"][:2]] == [
        {"type": "Point", "coordinates": [12.0, 56.0]},
        {"type": "Point", "coordinates": [12.05, 56.0]},
    ]


def test_post_query(stock):
    body = {
        "type": "Query",
        "entities": [{"type": "Sensor"}],
        "q": "temperature<20",
        "geoQ": {
            "georel": "near;maxDistance==5000",
            "geometry": "Point",
            "coordinates": [12.0, 56.0],
        },
    }
    assert ids(stock.post("/entityOperations/query", body)) == ["Sensor:1"]
    assert stock.post("/entityOperations/query", {"type": "Nope"}).status_code == 400


def test_scope_query(api):
    api.post("/entities", {"id": "urn:ngsi-ld:S:1", "type": "S", "scope": ["/Denmark/Torup"]})
    api.post("/entities", {"id": "urn:ngsi-ld:S:2", "type": "S", "scope": "/Sweden"})
    assert ids(api.get("/entities", scopeQ="/Denmark/#")) == ["S:1"]
    assert ids(api.get("/entities", scopeQ="/Sweden|/Denmark/Torup")) == ["S:1", "S:2"]


def test_long_patterns_are_refused(stock):
    assert stock.get("/entities", idPattern="a" * 257).status_code == 400
    response = stock.get("/entities", type="Sensor", q='status~="' + "a" * 257 + '"')
    assert response.status_code == 400
    assert "longer than 256" in response.json()["detail"]
