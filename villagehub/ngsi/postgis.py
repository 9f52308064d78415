"""Geo-queries answered by PostGIS, where migration 0005 found it: each location row's
geometry is a PostGIS column (`shape`, from the WKB shapely read) with a GiST index, and the
relation is decided in SQL with the same geometry library (GEOS) and, for `near`, the same
local projection as `geo.GeoQuery.matches`, so that both give the same answers."""

from __future__ import annotations

import shapely
from django.db import connection
from django.db.models import QuerySet

from .geo import GeoQuery

# The relations GEOS decides, as `geo.GeoQuery.matches` asks them (the stored geometry first).
RELATIONS = {
    "within": "ST_Within",
    "contains": "ST_Contains",
    "intersects": "ST_Intersects",
    "disjoint": "ST_Disjoint",
    "equals": "ST_Equals",
    "overlaps": "ST_Overlaps",
}
SRID = 4326

_in_use: dict[tuple[str, str], bool] = {}


def postgis_in_use() -> bool:
    """Whether this database has the PostGIS column of the location rows (asked once per
    database and process: the column comes and goes only with a migration)."""
    if connection.vendor != "postgresql":
        return False
    key = (connection.alias, str(connection.settings_dict["NAME"]))
    if key not in _in_use:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('ngsi_entitylocation')"
                " AND attname = 'shape' AND NOT attisdropped"
            )
            _in_use[key] = cursor.fetchone() is not None
    return _in_use[key]


def postgis_located(located: QuerySet, geo: GeoQuery) -> QuerySet:
    """The location rows whose geometry meets the geo-query, decided in SQL."""
    conditions: list[str] = []
    params: list = []
    box = geo.bbox()
    if box is not None:
        conditions.append(f"shape && ST_MakeEnvelope(%s, %s, %s, %s, {SRID})")
        params.extend(box)
    if geo.georel == "near":
        centre_x, centre_y, scale_x, scale_y = geo.projection()
        # Moved, then scaled, as `geo.GeoQuery.projected` does: the same floating-point steps.
        projected = "ST_Scale(ST_Translate(shape, %s, %s), %s, %s)"
        projection = [-centre_x, -centre_y, scale_x, scale_y]
        reference = shapely.to_wkb(geo.projected(geo.geometry))
        if geo.max_distance is not None:
            conditions.append(f"ST_DWithin({projected}, ST_GeomFromWKB(%s, {SRID}), %s)")
            params.extend([*projection, reference, geo.max_distance])
        if geo.min_distance is not None:
            conditions.append(f"ST_Distance({projected}, ST_GeomFromWKB(%s, {SRID})) >= %s")
            params.extend([*projection, reference, geo.min_distance])
    else:
        conditions.append(f"{RELATIONS[geo.georel]}(shape, ST_GeomFromWKB(%s, {SRID}))")
        params.append(shapely.to_wkb(geo.geometry))
    # Only this module's SQL goes into the text; every value is a parameter.
    return located.extra(where=[" AND ".join(conditions)], params=params)  # noqa: S610
