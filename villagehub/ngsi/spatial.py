"""The location rows a geo-query reads, through the spatial index of the database: with
PostGIS (migration 0005, `postgis.py`) the rows that match, the relation decided in SQL;
otherwise the rows whose box meets the query's box (migration 0003: SQLite's R*Tree, or
PostgreSQL's GiST index on the box), whose geometry shapely then tests."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from .geo import GeoQuery
from .postgis import postgis_in_use, postgis_located


def spatial_engine() -> str:
    """Which path answers geo-queries here: "postgis", "gist-box" or "rtree"."""
    if connection.vendor == "postgresql":
        return "postgis" if postgis_in_use() else "gist-box"
    return "rtree"


def located_filter(located: QuerySet, geo: GeoQuery) -> QuerySet:
    """The location rows of a geo-query: with PostGIS exactly the matches, otherwise the
    candidates for shapely's test."""
    engine = spatial_engine()
    if engine == "postgis":
        return postgis_located(located, geo)
    box = geo.bbox()
    if box is None:
        return located
    min_x, min_y, max_x, max_y = box
    if engine == "gist-box":
        return located.extra(
            where=[
                "box(point(min_x, min_y), point(max_x, max_y)) && box(point(%s, %s), point(%s, %s))"
            ],
            params=[min_x, min_y, max_x, max_y],
        )
    return located.extra(
        where=[
            "id IN (SELECT id FROM ngsi_location_rtree"
            " WHERE min_x <= %s AND max_x >= %s AND min_y <= %s AND max_y >= %s)"
        ],
        params=[max_x, min_x, max_y, min_y],
    )
