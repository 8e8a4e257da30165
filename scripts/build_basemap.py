"""Build the offline map background ``data/reference/basemap_*.geojson`` (run once, by hand).

Source: IGN Admin Express COG 2018 (Licence Ouverte / Open Licence 2.0 of Etalab), as published
in GeoJSON by the public repository ``gregoiredavid/france-geojson``:

* ``departements-version-simplifiee.geojson``: the land of Charente-Maritime and its neighbours
  (the sea and the Gironde estuary are what is not land);
* ``departements/17-charente-maritime/communes-17-charente-maritime.geojson``: commune
  boundaries of Charente-Maritime.

Geometries are simplified (Douglas-Peucker, tolerance in degrees) and rounded so that the shipped
files stay small (a few hundred kB); they are a background, not a survey.

    python scripts/build_basemap.py deps.geojson communes-17.geojson
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "reference"
DEPARTMENTS = {"16", "17", "24", "33", "79", "85", "86", "87", "19", "47"}


def _simplify(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas-Peucker on a ring or line (iterative, keeps both ends; a closed ring is cut in two
    halves, whose chord is not empty)."""
    if len(points) > 4 and points[0] == points[-1]:
        middle = len(points) // 2
        return _simplify(points[: middle + 1], tolerance)[:-1] + _simplify(points[middle:], tolerance)
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5 or 1e-12
        worst, index = 0.0, None
        for i in range(first + 1, last):
            x, y = points[i]
            distance = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm
            if distance > worst:
                worst, index = distance, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]


def _feature(properties: dict, rings: list, tolerance: float, digits: int) -> dict | None:
    polygons = []
    for ring in rings:
        small = [[round(x, digits), round(y, digits)] for x, y in _simplify(ring, tolerance)]
        if len(small) >= 4:
            polygons.append([small])
    if not polygons:
        return None
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": "MultiPolygon", "coordinates": polygons}}  # fmt: skip


def main(departments_path: str, communes_path: str) -> None:
    licence = ("IGN Admin Express COG 2018, Licence Ouverte / Open Licence (Etalab); simplified by "
               "scripts/build_basemap.py")  # fmt: skip
    departments = json.loads(Path(departments_path).read_text())
    land = []
    for f in departments["features"]:
        if f["properties"]["code"] in DEPARTMENTS:
            feature = _feature({"code": f["properties"]["code"], "name": f["properties"]["nom"]},
                               _rings(f["geometry"]), 0.004, 3)  # fmt: skip
            if feature:
                land.append(feature)
    communes = json.loads(Path(communes_path).read_text())
    boundaries = []
    for f in communes["features"]:
        feature = _feature({"insee_code": f["properties"]["code"], "name": f["properties"]["nom"]},
                           _rings(f["geometry"]), 0.0015, 4)  # fmt: skip
        if feature:
            boundaries.append(feature)
    for name, features in (("basemap_land.geojson", land), ("basemap_communes_17.geojson", boundaries)):
        text = json.dumps({"type": "FeatureCollection", "licence": licence, "features": features},
                          ensure_ascii=False, separators=(",", ":"))  # fmt: skip
        (OUT / name).write_text(text + "\n", encoding="utf-8")
        print(f"{name}: {len(features)} features, {len(text) // 1024} kB")


if __name__ == "__main__":
    main(*sys.argv[1:3])
