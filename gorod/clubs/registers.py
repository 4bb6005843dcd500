"""The lines of the city's two registers of clubs and sports sections, read and checked.

moscow_additional_education_by_direction_2013.csv lists an organisation of additional
education under one of the register's eleven directions, with its main building and WGS84
coordinates; the building's district is the one the coordinates fall in (gorod.clubs.geo).
moscow_sport_sections_2013.csv lists a sport taught at a venue of a parent organisation for
an age band and a sex, naming the venue's district; it has no coordinates.

Each parser returns a checked row or every reason why the line is bad, each naming its
column, in the way of gorod.core.importing. Two lines of the direction register lost their
full name, and their short name and address moved one column to the left (a grid
coordinate sits in the address column): they are read as what they hold, and the row says
so. A district is named as the boundaries name it, whatever case and ё the register used.
"""

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from gorod.clubs import geo
from gorod.clubs.models import Direction, Organisation, Programme, Venue
from gorod.core.importing import RowProblem, coordinate_field, text_field, unique_rows

ORGANISATION_COLUMNS = (
    "direction",
    "name",
    "short_name",
    "address",
    "institution_kind",
    "phone",
    "website",
    "lat",
    "lon",
)
SECTION_COLUMNS = (
    "venue_name",
    "address",
    "sport",
    "gender",
    "age",
    "adm_okrug",
    "district",
    "parent_org",
    "parent_org_address",
)

# The register's eleven directions (приказ Минобрнауки № 1008 of 2008) in the six of
# today's order (Минпросвещения № 629 of 2018), each where its content went.
REGISTER_DIRECTIONS = {
    # Music, dance, the fine and applied arts: the arts, under both orders.
    "Художественно-эстетическое": Direction.ARTS,
    # History and cultures of the world, museums, languages: the humanities.
    "Культурологическое": Direction.SOCIAL,
    # Leadership, volunteering, psychology, getting ready for school: the social direction.
    "Социально-педагогическое": Direction.SOCIAL,
    "Физкультурно-спортивное": Direction.SPORTS,
    # Robotics, modelling, radio, computing: technical creativity.
    "Научно-техническое": Direction.TECHNICAL,
    # The 2018 order has no direction of its own for it: its clubs (history of the army,
    # cadet classes) count as social and humanitarian.
    "Военно-патриотическое": Direction.SOCIAL,
    "Туристско-краеведческое": Direction.TOURISM,
    "Естественнонаучное": Direction.SCIENCE,
    # Ecology and biology are natural sciences.
    "Эколого-биологическое": Direction.SCIENCE,
    # Economics, law, finance for children: the social sciences.
    "Социально-экономическое": Direction.SOCIAL,
    # Karting, motor and model sports: a machine is built and tuned, so technical.
    "Спортивно-техническое": Direction.TECHNICAL,
}
SEXES = {
    "мужской": Programme.Sex.BOYS,
    "женский": Programme.Sex.GIRLS,
    "мужской/женский": Programme.Sex.ANY,
}

# A section's ages, in the register's words: "12-17", "7 и старше", "от 12", "до 12",
# "Все возраста", several bands ("10-18, 6-9"; "3,5" is a number, not two), and who the
# section is for ("Инвалиды 7-18", "10-17 (Инвалиды по слуху)").
CHILDREN_UNTIL = 18
# "Все возраста" and "до N" start where the city's children's clubs do (DOMAIN.md: 5–18).
CHILDREN_FROM = 5
# The youngest a programme may take (its CHECK): a band from 2 starts at 3 here.
YOUNGEST = 3
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_RANGE = re.compile(rf"{_NUMBER}\s*-\s*{_NUMBER}")
_AND_OLDER = re.compile(rf"(?:от\s+{_NUMBER}|{_NUMBER}\s+и\s+старше)")
_UNDER = re.compile(rf"до\s+{_NUMBER}")
_SINGLE = re.compile(_NUMBER)
_ALL_AGES = "все возраста"
_BAND_SEPARATOR = re.compile(r"\s*;\s*|,\s+")
_NOTE = re.compile(r"\(?\b(инвалиды(?:\s+по\s+слуху)?)\b\)?", re.IGNORECASE)
_PENSIONERS = re.compile(r"пенсионер", re.IGNORECASE)

# The sports register calls one district by its municipal unit's name ("внутригородское
# муниципальное образование Таганское"), the boundaries by the district's (by geo.name_key).
_DISTRICT_RENAMED = {"таганское": "Таганский"}

# Two rows of the direction register: the address column holds a bare number and the
# short name column an address (it starts with the postcode).
_NUMBER_ONLY = re.compile(r"\d+(?:\.\d+)?")
_POSTCODE_FIRST = re.compile(r"\d{6}\b")


def _width(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@dataclass(frozen=True)
class Ages:
    """A section's ages as the register gives them."""

    # The children's part, both ends included; None when the section takes adults only.
    children: tuple[int, int] | None
    # Who the section is for, in the register's words ("инвалиды"), or "".
    note: str = ""


def _years(text: str, *, up: bool) -> int:
    # "3,5 и старше" takes no child of three: a fractional lower end is the next full year.
    value = float(text.replace(",", "."))
    return math.ceil(value) if up else math.floor(value)


def _band(text: str) -> tuple[int, int] | None:
    """One band's ends (the upper one CHILDREN_UNTIL when open), or None if unreadable."""
    if text == _ALL_AGES:
        return CHILDREN_FROM, CHILDREN_UNTIL
    if match := _RANGE.fullmatch(text):
        low, high = _years(match[1], up=True), _years(match[2], up=False)
        return (low, high) if low <= high else None
    if match := _AND_OLDER.fullmatch(text):
        return _years(match[1] or match[2], up=True), CHILDREN_UNTIL
    if match := _UNDER.fullmatch(text):
        return CHILDREN_FROM, _years(match[1], up=False)
    if match := _SINGLE.fullmatch(text):
        return _years(match[1], up=True), _years(match[1], up=False)
    return None


def ages_parsed(text: str) -> Ages | None:
    """The ages of an `age` column, or None if it cannot be read. A band that starts past
    17 is an adults' one; a section with several bands is one programme from the youngest
    child it takes to the oldest (its groups keep the bands apart)."""
    if _PENSIONERS.search(text):
        return Ages(children=None)
    note = ""
    if match := _NOTE.search(text):
        note = match[1].casefold()
        text = text[: match.start()] + text[match.end() :]
    parts = [part for part in _BAND_SEPARATOR.split(text.strip(" ,;").casefold()) if part]
    bands = [_band(part) for part in parts]
    if not bands or None in bands:
        return None
    children = [
        (max(low, YOUNGEST), min(high, CHILDREN_UNTIL))
        for low, high in bands
        if low < CHILDREN_UNTIL
    ]
    if not children:
        return Ages(children=None, note=note)
    return Ages(
        children=(min(low for low, _high in children), max(high for _low, high in children)),
        note=note,
    )


@dataclass(frozen=True)
class VenueRow:
    """Where a section meets, or an organisation's building, and its district."""

    name: str
    address: str
    district: str
    okrug: str
    lat: Decimal | None = None
    lon: Decimal | None = None


@dataclass(frozen=True)
class ListingRow:
    """One line of the direction register: an organisation under one direction."""

    line: int
    name: str
    short_name: str
    kind: str
    address: str
    phone: str
    website: str
    direction: str
    venue: VenueRow
    # How the line was read otherwise than its columns say (the module's docstring).
    repaired: str = ""


@dataclass(frozen=True)
class SectionRow:
    """One line of the sports register: a sport at a venue of an organisation."""

    line: int
    organisation: str
    organisation_address: str
    venue: VenueRow
    sport: str
    ages: Ages
    sex: str


def _cells(raw: Mapping, columns: tuple[str, ...]) -> dict[str, str] | None:
    """The row's stripped text by column, or None when it has more fields than columns."""
    if None in raw:
        return None
    return {column: (raw.get(column) or "").strip() for column in columns}


def _moved_left(row: dict[str, str]) -> bool:
    return bool(_NUMBER_ONLY.fullmatch(row["address"]) and _POSTCODE_FIRST.match(row["short_name"]))


def _district_of(lat: Decimal | None, lon: Decimal | None) -> tuple[str, str]:
    district = geo.district_at(float(lat), float(lon)) if lat is not None else None
    return (district.name, district.okrug) if district is not None else ("", "")


def parse_listing(raw: Mapping, line: int) -> ListingRow | list[str]:
    """A checked line of the direction register, or every reason why it is bad."""
    row = _cells(raw, ORGANISATION_COLUMNS)
    if row is None:
        return [_("полей больше, чем столбцов в заголовке")]
    repaired = ""
    if _moved_left(row):
        row = {**row, "short_name": row["name"], "address": row["short_name"]}
        repaired = _(
            "нет полного наименования, а наименование и адрес сдвинуты на столбец влево: "
            "прочитано как «%(name)s», адрес «%(address)s»"
        ) % {"name": row["name"], "address": row["address"]}
    errors: list[str] = []
    direction = REGISTER_DIRECTIONS.get(row["direction"])
    if direction is None:
        errors.append(
            _("direction: неизвестная направленность «%(value)s»; известны: %(known)s")
            % {"value": row["direction"], "known": ", ".join(REGISTER_DIRECTIONS)}
        )
    name = text_field(row, "name", errors, limit=_width(Organisation, "name"))
    short_name = text_field(row, "short_name", errors, limit=_width(Organisation, "short_name"))
    address = text_field(row, "address", errors, limit=_width(Venue, "address"))
    kind = text_field(
        row, "institution_kind", errors, limit=_width(Organisation, "kind"), required=False
    )
    phone = text_field(row, "phone", errors, limit=_width(Organisation, "phone"), required=False)
    website = text_field(
        row, "website", errors, limit=_width(Organisation, "website"), required=False
    )
    lat = coordinate_field(row, "lat", errors, bound=90)
    lon = coordinate_field(row, "lon", errors, bound=180)
    if bool(row["lat"]) != bool(row["lon"]):
        errors.append(_("lat, lon: координаты указываются обе или ни одной"))
    if errors:
        return errors
    district, okrug = _district_of(lat, lon)
    return ListingRow(
        line=line,
        name=name,
        short_name=short_name,
        kind=kind,
        address=address,
        phone=phone,
        website=website,
        direction=direction,
        venue=VenueRow(short_name, address, district, okrug, lat, lon),
        repaired=repaired,
    )


def parse_listings(records: Iterable[tuple[int, Mapping]]) -> tuple[list, list[RowProblem]]:
    """Check every line; the same organisation twice under one direction is a problem."""
    return unique_rows(
        records,
        parse_listing,
        key=lambda row: (row.name, row.address, row.direction),
        repeated=lambda _row, first: (
            _(
                "name, address, direction: эта организация с этой направленностью уже есть в "
                "строке %(first)d"
            )
            % {"first": first}
        ),
    )


def _section_district(row: dict[str, str], errors: list[str]) -> geo.District | None:
    """The district the line names, as the boundaries name it, checked against its okrug."""
    if not text_field(row, "district", errors, limit=_width(Venue, "district")):
        return None
    named = _DISTRICT_RENAMED.get(geo.name_key(row["district"]), row["district"])
    district = geo.district_named(named)
    if district is None:
        errors.append(
            _("district: в границах районов города нет района «%(value)s»")
            % {"value": row["district"]}
        )
    elif district.okrug != row["adm_okrug"]:
        errors.append(
            _("adm_okrug: район %(district)s — в округе %(okrug)s, а не «%(value)s»")
            % {"district": district.name, "okrug": district.okrug, "value": row["adm_okrug"]}
        )
    return district


def parse_section(raw: Mapping, line: int) -> SectionRow | list[str]:
    """A checked line of the sports register, or every reason why it is bad."""
    row = _cells(raw, SECTION_COLUMNS)
    if row is None:
        return [_("полей больше, чем столбцов в заголовке")]
    errors: list[str] = []
    # The parent organisation is named once, so its name is its short name too.
    organisation = text_field(row, "parent_org", errors, limit=_width(Organisation, "short_name"))
    organisation_address = text_field(
        row, "parent_org_address", errors, limit=_width(Organisation, "address"), required=False
    )
    venue_name = text_field(row, "venue_name", errors, limit=_width(Venue, "name"))
    address = text_field(row, "address", errors, limit=_width(Venue, "address"))
    sport = text_field(row, "sport", errors, limit=_width(Programme, "activity"))
    sex = SEXES.get(row["gender"])
    if sex is None:
        errors.append(
            _("gender: нужно «%(known)s», а не «%(value)s»")
            % {"known": "», «".join(SEXES), "value": row["gender"]}
        )
    ages = ages_parsed(row["age"])
    if ages is None:
        errors.append(
            _(
                "age: возраст не читается: «%(value)s»; нужно «7-17», «7 и старше» "
                "или «Все возраста»"
            )
            % {"value": row["age"]}
        )
    district = _section_district(row, errors)
    if errors:
        return errors
    return SectionRow(
        line=line,
        organisation=organisation,
        organisation_address=organisation_address,
        venue=VenueRow(venue_name, address, district.name, district.okrug),
        sport=sport,
        ages=ages,
        sex=sex,
    )


def parse_sections(records: Iterable[tuple[int, Mapping]]) -> tuple[list, list[RowProblem]]:
    """Check every line. A line repeated is no problem: the register lists a section again
    with another phone, and it is the same programme at the same venue."""
    rows: list[SectionRow] = []
    problems: list[RowProblem] = []
    for line, raw in records:
        parsed = parse_section(raw, line)
        if isinstance(parsed, list):
            problems.append(RowProblem(line, "; ".join(str(reason) for reason in parsed)))
        else:
            rows.append(parsed)
    return rows, problems
