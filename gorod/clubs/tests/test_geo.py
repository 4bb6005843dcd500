"""The districts' boundaries: which district a point is in, and how far apart two points are.

The real boundaries (../shared/data) are used when they are there; the small file written
here checks holes and a missing file on its own.
"""

import csv
import json

import pytest
from django.conf import settings

from gorod.clubs import geo
from gorod.core.errors import DomainError

needs_boundaries = pytest.mark.skipif(
    not settings.GOROD_DISTRICTS_GEOJSON.exists(), reason="../shared/data is not here"
)
CLINICS_FILE = settings.GOROD_DISTRICTS_GEOJSON.parent / "moscow_medical_organisations_2013.csv"


@needs_boundaries
@pytest.mark.parametrize(
    ("lat", "lon", "district", "okrug"),
    [
        (55.7520, 37.6175, "Тверской", "ЦАО"),  # the Kremlin
        (55.7033, 37.5302, "Раменки", "ЗАО"),  # Moscow State University
        (55.9825, 37.1814, "Старое Крюково", "ЗелАО"),  # Zelenograd
    ],
)
def test_a_landmark_is_in_its_district(lat, lon, district, okrug):
    found = geo.district_at(lat, lon)

    assert (found.name, found.okrug) == (district, okrug)


@needs_boundaries
def test_a_point_outside_the_city_is_in_no_district():
    assert geo.district_at(59.9343, 30.3351) is None  # Saint Petersburg
    assert geo.district_at(55.9, 38.3) is None  # Moscow Oblast, east of the city


@needs_boundaries
def test_the_city_has_its_districts_settlements_and_okrugs_in_alphabetical_order():
    districts = geo.districts()

    assert len(districts) == 146
    kinds = [district.kind for district in districts]
    assert kinds.count("Муниципальный округ") == 125
    assert kinds.count("Поселение") == 19
    assert kinds.count("Городской округ") == 2
    assert {district.okrug for district in districts} == {
        *("ЦАО", "САО", "СВАО", "ВАО", "ЮВАО", "ЮАО", "ЮЗАО", "ЗАО", "СЗАО", "ЗелАО"),
        *("Троицкий", "Новомосковский"),
    }
    names = [geo.name_key(district.name) for district in districts]
    assert names == sorted(names)
    kuntsevo = geo.district_named("Кунцево")
    assert len(kuntsevo.polygons) == 5
    assert all(ring[0] == ring[-1] for polygon in kuntsevo.polygons for ring in polygon)


@needs_boundaries
def test_a_district_is_found_by_name_whatever_its_case_and_yo():
    assert geo.district_named("филевский парк").name == "Филёвский Парк"
    assert geo.district_named("Соколиная гора").name == "Соколиная Гора"
    assert geo.district_named("Атлантида") is None


@pytest.mark.skipif(not CLINICS_FILE.exists(), reason="../shared/data is not here")
def test_the_city_clinics_are_in_the_okrugs_their_register_names():
    """An independent check of the boundaries: the clinics' register names each building's
    okrug, and nearly every one's coordinates fall in a district of it (a few branches are
    registered with the okrug of their main clinic)."""
    okrugs = {district.okrug for district in geo.districts()}
    with CLINICS_FILE.open(encoding="utf-8") as handle:
        clinics = [
            row for row in csv.DictReader(handle) if row["lat"] and row["adm_okrug"] in okrugs
        ]
    agreeing = [
        row
        for row in clinics
        if (found := geo.district_at(float(row["lat"]), float(row["lon"])))
        and found.okrug == row["adm_okrug"]
    ]

    assert len(clinics) > 400
    assert len(agreeing) >= 0.95 * len(clinics)


def _square(west: float, south: float, east: float, north: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def _feature(name: str, okrug: str, geometry: dict) -> dict:
    properties = {"NAME": name, "ABBREV_AO": okrug, "TYPE_MO": "Муниципальный округ"}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


@pytest.fixture
def ring_and_island(tmp_path, settings):
    """A district shaped as a ring round another one, as an enclave sits in its district."""
    path = tmp_path / "districts.geojson"
    ring = {"type": "Polygon", "coordinates": [_square(0, 0, 10, 10), _square(4, 4, 6, 6)]}
    island = {"type": "MultiPolygon", "coordinates": [[_square(4, 4, 6, 6)]]}
    features = [_feature("Кольцо", "ЦАО", ring), _feature("Остров", "ЗАО", island)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    settings.GOROD_DISTRICTS_GEOJSON = path
    return path


def test_a_point_in_a_hole_is_in_the_district_that_fills_it(ring_and_island):
    assert geo.district_at(lat=5, lon=5).name == "Остров"
    assert geo.district_at(lat=2, lon=5).name == "Кольцо"
    assert geo.district_at(lat=5, lon=11) is None
    ring = geo.district_named("кольцо")
    assert ring.okrug == "ЦАО"
    assert len(ring.polygons) == 1
    assert len(ring.polygons[0]) == 2  # the outer ring, then the hole
    assert ring.polygons[0][1][0] == (4.0, 4.0)


def test_a_missing_file_of_boundaries_is_said_plainly(tmp_path, settings):
    settings.GOROD_DISTRICTS_GEOJSON = tmp_path / "nowhere.geojson"

    with pytest.raises(DomainError, match="GOROD_DISTRICTS_GEOJSON") as raised:
        geo.districts()

    assert raised.value.code == "districts_file_missing"


def test_the_distance_is_the_great_circle_one():
    # A degree of latitude on the sphere of the Earth's mean radius.
    assert geo.distance_km(55, 37, 56, 37) == pytest.approx(111.195, abs=0.001)
    # Red Square to Palace Square, Saint Petersburg: about 634 km as the crow flies.
    moscow_to_petersburg = geo.distance_km(55.7539, 37.6208, 59.9390, 30.3158)
    assert moscow_to_petersburg == pytest.approx(634, abs=3)
    assert geo.distance_km(59.9390, 30.3158, 55.7539, 37.6208) == moscow_to_petersburg
    assert geo.distance_km(55.75, 37.62, 55.75, 37.62) == 0
