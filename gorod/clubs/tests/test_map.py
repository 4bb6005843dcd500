"""The clubs map: every district drawn as a link, the selected one marked, the venues placed
where they are and their names escaped, the attribution shown, the SVG well-formed and small.

The map is drawn from the real boundaries (../shared/data); without them these tests skip.
The choropleth's steps are plain arithmetic and are checked without them.
"""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from gorod.clubs import geo
from gorod.clubs.map import (
    MAP_WIDTH,
    MapVenue,
    city_map,
    old_moscow,
    shade_bounds,
    shade_of,
)

needs_boundaries = pytest.mark.skipif(
    not settings.GOROD_DISTRICTS_GEOJSON.exists(), reason="../shared/data is not here"
)
SVG = "{http://www.w3.org/2000/svg}"
MSU = (55.7033, 37.5302)  # Moscow State University, in Раменки
ZELENOGRAD = (55.9825, 37.1814)  # in Старое Крюково


def link(district: geo.District) -> str:
    return f"/clubs/?district={district.name}"


def drawn(clubs_map) -> str:
    return render_to_string("clubs/_map.html", {"map": clubs_map})


def svg_of(html: str) -> ET.Element:
    """The map's <svg> parsed as XML: the HTML around it is not."""
    svg = re.search(r"<svg.*</svg>", html, re.DOTALL).group(0)
    return ET.fromstring(svg)  # noqa: S314 (our own template's output)


def district_links(svg: ET.Element) -> list[ET.Element]:
    return [a for a in svg.iter(f"{SVG}a") if "clubs-map-district" in a.get("class")]


def path_box(data: str) -> tuple[int, int, int, int]:
    """The bounding box of path data written as map.py writes it: M x y, then relative
    steps, then z, ring after ring."""
    xs, ys = [], []
    for ring in re.findall(r"M[^M]*", data):
        numbers = [int(number) for number in re.findall(r"-?\d+", ring)]
        x, y = numbers[0], numbers[1]
        xs.append(x)
        ys.append(y)
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            x, y = x + dx, y + dy
            xs.append(x)
            ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


@needs_boundaries
def test_the_whole_city_draws_every_district_as_a_named_link():
    html = drawn(city_map(title="Кружки на карте", link_for_district=link))
    svg = svg_of(html)

    links = district_links(svg)
    assert len(links) == len(geo.districts()) == 146
    assert {a.find(f"{SVG}title").text for a in links} == {d.name for d in geo.districts()}
    assert all(a.get("href").startswith("/clubs/?district=") for a in links)
    assert all(a.find(f"{SVG}path").get("d").startswith("M") for a in links)
    # A group named by its title: an SVG "img" would hide the links inside it.
    assert svg.get("role") == "group"
    title_id = svg.get("aria-labelledby")
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}title").text == "Кружки на карте"
    # The city with ТиНАО is taller than wide.
    width, height = map(int, svg.get("viewBox").split()[2:])
    assert width == MAP_WIDTH < height


@needs_boundaries
def test_the_whole_city_stays_small():
    html = drawn(
        city_map(
            title="Кружки на карте",
            link_for_district=link,
            groups_by_district={d.name: 10 for d in geo.districts()},
            selected="Раменки",
        )
    )

    # ~90 KB when written; the budget only catches a simplification that stopped working.
    assert len(html.encode()) < 300_000


@needs_boundaries
def test_the_selected_district_is_marked_outlined_and_named():
    clubs_map = city_map(title="Раменки", link_for_district=link, selected="раменки")
    svg = svg_of(drawn(clubs_map))

    current = [a for a in district_links(svg) if a.get("aria-current")]
    assert [a.find(f"{SVG}title").text for a in current] == ["Раменки"]
    outline = svg.find(f".//{SVG}path[@class='clubs-map-selected-outline']")
    assert outline.get("d") == current[0].find(f"{SVG}path").get("d")
    labels = {text.text: text.get("class") for text in svg.iter(f"{SVG}text")}
    assert labels["Раменки"] == "clubs-map-label-selected"


@needs_boundaries
def test_without_a_selection_nothing_is_marked():
    svg = svg_of(drawn(city_map(title="Москва", link_for_district=link)))

    assert not [a for a in district_links(svg) if a.get("aria-current")]
    assert svg.find(f".//{SVG}path[@class='clubs-map-selected-outline']") is None


@needs_boundaries
def test_venue_names_from_the_data_are_escaped():
    name = 'Дом творчества <script>alert("x")</script> & «Юность»'
    venue = MapVenue(
        lat=MSU[0], lon=MSU[1], label=name, url="/clubs/venue/1/?a=1&b=2", free_places=3
    )

    html = drawn(city_map(title="Раменки", link_for_district=link, venues=[venue]))

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp; «Юность»" in html
    mark = next(a for a in svg_of(html).iter(f"{SVG}a") if "clubs-map-venue" in a.get("class"))
    assert mark.find(f"{SVG}title").text == f"{name} — свободных мест: 3"
    assert mark.get("href") == "/clubs/venue/1/?a=1&b=2"


@needs_boundaries
def test_a_venue_is_drawn_inside_its_district():
    assert geo.district_at(*MSU).name == "Раменки"
    venue = MapVenue(
        lat=Decimal("55.703300"), lon=Decimal("37.530200"), label="МГУ", url="/v/1", free_places=0
    )

    svg = svg_of(
        drawn(
            city_map(title="Раменки", link_for_district=link, fitted_to=["Раменки"], venues=[venue])
        )
    )

    circle = svg.find(f".//{SVG}circle")
    x, y = float(circle.get("cx")), float(circle.get("cy"))
    zoom, _zero, _zero, _zoom, shift_x, shift_y = map(
        float, re.findall(r"-?[\d.]+", svg.find(f"{SVG}g").get("transform"))
    )
    ramenki = next(a for a in district_links(svg) if a.find(f"{SVG}title").text == "Раменки")
    x0, y0, x1, y1 = path_box(ramenki.find(f"{SVG}path").get("d"))
    assert x0 * zoom + shift_x < x < x1 * zoom + shift_x
    assert y0 * zoom + shift_y < y < y1 * zoom + shift_y
    # A map of one district is closer than the city's: its neighbours around, not all 146.
    assert 1 < len(district_links(svg)) < 40


@needs_boundaries
def test_free_places_are_marked_and_said():
    venues = [
        MapVenue(lat=MSU[0], lon=MSU[1], label="Полный", url="/v/1", free_places=0),
        MapVenue(lat=MSU[0] + 0.005, lon=MSU[1], label="Свободный", url="/v/2", free_places=4),
    ]

    html = drawn(city_map(title="Раменки", link_for_district=link, venues=venues))

    marks = {
        a.find(f"{SVG}title").text: a.get("class")
        for a in svg_of(html).iter(f"{SVG}a")
        if "clubs-map-venue" in a.get("class")
    }
    assert marks == {
        "Полный — мест нет": "clubs-map-venue",
        "Свободный — свободных мест: 4": "clubs-map-venue clubs-map-venue-free",
    }
    assert "есть свободные места" in html  # the legend


@needs_boundaries
def test_a_map_fitted_to_a_district_takes_in_its_venues():
    far = MapVenue(
        lat=ZELENOGRAD[0], lon=ZELENOGRAD[1], label="Зеленоград", url="/v/9", free_places=1
    )

    svg = svg_of(
        drawn(city_map(title="Арбат", link_for_district=link, fitted_to=["Арбат"], venues=[far]))
    )

    width, height = map(float, svg.get("viewBox").split()[2:])
    circle = svg.find(f".//{SVG}circle")
    assert 0 < float(circle.get("cx")) < width
    assert 0 < float(circle.get("cy")) < height


@needs_boundaries
def test_districts_are_shaded_by_their_groups_with_a_legend():
    counts = {"Раменки": 40, "Арбат": 1, "Хамовники": 12, "Тверской": 7}

    html = drawn(city_map(title="Москва", link_for_district=link, groups_by_district=counts))

    classes = {
        a.find(f"{SVG}title").text: a.get("class").split()[-1] for a in district_links(svg_of(html))
    }
    assert classes["Раменки — групп: 40"] == "clubs-map-shade-4"
    assert classes["Арбат — групп: 1"] == "clubs-map-shade-1"
    assert classes["Бирюлёво Западное — групп: 0"] == "clubs-map-shade-0"
    assert "Групп в районе" in html
    assert "нет групп" in html


@needs_boundaries
def test_the_openstreetmap_attribution_is_shown_under_the_map():
    html = drawn(city_map(title="Москва", link_for_district=link))

    attribution = re.search(r'<p class="clubs-map-attribution".*?</p>', html, re.DOTALL).group(0)
    assert 'href="https://opendatacommons.org/licenses/odbl/"' in attribution
    assert "© участники OpenStreetMap (ODbL)" in attribution
    assert html.index("clubs-map-attribution") > html.index("</svg>")
    # The skip link lands on it, past the map's 146 links.
    assert 'href="#clubs-map-after"' in html
    assert 'id="clubs-map-after"' in html


@needs_boundaries
def test_old_moscow_is_the_city_before_2012():
    names = set(old_moscow())
    okrugs = {d.okrug for d in geo.districts() if d.name in names}

    assert "Раменки" in names
    assert "Старое Крюково" in names  # Zelenograd
    assert not okrugs & {"Троицкий", "Новомосковский"}
    assert len(names) == 125


@needs_boundaries
def test_unknown_names_are_left_out():
    clubs_map = city_map(
        title="Москва", link_for_district=link, fitted_to=["Атлантида"], selected="Атлантида"
    )

    assert len(clubs_map.districts) == 146  # fitted to nothing known: the whole city
    assert not clubs_map.selected_outline


def test_shades_cut_the_counts_into_runs_of_about_equal_length():
    counts = [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 100, 500]

    bounds = shade_bounds(counts)

    assert bounds == (3, 5, 8, 500)  # 1–3, 4–5, 6–8, 9–500: ten counts in four runs
    shades = [shade_of(count, bounds) for count in (0, 1, 3, 4, 8, 9, 500)]
    assert shades == [0, 1, 1, 2, 3, 4, 4]


def test_repeated_counts_give_fewer_shades_and_none_give_none():
    assert shade_bounds([5, 5, 5, 0]) == (5,)
    assert shade_of(5, (5,)) == 1
    assert shade_bounds([0, 0]) == ()
    assert shade_bounds([]) == ()
    assert shade_of(0, ()) == 0
