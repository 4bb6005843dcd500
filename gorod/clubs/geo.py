"""The city's municipal districts (районы and ТиНАО's поселения) and where a point falls.

The boundaries are OpenStreetMap's (the gis-lab "mo.geojson", ODbL 1.0, "© OpenStreetMap
contributors"), read from GOROD_DISTRICTS_GEOJSON (../shared/data's by default) once per
process. A venue's district is the one its coordinates fall in, so a parent's "in my
district" means the same thing for every source; "near me" is a great-circle distance.

Shapely does the geometry: its point-in-polygon test respects holes and multi-part
districts (Кунцево has five parts), and its R-tree finds the few candidate districts of a
point without testing all 146.
"""

import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import shapely
from django.conf import settings
from django.utils.translation import gettext as _

from gorod.core.errors import DomainError

# The Earth's mean radius (IUGG): a sphere's distance is within 0.5 % of the ellipsoid's,
# tens of metres across a district, plenty to sort venues by how near they are.
EARTH_RADIUS_KM = 6371.0088

LonLat = tuple[float, float]  # as GeoJSON orders a point's degrees
Ring = tuple[LonLat, ...]
Polygon = tuple[Ring, ...]  # the outer ring first, then its holes


@dataclass(frozen=True)
class District:
    """A municipal district: its name, okrug and boundary."""

    name: str
    # The okrug's abbreviation ("ЗАО"); ТиНАО's two okrugs have none, so their name
    # ("Троицкий", "Новомосковский").
    okrug: str
    # "Муниципальный округ", "Поселение" or "Городской округ".
    kind: str
    # Thousands of points: left out of the repr, which names the district.
    polygons: tuple[Polygon, ...] = field(repr=False)


def name_key(name: str) -> str:
    """A district's name as compared and sorted: registers differ in case, in quotes and in
    writing ё as е ("Филевский парк" is the boundaries' "Филёвский Парк")."""
    return name.strip('"«»').casefold().replace("ё", "е")


def _ring(coordinates: list) -> Ring:
    # A GeoJSON position may carry an altitude after the longitude and latitude.
    return tuple((float(point[0]), float(point[1])) for point in coordinates)


def _polygons(geometry: dict) -> tuple[Polygon, ...]:
    if geometry["type"] == "Polygon":
        parts = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        parts = geometry["coordinates"]
    else:
        raise ValueError(f"a district is a Polygon or a MultiPolygon, not {geometry['type']}")
    return tuple(tuple(_ring(ring) for ring in part) for part in parts)


@dataclass(frozen=True)
class _Boundaries:
    districts: tuple[District, ...]
    by_name: dict[str, District]
    # The districts' shapes in the order of `districts`, and an R-tree over them.
    shapes: tuple[shapely.MultiPolygon, ...]
    tree: shapely.STRtree


@cache
def _boundaries(path: str) -> _Boundaries:
    """The districts of one file (cached by path, so a test may point the setting elsewhere)."""
    try:
        features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
    except FileNotFoundError as error:
        raise DomainError(
            "districts_file_missing",
            _("Нет файла с границами районов: %(path)s (настройка GOROD_DISTRICTS_GEOJSON).")
            % {"path": path},
        ) from error
    districts = sorted(
        (
            District(
                name=feature["properties"]["NAME"],
                okrug=feature["properties"]["ABBREV_AO"],
                kind=feature["properties"]["TYPE_MO"],
                polygons=_polygons(feature["geometry"]),
            )
            for feature in features
        ),
        key=lambda district: name_key(district.name),
    )
    shapes = tuple(
        shapely.MultiPolygon([(polygon[0], polygon[1:]) for polygon in district.polygons])
        for district in districts
    )
    return _Boundaries(
        districts=tuple(districts),
        by_name={name_key(district.name): district for district in districts},
        shapes=shapes,
        tree=shapely.STRtree(shapes),
    )


def _loaded() -> _Boundaries:
    return _boundaries(str(settings.GOROD_DISTRICTS_GEOJSON))


def districts() -> tuple[District, ...]:
    """Every district, in alphabetical order (ё with е); a DomainError if the file is
    missing."""
    return _loaded().districts


def district_named(name: str) -> District | None:
    """The district of this name, whatever its case and its ё."""
    return _loaded().by_name.get(name_key(name))


def district_at(lat: float, lon: float) -> District | None:
    """The district a point (WGS84 degrees) falls in, or None outside the city. A point on
    a border between two districts is given to the first of them in alphabetical order."""
    boundaries = _loaded()
    found = boundaries.tree.query(shapely.Point(lon, lat), predicate="intersects")
    return boundaries.districts[min(found)] if len(found) else None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points (WGS84 degrees), by the haversine."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
