"""Geo-queries (ETSI GS CIM 009, 4.10): the query read and checked, and the exact relation in
shapely. Distances are in metres, on a local equirectangular projection around the reference
geometry (good to well under 1 % within a few hundred km); PostGIS (`postgis.py`) measures
on the same projection, so that both give the same answers. Which rows SQL reads first is
`spatial.py`'s."""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from .errors import BadRequestData
from .representation import GEOMETRY_TYPES, is_point

GEORELS = ("near", "within", "contains", "intersects", "disjoint", "equals", "overlaps")
METRES_PER_DEGREE = 111_320.0


@dataclass
class GeoQuery:
    georel: str
    geometry: BaseGeometry
    geoproperty: str
    max_distance: float | None = None
    min_distance: float | None = None

    def bbox(self) -> tuple[float, float, float, float] | None:
        """The box any match lies in (None: no prefilter, as for disjoint and minDistance)."""
        if self.georel == "disjoint" or (self.georel == "near" and self.max_distance is None):
            return None
        min_x, min_y, max_x, max_y = self.geometry.bounds
        if self.georel == "near":
            lat = max(abs(min_y), abs(max_y))
            dy = self.max_distance / METRES_PER_DEGREE
            dx = dy / max(math.cos(math.radians(min(lat + dy, 89.9))), 1e-6)
            return (min_x - dx, min_y - dy, max_x + dx, max_y + dy)
        return (min_x, min_y, max_x, max_y)

    def matches(self, geometry: BaseGeometry) -> bool:
        reference = self.geometry
        if self.georel == "near":
            distance = self.projected(reference).distance(self.projected(geometry))
            if self.max_distance is not None and distance > self.max_distance:
                return False
            return not (self.min_distance is not None and distance < self.min_distance)
        return {
            "within": lambda: geometry.within(reference),
            "contains": lambda: geometry.contains(reference),
            "intersects": lambda: geometry.intersects(reference),
            "disjoint": lambda: geometry.disjoint(reference),
            "equals": lambda: geometry.equals(reference),
            "overlaps": lambda: geometry.overlaps(reference),
        }[self.georel]()

    def projection(self) -> tuple[float, float, float, float]:
        """The local projection of `near`: degrees to metres around the reference's centroid,
        as (x, y) of the centre and the metres per degree along x and y."""
        centre = self.geometry.centroid
        return (
            centre.x,
            centre.y,
            METRES_PER_DEGREE * math.cos(math.radians(centre.y)),
            METRES_PER_DEGREE,
        )

    def projected(self, geometry: BaseGeometry) -> BaseGeometry:
        """A geometry in the local projection: first moved by the centre, then scaled (the
        same two steps, in the same order, as PostGIS's ST_Translate and ST_Scale)."""
        centre_x, centre_y, scale_x, scale_y = self.projection()
        return shapely.transform(
            geometry, lambda coordinates: (coordinates - (centre_x, centre_y)) * (scale_x, scale_y)
        )


def geometry_of(value: Any) -> BaseGeometry | None:
    try:
        return shape(value)
    except (GEOSException, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def geometry_located(value: Any) -> tuple[float, float, float, float, bytes] | None:
    """The bounding box of a GeoJSON geometry and its WKB as shapely reads it (rings closed),
    which PostGIS indexes; None if it has none. A point's without shapely (most GeoProperties
    are points, and a batch asks for thousands)."""
    if is_point(value):
        x, y = float(value["coordinates"][0]), float(value["coordinates"][1])
        return x, y, x, y, struct.pack("<BIdd", 1, 1, x, y)
    geometry = geometry_of(value)
    if geometry is None or geometry.is_empty:
        return None
    return (*geometry.bounds, shapely.to_wkb(geometry))


def geoquery_parse(
    *,
    georel: str | None,
    geometry: str | None,
    coordinates: Any,
    geoproperty: str,
) -> GeoQuery | None:
    """Read the geo-query parameters; None when there is none, each mistake a 400 naming it."""
    if georel is None and geometry is None and coordinates is None:
        return None
    if not georel or not geometry or coordinates in (None, ""):
        raise BadRequestData("geoQ: georel, geometry and coordinates go together.")
    parts = georel.split(";")
    relation = parts[0]
    if relation not in GEORELS:
        raise BadRequestData(f"georel: {relation!r} is not one of {', '.join(GEORELS)}.")
    if geometry not in GEOMETRY_TYPES:
        raise BadRequestData(f"geometry: {geometry!r} is not a GeoJSON geometry type.")
    if isinstance(coordinates, str):
        try:
            coordinates = json.loads(coordinates)
        except ValueError as exc:
            raise BadRequestData("coordinates: not a JSON array of coordinates.") from exc
    if not isinstance(coordinates, list):
        raise BadRequestData("coordinates: not a JSON array of coordinates.")
    reference = geometry_of({"type": geometry, "coordinates": coordinates})
    if reference is None or reference.is_empty:
        raise BadRequestData(f"coordinates: not the coordinates of a {geometry}.")
    query = GeoQuery(georel=relation, geometry=reference, geoproperty=geoproperty)
    if relation == "near":
        for modifier in parts[1:]:
            key, _, number = modifier.partition("==")
            try:
                distance = float(number)
            except ValueError as exc:
                raise BadRequestData(
                    f"georel: {modifier!r} is not maxDistance==<metres> or minDistance==<metres>."
                ) from exc
            if key == "maxDistance":
                query.max_distance = distance
            elif key == "minDistance":
                query.min_distance = distance
            else:
                raise BadRequestData(f"georel: {key!r} is not maxDistance or minDistance.")
        if query.max_distance is None and query.min_distance is None:
            raise BadRequestData("georel: near needs maxDistance or minDistance.")
    elif len(parts) > 1:
        raise BadRequestData(f"georel: {relation} takes no modifier.")
    return query
