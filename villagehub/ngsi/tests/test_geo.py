"""geoQ on every path the database offers: SQLite's R*Tree and, on PostgreSQL, PostGIS (where
installed) and the GiST index on the box. Each case runs on each path with the same answer.

The shapes lie in Denmark, away from the antimeridian and the poles. Distances are measured
from (12.5, 56.0), where half a degree north is exactly 55,660 m on the local projection."""

import importlib
import json
import os

import pytest
import shapely
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from villagehub.ngsi import spatial
from villagehub.ngsi.models import EntityLocation

pytestmark = pytest.mark.django_db

SQUARE = [[[12, 55], [13, 55], [13, 56], [12, 56], [12, 55]]]
ISLANDS = [
    [[[14, 55], [14.5, 55], [14.5, 55.5], [14, 55.5], [14, 55]]],
    [[[15, 55], [15.5, 55], [15.5, 55.5], [15, 55.5], [15, 55]]],
]
SHAPES = {
    "Spot:border": {"type": "Point", "coordinates": [12.0, 55.5]},
    "Spot:inside": {"type": "Point", "coordinates": [12.5, 55.5]},
    "Spot:north": {"type": "Point", "coordinates": [12.5, 56.5]},
    "Area:square": {"type": "Polygon", "coordinates": SQUARE},
    "Area:islands": {"type": "MultiPolygon", "coordinates": ISLANDS},
    "Road:line": {"type": "LineString", "coordinates": [[12.5, 54.5], [12.5, 55.5]]},
}
HALF_DEGREE = 55_660  # metres, 0.5 * 111,320


@pytest.fixture(params=["database", "box"])
def engine(request, monkeypatch):
    """The path the database would take, and on PostgreSQL also the GiST box with shapely."""
    if request.param == "box":
        if connection.vendor != "postgresql":
            pytest.skip("the box path without PostGIS is PostgreSQL's")
        monkeypatch.setattr(spatial, "postgis_in_use", lambda: False)
    return spatial.spatial_engine()


@pytest.fixture
def shapes(api, engine):
    for name, geometry in SHAPES.items():
        kind, number = name.split(":")
        body = {
            "id": f"urn:ngsi-ld:{kind}:{number}",
            "type": kind,
            "location": {"type": "GeoProperty", "value": geometry},
        }
        assert api.post("/entities", body).status_code == 201
    return api


def found(api, georel, geometry, coordinates):
    response = api.get(
        "/entities",
        georel=georel,
        geometry=geometry,
        coordinates=json.dumps(coordinates),
        limit=100,
    )
    assert response.status_code == 200, response.content
    return sorted(item["id"].split(":", 2)[2] for item in response.json())


@pytest.mark.parametrize(
    ("georel", "geometry", "coordinates", "expected"),
    [
        # A point on the square's border meets it, but is not within it; the square does not
        # contain that point, the point itself does.
        ("within", "Polygon", SQUARE, ["Area:square", "Spot:inside"]),
        (
            "intersects",
            "Polygon",
            SQUARE,
            ["Area:square", "Road:line", "Spot:border", "Spot:inside"],
        ),
        ("contains", "Point", [12.0, 55.5], ["Spot:border"]),
        (
            "disjoint",
            "Point",
            [12.0, 55.5],
            ["Area:islands", "Road:line", "Spot:inside", "Spot:north"],
        ),
        # maxDistance exactly at the distance counts; a centimetre less does not.
        (
            f"near;maxDistance=={HALF_DEGREE}",
            "Point",
            [12.5, 56.0],
            ["Area:square", "Road:line", "Spot:inside", "Spot:north"],
        ),
        (f"near;maxDistance=={HALF_DEGREE - 0.01}", "Point", [12.5, 56.0], ["Area:square"]),
        # minDistance exactly at the distance counts too.
        (
            f"near;minDistance=={HALF_DEGREE}",
            "Point",
            [12.5, 56.0],
            ["Area:islands", "Road:line", "Spot:border", "Spot:inside", "Spot:north"],
        ),
        (
            f"near;minDistance==1;maxDistance=={HALF_DEGREE}",
            "Point",
            [12.5, 56.0],
            ["Road:line", "Spot:inside", "Spot:north"],
        ),
        # The multi-polygon: one of its parts is enough to meet, all of them to be within.
        ("intersects", "Point", [15.25, 55.25], ["Area:islands"]),
        ("near;maxDistance==1000", "Point", [14.75, 55.25], []),
        ("near;maxDistance==16000", "Point", [14.75, 55.25], ["Area:islands"]),
        (
            "within",
            "Polygon",
            [[[13.9, 54.9], [15.6, 54.9], [15.6, 55.6], [13.9, 55.6], [13.9, 54.9]]],
            ["Area:islands"],
        ),
        (
            "within",
            "Polygon",
            [[[13.9, 54.9], [15.2, 54.9], [15.2, 55.6], [13.9, 55.6], [13.9, 54.9]]],
            [],
        ),
        # Equal as shapes: the same square from another corner, its ring left open.
        (
            "equals",
            "Polygon",
            [[[13, 56], [12, 56], [12, 55], [13, 55]]],
            ["Area:square"],
        ),
        (
            "overlaps",
            "Polygon",
            [[[12.5, 55.5], [13.5, 55.5], [13.5, 56.5], [12.5, 56.5], [12.5, 55.5]]],
            ["Area:square"],
        ),
        (
            "overlaps",
            "MultiPolygon",
            [[[[13.9, 54.9], [14.2, 54.9], [14.2, 55.2], [13.9, 55.2], [13.9, 54.9]]]],
            ["Area:islands"],
        ),
    ],
)
def test_geo_queries_on_every_path(shapes, georel, geometry, coordinates, expected):
    assert found(shapes, georel, geometry, coordinates) == expected


def test_geo_query_with_type_and_count(shapes):
    response = shapes.get(
        "/entities",
        type="Spot",
        georel=f"near;maxDistance=={HALF_DEGREE}",
        geometry="Point",
        coordinates="[12.5, 56.0]",
        count="true",
        limit=1,
    )
    assert response["NGSILD-Results-Count"] == "2"
    assert [item["id"] for item in response.json()] == ["urn:ngsi-ld:Spot:inside"]


def test_a_changed_location_is_found_where_it_now_is(shapes, engine):
    point = {"type": "Point", "coordinates": [15.25, 55.25]}
    moved = {"location": {"type": "GeoProperty", "value": point}}
    assert shapes.patch("/entities/urn:ngsi-ld:Spot:north/attrs", moved).status_code == 204
    assert found(shapes, "intersects", "Polygon", ISLANDS[1]) == ["Area:islands", "Spot:north"]
    assert found(shapes, "near;maxDistance==1", "Point", [12.5, 56.5]) == []


def test_postgis_decides_in_sql_where_it_is_installed(shapes, engine):
    if engine != "postgis":
        pytest.skip("PostGIS is not in use on this path")
    with CaptureQueriesContext(connection) as queries:
        assert found(shapes, "within", "Polygon", SQUARE) == ["Area:square", "Spot:inside"]
    assert any("ST_Within(shape" in query["sql"] for query in queries.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ngsi_entitylocation WHERE shape IS NOT NULL")
        assert cursor.fetchone()[0] == EntityLocation.objects.count() == len(SHAPES)


def test_postgis_required_is_postgis_used():
    if os.environ.get("VILLAGEHUB_REQUIRE_POSTGIS") != "1":
        pytest.skip("VILLAGEHUB_REQUIRE_POSTGIS is not set")
    assert connection.vendor == "postgresql", "VILLAGEHUB_REQUIRE_POSTGIS=1 on another database"
    assert spatial.spatial_engine() == "postgis", (
        "VILLAGEHUB_REQUIRE_POSTGIS=1 but the database has no PostGIS location column: "
        "is postgresql-15-postgis-3 installed, and may the role create the extension?"
    )


def test_migration_fills_the_geometry_of_rows_written_before_it(shapes):
    migration = importlib.import_module("villagehub.ngsi.migrations.0005_location_geometry_postgis")
    written = dict(EntityLocation.objects.values_list("entity__entity_id", "wkb"))
    EntityLocation.objects.update(wkb=None)
    migration.geometries_fill(apps, None)
    filled = dict(EntityLocation.objects.values_list("entity__entity_id", "wkb"))
    assert {key: shapely.from_wkb(bytes(value)) for key, value in filled.items()} == {
        key: shapely.from_wkb(bytes(value)) for key, value in written.items()
    }
    assert found(shapes, "within", "Polygon", SQUARE) == ["Area:square", "Spot:inside"]
