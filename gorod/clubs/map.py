"""The clubs map: the city's districts and the clubs' venues, drawn on the server as SVG.

A parent finds a group on the map as well as in the list beside it: each district is a link
(to its groups), shaded by how many groups it has; each venue is a link, marked by whether
it has free places. The picture is inline SVG drawn by clubs/_map.html: no tiles, no script,
nothing from elsewhere, colours from clubs/map.css, so it passes the CSP.

A map is fitted to what it shows (`city_map(fitted_to=…)`): the whole city, old Moscow
(`old_moscow()`), one district with its venues; the districts around that fall in the frame
are drawn too. The boundaries are OpenStreetMap's (ODbL 1.0; the template shows the
attribution). As read they are ~40 000 points, about a megabyte of SVG. A map is drawn at
one of a few scales (`_Frame.level`), and for each scale the districts are simplified once
per process with GEOS' coverage simplification, which moves a border shared by two
districts the same way for both (simplifying each district alone would open slivers and
overlaps between neighbours): the whole city is then ~90 KB of SVG, ~22 KB gzipped.
"""

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

import numpy as np
import shapely
from django.conf import settings
from django.utils.translation import gettext as _

from gorod.clubs.geo import District, districts, name_key

# The okrugs of the city before its 2012 growth into ТиНАО: "old Moscow". With ТиНАО the
# city is a third taller than wide and its old part a small patch at the top; old Moscow
# is about square. Zelenograd (ЗелАО) is one of them and costs little room: Кунцево's
# western parts already make the map that wide.
OLD_MOSCOW_OKRUGS = frozenset(
    {"ЦАО", "САО", "СВАО", "ВАО", "ЮВАО", "ЮАО", "ЮЗАО", "ЗАО", "СЗАО", "ЗелАО"}
)

# The map's own units across; the page scales the SVG to its column (viewBox).
MAP_WIDTH = 1000
# An equirectangular projection: east–west degrees shortened by the cosine of the city's
# mean latitude. Across the city's 100 km the cosine changes by ±1 %: nobody sees it.
MEAN_LATITUDE = 55.6
EAST_WEST = math.cos(math.radians(MEAN_LATITUDE))
WEST, NORTH = 36.7, 56.1  # the origin of the base units: west and north of the city
# Base units (level 0) per degree of latitude: one unit is about 74 m, the whole city
# about 980 units across, so that the city's map is drawn at level 0.
UNITS_PER_DEGREE = 1500
# Each level doubles the units per degree. A map is drawn at the coarsest level whose
# units are at most two of its own (_Frame.level); the smallest frame (MIN_FRAME_KM and
# its margins, ~6.5 km) is drawn at level 3, 9 m a unit.
MAX_LEVEL = 3
# How far a simplified border may stray, in the units of its level: at most 1.5 of the
# map's 1000 units across, drawn ~700 px wide (clubs/map.css): about a pixel.
SIMPLIFY_TOLERANCE = 0.75
KM_PER_DEGREE_OF_LATITUDE = 111.2
# A map fitted to one small district (Арбат is 1.5 km across) shows its neighbours too.
MIN_FRAME_KM = 4.0
# Around what a map fits: a share of the frame's larger side, and a street or two more,
# so that a map of one district shows where its neighbours begin.
FRAME_MARGIN = 0.03
CONTEXT_KM = 1.2
# Frames no taller than this many times their width, nor flatter than the inverse: a map
# of one long district would otherwise be a ribbon.
MAX_ASPECT = 1.4
# A map this many times closer than base units (a frame under ~27 km across: an okrug or
# less) names its districts; a map of more of the city names the okrugs.
DISTRICT_NAMES_FROM_SCALE = 2.5
# A district's name is written where a circle of this radius (map units) fits inside it;
# in a smaller one the name would cover its neighbours.
MIN_LABEL_ROOM = 28
# No name is written over another at the size clubs/map.css gives names on a phone, the
# largest in map units: the font size of each kind of name, and the share of it a capital
# letter and any other letter take (bold, at most; the okrugs' have letter-spacing).
LABEL_SIZES = {"clubs-map-label": 34, "clubs-map-label-okrug": 36, "clubs-map-label-selected": 40}
CAPITAL_WIDTH, LETTER_WIDTH = 0.8, 0.62
SHADES = 4  # the choropleth's steps for districts with groups, besides "none"

BaseBox = tuple[float, float, float, float]  # x0, y0, x1, y1 in base units


@dataclass(frozen=True)
class MapVenue:
    """A place to mark: one per venue (the groups meeting there together), its name and
    link, and the free places of its groups."""

    lat: float | Decimal
    lon: float | Decimal
    label: str
    url: str
    free_places: int


@dataclass(frozen=True)
class DistrictShape:
    name: str
    url: str
    title: str  # the link's accessible name, and the tooltip
    path: str  # SVG path data, in the units of CityMap.transform
    css_class: str
    selected: bool


@dataclass(frozen=True)
class VenueMark:
    x: float
    y: float
    url: str
    title: str
    has_free_places: bool


@dataclass(frozen=True)
class MapLabel:
    x: float
    y: float
    text: str
    css_class: str


@dataclass(frozen=True)
class LegendEntry:
    css_class: str
    label: str


@dataclass(frozen=True)
class CityMap:
    """What clubs/_map.html draws: `{% include "clubs/_map.html" with map=… %}`."""

    id: str
    title: str
    description: str
    width: int
    height: int
    # The districts' path data is in the units of its level (cached once a process);
    # this SVG transform places it in the map's units.
    transform: str
    districts: tuple[DistrictShape, ...]
    okrug_borders: str
    selected_outline: str
    labels: tuple[MapLabel, ...]
    venues: tuple[VenueMark, ...]
    legend_title: str
    legend: tuple[LegendEntry, ...]


# ---- Geometry, once per process ------------------------------------------------------


def _to_base(lat: float, lon: float) -> tuple[float, float]:
    """A point's base units (level 0): x eastwards, y southwards as SVG counts them."""
    return (lon - WEST) * EAST_WEST * UNITS_PER_DEGREE, (NORTH - lat) * UNITS_PER_DEGREE


def _project(coordinates: np.ndarray) -> np.ndarray:
    x = (coordinates[:, 0] - WEST) * EAST_WEST * UNITS_PER_DEGREE
    y = (NORTH - coordinates[:, 1]) * UNITS_PER_DEGREE
    return np.column_stack((x, y))


@dataclass(frozen=True)
class _City:
    """The districts in base units, and where to write their names and their okrugs'."""

    districts: tuple[District, ...]
    shapes: np.ndarray  # of MultiPolygons, in the order of `districts`
    boxes: dict[str, BaseBox]
    okrugs: tuple[str, ...]
    district_labels: dict[str, tuple[float, float, float]]  # see _inscribed
    okrug_labels: dict[str, tuple[float, float, float]]

    def members(self, okrug: str) -> list[bool]:
        return [district.okrug == okrug for district in self.districts]


@cache
def _city(path: str) -> _City:
    """Cached by the boundaries' file, as geo caches them (a test may point it elsewhere)."""
    every = districts()
    shapes = np.array(
        [
            shapely.transform(
                shapely.MultiPolygon([(polygon[0], polygon[1:]) for polygon in d.polygons]),
                _project,
            )
            for d in every
        ],
        dtype=object,
    )
    okrugs = tuple(sorted({district.okrug for district in every}))
    okrug_shapes = np.array(
        [shapely.coverage_union_all(shapes[[d.okrug == okrug for d in every]]) for okrug in okrugs],
        dtype=object,
    )
    names = [district.name for district in every]
    return _City(
        districts=every,
        shapes=shapes,
        boxes={
            name: tuple(float(value) for value in box)
            for name, box in zip(names, shapely.bounds(shapes), strict=True)
        },
        okrugs=okrugs,
        district_labels=dict(zip(names, _inscribed(shapes), strict=True)),
        okrug_labels=dict(zip(okrugs, _inscribed(okrug_shapes), strict=True)),
    )


def _inscribed(shapes: np.ndarray) -> list[tuple[float, float, float]]:
    """The centre of the largest circle inside each shape (its "pole of inaccessibility",
    where a name stays clear of the borders) and that circle's radius, in base units."""
    circles = []
    for circle in shapely.maximum_inscribed_circle(shapes):
        (x, y), (edge_x, edge_y) = shapely.get_coordinates(circle)
        circles.append((float(x), float(y), math.hypot(edge_x - x, edge_y - y)))
    return circles


@dataclass(frozen=True)
class _Layer:
    """The districts at one level: path data by name, and the okrugs' borders as lines
    (each border once), which a map clips to its frame: at level 3 the whole city's
    borders would be ~50 KB, for a map of one district."""

    paths: dict[str, str]
    okrug_borders: shapely.Geometry


@cache
def _layer(path: str, level: int) -> _Layer:
    city = _city(path)
    scale = 2**level
    simplified = shapely.coverage_simplify(
        shapely.transform(city.shapes, lambda xy: xy * scale), SIMPLIFY_TOLERANCE
    )
    okrugs = [shapely.coverage_union_all(simplified[city.members(okrug)]) for okrug in city.okrugs]
    return _Layer(
        paths={
            district.name: _path_data(shape)
            for district, shape in zip(city.districts, simplified, strict=True)
        },
        okrug_borders=shapely.line_merge(shapely.union_all(shapely.boundary(okrugs))),
    )


def _path_data(geometry: shapely.Geometry) -> str:
    """SVG path data of polygons: whole units, each ring from its first point by relative
    steps (a few characters a point). Rounding may fold a tiny ring to a line: it goes."""
    path = []
    for polygon in shapely.get_parts(geometry):
        rings = [_line_data(ring, closed=True) for ring in shapely.get_rings(polygon)]
        if rings[0]:  # an outer ring folded away takes its holes with it
            path.extend(ring for ring in rings if ring)
    return "".join(path)


@lru_cache(maxsize=64)
def _okrug_borders(path: str, level: int, box: BaseBox) -> str:
    """The okrugs' borders within a box, as path data; the city's and old Moscow's maps
    ask for the same box again and again (the whole city's take ~3 ms to write)."""
    borders = shapely.clip_by_rect(_layer(path, level).okrug_borders, *box)
    return "".join(_line_data(line, closed=False) for line in shapely.get_parts(borders))


def _line_data(line: shapely.Geometry, *, closed: bool) -> str:
    points = np.rint(shapely.get_coordinates(line)).astype(int)
    steps = np.diff(points, axis=0)
    steps = steps[(steps != 0).any(axis=1)]
    if closed:
        steps = steps[:-1]  # the last step, back to the start, is "z"
    if len(steps) < (2 if closed else 1):
        return ""
    x, y = points[0]
    # Python's ints, not numpy's: formatting numpy scalars one by one is ten times slower.
    numbers = " ".join(map(str, steps.ravel().tolist())).replace(" -", "-")
    return f"M{x} {y}l{numbers}{'z' if closed else ''}"


# ---- Choropleth ----------------------------------------------------------------------


def shade_bounds(counts: Iterable[int], *, steps: int = SHADES) -> tuple[int, ...]:
    """The upper bounds of the shades of districts with groups: the positive counts cut
    into `steps` runs of about equal length (quantiles), so that a few districts with
    hundreds of groups do not leave all the rest in the palest shade. Fewer bounds where
    counts repeat; none without a positive count."""
    positive = sorted(count for count in counts if count > 0)
    bounds: list[int] = []
    for step in range(1, steps + 1):
        bound = positive[math.ceil(step * len(positive) / steps) - 1] if positive else 0
        if positive and (not bounds or bound > bounds[-1]):
            bounds.append(bound)
    return tuple(bounds)


def shade_of(count: int, bounds: Sequence[int]) -> int:
    """0 for a district without groups, else 1 + the first shade whose bound holds it."""
    if count <= 0:
        return 0
    return 1 + next((i for i, bound in enumerate(bounds) if count <= bound), len(bounds) - 1)


def _legend(bounds: Sequence[int]) -> tuple[LegendEntry, ...]:
    entries = [LegendEntry("clubs-map-shade-0", _("нет групп"))]
    low = 1
    for index, high in enumerate(bounds, start=1):
        label = str(high) if low == high else f"{low}–{high}"
        entries.append(LegendEntry(_shade_class(index, len(bounds)), label))
        low = high + 1
    return tuple(entries)


def _shade_class(shade: int, shades: int) -> str:
    """Fewer shades than SHADES take the darker ones: one step of many groups is dark."""
    return f"clubs-map-shade-{shade + SHADES - shades if shade else 0}"


# ---- One map -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """The part of the city a map shows, in base units."""

    left: float
    top: float
    width: float
    height: float

    @property
    def scale(self) -> float:
        """Map units per base unit."""
        return MAP_WIDTH / self.width

    @property
    def level(self) -> int:
        """The coarsest level whose units are at most two of the map's."""
        return min(MAX_LEVEL, max(0, math.floor(math.log2(self.scale))))

    def meets(self, box: BaseBox) -> bool:
        x0, y0, x1, y1 = box
        return (
            x0 <= self.left + self.width
            and x1 >= self.left
            and y0 <= self.top + self.height
            and y1 >= self.top
        )

    def box(self, scale: float) -> BaseBox:
        """The frame in units `scale` times the base's, a little larger (a line clipped to
        it ends out of sight)."""
        margin = self.width / 50
        return (
            (self.left - margin) * scale,
            (self.top - margin) * scale,
            (self.left + self.width + margin) * scale,
            (self.top + self.height + margin) * scale,
        )

    def place(self, x: float, y: float) -> tuple[float, float]:
        """Base units to the map's."""
        return round((x - self.left) * self.scale, 1), round((y - self.top) * self.scale, 1)


def _frame(boxes: Sequence[BaseBox]) -> _Frame:
    x0, y0 = min(box[0] for box in boxes), min(box[1] for box in boxes)
    x1, y1 = max(box[2] for box in boxes), max(box[3] for box in boxes)
    units_per_km = UNITS_PER_DEGREE / KM_PER_DEGREE_OF_LATITUDE
    least = MIN_FRAME_KM * units_per_km
    width = max(x1 - x0, least, (y1 - y0) / MAX_ASPECT)
    height = max(y1 - y0, least, width / MAX_ASPECT)
    margin = FRAME_MARGIN * max(width, height) + CONTEXT_KM * units_per_km
    width, height = width + 2 * margin, height + 2 * margin
    return _Frame((x0 + x1 - width) / 2, (y0 + y1 - height) / 2, width, height)


def old_moscow() -> tuple[str, ...]:
    """The districts of the city before 2012 (OLD_MOSCOW_OKRUGS): a map fitted to these
    reads well on a phone."""
    return tuple(d.name for d in districts() if d.okrug in OLD_MOSCOW_OKRUGS)


def city_map(
    *,
    title: str,
    link_for_district: Callable[[District], str],
    fitted_to: Collection[str] = (),
    selected: str | None = None,
    venues: Sequence[MapVenue] = (),
    groups_by_district: Mapping[str, int] | None = None,
    map_id: str = "clubs-map",
) -> CityMap:
    """The map fitted to the districts named in `fitted_to` (none: the whole city) and to
    the venues; the districts around them that fall in the frame are drawn too, so a map of
    one district shows where it is. `selected` (a district's name) is highlighted;
    `groups_by_district` (name → groups) shades the districts. Names are matched as
    geo.name_key compares them (case and ё aside); unknown names are left out."""
    boundaries = str(settings.GOROD_DISTRICTS_GEOJSON)
    city = _city(boundaries)
    by_key = {name_key(district.name): district for district in city.districts}
    boxes = city.boxes
    fitted = [by_key[key].name for key in map(name_key, fitted_to) if key in by_key]
    venue_points = [_to_base(float(venue.lat), float(venue.lon)) for venue in venues]
    frame = _frame(
        [boxes[name] for name in fitted or boxes] + [(x, y, x, y) for x, y in venue_points]
    )
    chosen = by_key.get(name_key(selected)) if selected else None
    counts = _counts_by_key(groups_by_district)
    bounds = shade_bounds(counts.values()) if counts else ()
    layer = _layer(boundaries, frame.level)
    zoom = frame.scale / 2**frame.level
    shown = _district_shapes(
        [d for d in city.districts if frame.meets(boxes[d.name])],
        layer=layer,
        link_for_district=link_for_district,
        selected=chosen,
        counts=counts,
        bounds=bounds,
    )
    return CityMap(
        id=map_id,
        title=title,
        description=_description(chosen, counted=counts is not None, venues=venues),
        width=MAP_WIDTH,
        height=round(frame.height * frame.scale),
        transform=(
            f"matrix({zoom:.5g} 0 0 {zoom:.5g} "
            f"{-frame.left * frame.scale:.1f} {-frame.top * frame.scale:.1f})"
        ),
        districts=shown,
        okrug_borders=_okrug_borders(boundaries, frame.level, frame.box(2**frame.level)),
        selected_outline=layer.paths[chosen.name] if chosen else "",
        labels=_labels(city, frame, [shape.name for shape in shown], chosen),
        venues=_venue_marks(frame, venues, venue_points),
        legend_title=_("Групп в районе") if counts is not None else "",
        legend=_legend(bounds) if counts is not None else (),
    )


def _counts_by_key(groups_by_district: Mapping[str, int] | None) -> dict[str, int] | None:
    if groups_by_district is None:
        return None
    return {name_key(name): count for name, count in groups_by_district.items()}


def _district_shapes(
    shown: Sequence[District],
    *,
    layer: _Layer,
    link_for_district: Callable[[District], str],
    selected: District | None,
    counts: dict[str, int] | None,
    bounds: Sequence[int],
) -> tuple[DistrictShape, ...]:
    shapes = []
    for district in shown:
        if counts is None:
            title, css_class = district.name, "clubs-map-plain"
        else:
            count = counts.get(name_key(district.name), 0)
            title = _("%(district)s — групп: %(count)s") % {
                "district": district.name,
                "count": count,
            }
            css_class = _shade_class(shade_of(count, bounds), len(bounds))
        shapes.append(
            DistrictShape(
                name=district.name,
                url=link_for_district(district),
                title=title,
                path=layer.paths[district.name],
                css_class=css_class,
                selected=district == selected,
            )
        )
    return tuple(shapes)


def _labels(
    city: _City, frame: _Frame, shown: Sequence[str], selected: District | None
) -> tuple[MapLabel, ...]:
    """The okrugs' names on a map of much of the city, the districts' on a closer one,
    each where it has room and covers no other name; the selected district's first."""
    if frame.scale < DISTRICT_NAMES_FROM_SCALE:
        places, names, css_class = city.okrug_labels, city.okrugs, "clubs-map-label-okrug"
    else:
        places, names, css_class = city.district_labels, shown, "clubs-map-label"
    candidates = []
    if selected:
        x, y, _room = city.district_labels[selected.name]
        candidates.append((math.inf, x, y, selected.name, "clubs-map-label-selected"))
    for name in names:
        x, y, room = places[name]
        if room * frame.scale >= MIN_LABEL_ROOM and (not selected or name != selected.name):
            candidates.append((room, x, y, name, css_class))
    labels: list[MapLabel] = []
    for _room, x, y, name, label_class in sorted(candidates, key=lambda c: -c[0]):
        label = MapLabel(*frame.place(x, y), text=name, css_class=label_class)
        if _within_map(label, frame) and not any(_overlap(label, other) for other in labels):
            labels.append(label)
    return tuple(labels)


def _half_size(label: MapLabel) -> tuple[float, float]:
    """Half the width and half the height a name takes at most (on a phone), map units."""
    size = LABEL_SIZES[label.css_class]
    letters = sum(CAPITAL_WIDTH if letter.isupper() else LETTER_WIDTH for letter in label.text)
    return letters * size / 2, size / 2


def _within_map(label: MapLabel, frame: _Frame) -> bool:
    half_width, half_height = _half_size(label)
    return (
        half_width <= label.x <= MAP_WIDTH - half_width
        and half_height <= label.y <= frame.height * frame.scale - half_height
    )


def _overlap(one: MapLabel, other: MapLabel) -> bool:
    (one_width, one_height), (other_width, other_height) = _half_size(one), _half_size(other)
    return (
        abs(one.x - other.x) < one_width + other_width
        and abs(one.y - other.y) < one_height + other_height
    )


def _venue_marks(
    frame: _Frame, venues: Sequence[MapVenue], points: Sequence[tuple[float, float]]
) -> tuple[VenueMark, ...]:
    marks = []
    for venue, (x, y) in zip(venues, points, strict=True):
        if venue.free_places > 0:
            title = _("%(venue)s — свободных мест: %(count)s") % {
                "venue": venue.label,
                "count": venue.free_places,
            }
        else:
            title = _("%(venue)s — мест нет") % {"venue": venue.label}
        marks.append(
            VenueMark(
                *frame.place(x, y),
                url=venue.url,
                title=title,
                has_free_places=venue.free_places > 0,
            )
        )
    # Venues with places on top: where marks overlap, the one worth a click shows.
    return tuple(sorted(marks, key=lambda mark: mark.has_free_places))


def _description(selected: District | None, *, counted: bool, venues: Sequence[MapVenue]) -> str:
    parts = [_("Районы Москвы; каждый район — ссылка на его кружки и секции.")]
    if counted:
        parts.append(_("Чем темнее район, тем больше в нём групп."))
    if selected:
        parts.append(_("Выбран район %(district)s.") % {"district": selected.name})
    if venues:
        parts.append(
            _(
                "Круглые отметки — места занятий: закрашенная — есть свободные места, "
                "белая с обводкой — мест нет."
            )
        )
    return " ".join(parts)
