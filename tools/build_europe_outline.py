"""Build the Europe outline the communities map draws (run by hand; the output is committed).

Source: Natural Earth 1:50m admin-0 countries (public domain) as packaged in the npm package
`world-atlas` 2.0.2 (`npm pack world-atlas@2.0.2`, then pass `package/countries-50m.json`).
Needs shapely for clipping and simplifying (pip install shapely; the hub itself reads only
the output).

    .venv/bin/python tools/build_europe_outline.py /path/to/countries-50m.json

Writes villagehub/static/img/europe.svg (the outline in the map's own projection, see
communities.selectors.MAP_BOUNDS) and villagehub/static/geo/europe-outline.geojson (the same
outline in WGS 84, for the interactive map when no tile server is reachable).
"""

import json
import sys
from pathlib import Path

from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parent.parent
WEST, EAST, SOUTH, NORTH = -25.0, 45.0, 34.0, 72.0
WIDTH, HEIGHT = 700, 380
TOLERANCE = 0.06  # degrees; a pixel of the SVG map is 0.1 degree


def topology_features(topology: dict, name: str) -> list[dict]:
    """Decode a TopoJSON object (quantized, delta-encoded arcs) into GeoJSON geometries."""
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc[1:] if points else arc)
        return points

    features = []
    for geometry in topology["objects"][name]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        coordinates = [[ring(r) for r in polygon] for polygon in polygons]
        features.append(
            {
                "name": geometry.get("properties", {}).get("name", ""),
                "geometry": {"type": "MultiPolygon", "coordinates": coordinates},
            }
        )
    return features


def projected(x: float, y: float) -> tuple[float, float]:
    return (
        round((x - WEST) / (EAST - WEST) * WIDTH, 1),
        round((NORTH - y) / (NORTH - SOUTH) * HEIGHT, 1),
    )


def svg_path(geometry) -> str:
    polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    parts = []
    for polygon in polygons:
        if not isinstance(polygon, Polygon):
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            points = [projected(x, y) for x, y in ring.coords]
            deduplicated = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
            if len(deduplicated) < 4:
                continue
            parts.append("M" + "L".join(f"{x:g} {y:g}" for x, y in deduplicated[:-1]) + "Z")
    return "".join(parts)


def _edge_sliver(polygon: Polygon) -> bool:
    west, south, east, north = polygon.bounds
    return north - south < 2.0 and east - west > 40


def main(source: str) -> None:
    topology = json.loads(Path(source).read_text())
    frame = box(WEST, SOUTH, EAST, NORTH)
    countries = []
    for feature in topology_features(topology, "countries"):
        geometry = shape(feature["geometry"]).buffer(0).intersection(frame)
        geometry = geometry.simplify(TOLERANCE, preserve_topology=True)
        # Russia's polygons that cross the antimeridian wrap round the world and leave a
        # sliver across the whole frame: keep only real land there.
        parts = getattr(geometry, "geoms", [geometry])
        kept = [p for p in parts if isinstance(p, Polygon) and not _edge_sliver(p)]
        geometry = MultiPolygon(kept) if kept else Polygon()
        if geometry.is_empty or geometry.area < 0.02:
            continue
        countries.append((feature["name"], geometry))
    paths = "".join(
        f'<path d="{svg_path(g)}"><title>{name}</title></path>' for name, g in countries
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#dbe9f4"/>'
        f'<g fill="#f4f1e8" stroke="#8a949c" stroke-width=".6" stroke-linejoin="round">{paths}</g>'
        "</svg>\n"
    )
    (ROOT / "villagehub/static/img/europe.svg").write_text(svg)
    land = unary_union([g for _name, g in countries])
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": json.loads(json.dumps(mapping(g.simplify(TOLERANCE)))),
            }
            for name, g in countries
        ],
    }

    def rounded(value):
        if isinstance(value, float):
            return round(value, 2)
        if isinstance(value, list | tuple):
            return [rounded(v) for v in value]
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        return value

    geo_dir = ROOT / "villagehub/static/geo"
    geo_dir.mkdir(exist_ok=True)
    (geo_dir / "europe-outline.geojson").write_text(
        json.dumps(rounded(geojson), separators=(",", ":")) + "\n"
    )
    print(f"{len(countries)} countries, land area {land.area:.0f} square degrees")


if __name__ == "__main__":
    main(sys.argv[1])
