"""Finding a group for a child across the city: one selector over the database's own search.

135,000 groups are too many to hold in each web process, so the database answers: its
full-text index matches the dictionary forms of a programme's words (a GIN index on
PostgreSQL, FTS5 on SQLite: migration 0002), and every filter is a plain condition of the
same query. What stays in the process is small: the few thousand distinct words the
programmes use, from which the catalog's `Vocabulary` understands a parent's query (the
wrong keyboard layout, Latin letters, a misspelt or a derived word) before it is sent.

The vocabulary is read once per process and re-read when the programmes' words changed:
at most every VOCABULARY_RECHECK_SECONDS one aggregate query (count, last id, total
length of the words) tells whether they did; `forget_vocabulary` makes the next search
re-read at once. A vocabulary a minute old costs little: a word it does not know yet is
still matched exactly by the index when the query has no other, only its typos go
uncorrected.

"Near me" is a point: the browser's geolocation or coordinates given to the API, or else
an address typed by the parent. There is no geocoder, so an address is found among the
addresses of the venues we know (see `place_of_address`). Distances: a bounding box in SQL
narrows the venues, the exact great-circle distance is computed here.

Vendor-specific SQL is in `_FULL_TEXT` alone; the rest is the ORM.
"""

import json
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import time as time_of_day
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear, Length
from django.db.models.lookups import LessThan
from django.utils.translation import gettext as _

from gorod.catalog.search import Vocabulary
from gorod.clubs.geo import EARTH_RADIUS_KM, distance_km
from gorod.clubs.models import Direction, Group, GroupSession, Programme, Venue
from gorod.clubs.search import SearchWord, TextQuery, street_address, text_query
from gorod.core.errors import Invalid

DEFAULT_RADIUS_KM = 3.0
MAX_RADIUS_KM = 30.0
MAX_PER_PAGE = 100
VOCABULARY_RECHECK_SECONDS = 60.0
_KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
# The venues of one street a typed address is looked up among: even Ленинский проспект
# has fewer; past this the "street" is a fragment of many.
_STREET_VENUES_MAX = 2000
_STREETS_SHOWN = 5


@dataclass(frozen=True)
class GroupQuery:
    """What a parent looks for. Every criterion left empty does not narrow the search."""

    text: str = ""
    district: str | None = None
    okrug: str | None = None
    # The child's age in full years, or the birth date: then the age is taken on each
    # programme's start date, as enrollment checks it (DOMAIN.md).
    age: int | None = None
    birth_date: date | None = None
    direction: str | None = None
    # True: free programmes only; False: paid only; None: both.
    free: bool | None = None
    # The days the child can come (0 = Monday): every meeting of the group on one of them.
    weekdays: frozenset[int] = frozenset()
    # Every meeting of the group within these hours.
    time_from: time_of_day | None = None
    time_to: time_of_day | None = None
    # "Near me": (latitude, longitude) in degrees, or else an address typed by the parent.
    near: tuple[float, float] | None = None
    near_address: str = ""
    radius_km: float = DEFAULT_RADIUS_KM
    only_with_places: bool = False
    # The child's sex (accounts' values, "male" or "female"): programmes for everyone and
    # for this sex.
    sex: str | None = None

    def __post_init__(self) -> None:
        for problem in _problems_of(self):
            raise problem


def _problems_of(query: GroupQuery):
    if query.age is not None and query.birth_date is not None:
        yield Invalid(
            "age_twice", _("Укажите возраст или дату рождения, не то и другое."), field="age"
        )
    if query.age is not None and not 0 <= query.age <= 99:
        yield Invalid("age_invalid", _("Возраст — от 0 до 99 лет."), field="age")
    if query.direction is not None and query.direction not in Direction.values:
        yield Invalid("direction_invalid", _("Нет такой направленности."), field="direction")
    if not query.weekdays <= frozenset(range(7)):
        yield Invalid(
            "weekday_invalid", _("День недели — от 0 (понедельник) до 6."), field="weekdays"
        )
    if query.time_from and query.time_to and query.time_from >= query.time_to:
        yield Invalid(
            "time_window_invalid",
            _("Время «с» должно быть раньше времени «до»."),
            field="time_from",
        )
    if query.near is not None and not (-90 <= query.near[0] <= 90 and -180 <= query.near[1] <= 180):
        yield Invalid("coordinates_invalid", _("Координаты вне допустимых пределов."), field="near")
    if not 0 < query.radius_km <= MAX_RADIUS_KM:
        yield Invalid(
            "radius_invalid",
            _("Радиус поиска — до %(km)s км.") % {"km": int(MAX_RADIUS_KM)},
            field="radius_km",
        )
    if query.sex not in (None, Programme.Sex.BOYS, Programme.Sex.GIRLS):
        yield Invalid("sex_invalid", _("Пол — «male» или «female»."), field="sex")


@dataclass(frozen=True)
class Place:
    """Where "near me" is measured from, and how sure we are of it."""

    class Source:
        COORDINATES = "coordinates"  # given: geolocation or the API
        HOUSE = "house"  # a venue we know at the nearest house number on the typed street
        STREET = "street"  # the middle of the typed street's venues: no house matched

    lat: float
    lon: float
    source: str
    # The house the point stands at (HOUSE), and how far the point may be off (STREET:
    # the farthest of the street's venues from their middle).
    house: int | None = None
    within_km: float = 0.0


@dataclass(frozen=True)
class AddressMatch:
    place: Place | None
    # More than one street of that name: their names, for the parent to choose.
    streets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Understood:
    """The query as the finder understood it, to show above the results."""

    text: TextQuery | None
    place: Place | None
    near_address: str = ""
    address_streets: tuple[str, ...] = ()

    @property
    def address_not_found(self) -> bool:
        return bool(self.near_address) and self.place is None

    def notes(self) -> list[str]:
        """What the parent should know about how the query was read, as sentences."""
        notes = []
        if self.text is not None:
            notes.extend(_text_notes(self.text))
        if self.near_address:
            notes.append(_address_note(self))
        return notes


def _text_notes(text: TextQuery) -> list[str]:
    notes = []
    if text.rewrite is not None and text.rewrite.transliterated:
        notes.append(_("Набрано латиницей, ищем «%(text)s».") % {"text": text.text})
    elif text.rewrite is not None:
        notes.append(_("Набрано в другой раскладке, ищем «%(text)s».") % {"text": text.text})
    for typed, meant in text.corrections:
        notes.append(_("Исправлено: «%(typed)s» → «%(meant)s».") % {"typed": typed, "meant": meant})
    if text.unknown:
        words = ", ".join(f"«{word}»" for word in text.unknown)
        notes.append(_("Этих слов нет в описаниях программ: %(words)s.") % {"words": words})
    return notes


def _address_note(understood: Understood) -> str:
    place, address = understood.place, understood.near_address
    if place is None and understood.address_streets:
        return _("Адрес «%(address)s» подходит к нескольким улицам (%(streets)s): уточните.") % {
            "address": address,
            "streets": ", ".join(understood.address_streets),
        }
    if place is None:
        return _(
            "Адрес «%(address)s» не нашли среди улиц, где есть кружки, и расстояние не учли. "
            "Разрешите браузеру определить ваше местоположение или введите другой адрес."
        ) % {"address": address}
    if place.source == Place.Source.HOUSE:
        return _(
            "Расстояние считаем от дома %(house)s на улице из адреса «%(address)s»: "
            "это ближайший к вашему дом, где есть кружки."
        ) % {"house": place.house, "address": address}
    return _(
        "Расстояние считаем от середины улицы из адреса «%(address)s»: оно приблизительное, "
        "± %(km)s км."
    ) % {"address": address, "km": f"{place.within_km:.1f}"}


@dataclass(frozen=True)
class GroupHit:
    group: Group  # with its programme, organisation, venue and meetings loaded
    # From the "near me" point, when there is one.
    distance_km: float | None = None


@dataclass(frozen=True)
class GroupPage:
    hits: list[GroupHit]
    total: int
    page: int
    per_page: int
    understood: Understood

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


# --- the programmes' words ------------------------------------------------------------------


@dataclass(frozen=True)
class _ProgrammeWords:
    fingerprint: tuple
    vocabulary: Vocabulary


_lock = threading.Lock()
_words: _ProgrammeWords | None = None
# When the database was last checked, on the monotonic clock; never, at first.
_checked_at = -math.inf


def _fingerprint() -> tuple:
    row = Programme.objects.aggregate(
        count=Count("id"), last=Max("id"), letters=Sum(Length("search_lemmas"))
    )
    return (row["count"], row["last"], row["letters"])


def _read_vocabulary() -> Vocabulary:
    words: set[str] = set()
    lemmas = Programme.objects.values_list("search_lemmas", flat=True)
    for text in lemmas.iterator(chunk_size=5000):
        words.update(text.split())
    ordered = sorted(words)
    return Vocabulary(ordered, ordered)


def programme_vocabulary() -> Vocabulary:
    """The words the programmes use, read once per process and again when they changed."""
    global _words, _checked_at
    words = _words
    if words is not None and time.monotonic() - _checked_at < VOCABULARY_RECHECK_SECONDS:
        return words.vocabulary
    with _lock:
        # Another thread may have re-read them while this one waited for the lock.
        if _words is not None and time.monotonic() - _checked_at < VOCABULARY_RECHECK_SECONDS:
            return _words.vocabulary
        fingerprint = _fingerprint()
        if _words is None or _words.fingerprint != fingerprint:
            _words = _ProgrammeWords(fingerprint, _read_vocabulary())
        _checked_at = time.monotonic()
        return _words.vocabulary


def forget_vocabulary() -> None:
    """Have the next search in this process re-check the programmes' words at once: after
    a programme is written here (other processes follow within the recheck interval)."""
    global _checked_at
    _checked_at = -math.inf


# --- full text: the one vendor-specific place ------------------------------------------------

# Lemmas are letters and digits (catalog.search.normalize), so they need no escaping in a
# query; anything else is left out rather than trusted.
_LEXEME_RE = re.compile(r"[0-9a-zа-я]+")


def _lexemes(words: tuple[SearchWord, ...]) -> list[list[str]]:
    """Per word, its forms that are safe to put in a query; a word left with none, out."""
    safe = ([form for form in word.forms if _LEXEME_RE.fullmatch(form)] for word in words)
    return [forms for forms in safe if forms]


def _tsquery(words: tuple[SearchWord, ...]) -> str:
    return " & ".join(
        "(" + " | ".join(f"'{form}'" for form in forms) + ")" for forms in _lexemes(words)
    )


def _fts5_query(words: tuple[SearchWord, ...]) -> str:
    return " AND ".join(
        "(" + " OR ".join(f'"{form}"' for form in forms) + ")" for forms in _lexemes(words)
    )


@dataclass(frozen=True)
class _FullText:
    # The query in the database's own syntax.
    query: Callable[[tuple[SearchWord, ...]], str]
    # The ids of the programmes that match; one parameter, the query.
    matching: str
    # A set of ids from one parameter (a list): the statement is the same however many.
    ids: str
    ids_parameter: Callable[[list[int]], object]
    # Some of those programmes with their relevance, greater first; the query, then ids.
    ranked: str


_IDS = {"postgresql": "SELECT unnest(%s::bigint[])", "sqlite": "SELECT value FROM json_each(%s)"}

_FULL_TEXT = {
    # The expression is the index's (migration 0002), or the planner would not use it.
    # ts_rank's normalisation 1 divides by 1 + log(length): a programme that is about the
    # words outranks one that mentions them in a long description, as bm25 does.
    "postgresql": _FullText(
        query=_tsquery,
        matching="""
            SELECT id FROM clubs_programme
            WHERE to_tsvector('simple', search_lemmas) @@ to_tsquery('simple', %s)
        """,
        ids=_IDS["postgresql"],
        ids_parameter=list,
        ranked=f"""
            SELECT id, ts_rank(to_tsvector('simple', search_lemmas), to_tsquery('simple', %s), 1)
            FROM clubs_programme WHERE id IN ({_IDS["postgresql"]})
        """,  # noqa: S608 - a constant of this module
    ),
    # bm25() is lower for a better match. The unary + keeps FTS5 from taking the ids as
    # rowid lookups, each a new match of the whole query (seconds for a common word):
    # the match is read once and the ids only filter it.
    "sqlite": _FullText(
        query=_fts5_query,
        matching="SELECT rowid FROM clubs_programme_fts WHERE clubs_programme_fts MATCH %s",
        ids=_IDS["sqlite"],
        ids_parameter=json.dumps,
        ranked=f"""
            SELECT rowid, -bm25(clubs_programme_fts) FROM clubs_programme_fts
            WHERE clubs_programme_fts MATCH %s AND +rowid IN ({_IDS["sqlite"]})
        """,  # noqa: S608 - a constant of this module
    ),
}


class _TextMatch:
    """The programmes that match the words, read from the index once; the groups of them;
    the relevance of those the page is chosen among.

    The match is not repeated inside the groups' query: there PostgreSQL's generic plan
    for a prepared statement (psycopg prepares from a statement's second run) parsed every
    candidate programme's words instead of reading the index (0.7 s, not 25 ms). Relevance
    is a programme's, computed once for each programme among the groups that fit every
    other criterion: on PostgreSQL each costs parsing its words, and a district holds a
    few dozen of the city's 1,500 football programmes.
    """

    def __init__(self, words: tuple[SearchWord, ...]) -> None:
        self._sql = _FULL_TEXT[connection.vendor]
        self._query = self._sql.query(words)
        with connection.cursor() as cursor:
            cursor.execute(self._sql.matching, [self._query])
            self.programmes = [programme_id for (programme_id,) in cursor.fetchall()]

    def groups(self, groups: QuerySet[Group]) -> QuerySet[Group]:
        ids = self._sql.ids_parameter(self.programmes)
        return groups.filter(programme_id__in=RawSQL(self._sql.ids, [ids]))  # noqa: S611

    def relevance(self, programmes: set[int]) -> dict[int, float]:
        ids = self._sql.ids_parameter(sorted(programmes))
        with connection.cursor() as cursor:
            cursor.execute(self._sql.ranked, [self._query, ids])
            return dict(cursor.fetchall())


# --- filters ---------------------------------------------------------------------------------


def _age_on_start(birth_date: date):
    """The child's full years on the group's programme's start date, as `age_on` counts
    them: a birthday later in the year than the start date is not yet had."""
    starts_on = "programme__starts_on"
    birthday_not_yet = LessThan(
        ExtractMonth(starts_on) * 100 + ExtractDay(starts_on),
        birth_date.month * 100 + birth_date.day,
    )
    return (
        ExtractYear(starts_on)
        - birth_date.year
        - Case(When(birthday_not_yet, then=Value(1)), default=Value(0))
    )


def _schedule_fits(groups: QuerySet[Group], query: GroupQuery) -> QuerySet[Group]:
    """Groups every meeting of which falls on the days and within the hours asked for; a
    group with no meetings yet cannot be said to fit."""
    outside = Q()
    if query.weekdays:
        outside |= ~Q(weekday__in=query.weekdays)
    if query.time_from is not None:
        outside |= Q(starts_at__lt=query.time_from)
    if query.time_to is not None:
        outside |= Q(ends_at__gt=query.time_to)
    if not outside:
        return groups
    meetings = GroupSession.objects.filter(group=OuterRef("pk"))
    return groups.filter(Exists(meetings)).exclude(Exists(meetings.filter(outside)))


def _filtered(query: GroupQuery) -> QuerySet[Group]:
    groups = Group.objects.filter(active=True)
    if query.district:
        groups = groups.filter(venue__district=query.district)
    if query.okrug:
        groups = groups.filter(venue__okrug=query.okrug)
    if query.direction:
        groups = groups.filter(programme__direction=query.direction)
    if query.free is not None:
        groups = groups.filter(programme__is_free=query.free)
    if query.sex:
        groups = groups.filter(programme__sex__in=[Programme.Sex.ANY, query.sex])
    if query.only_with_places:
        groups = groups.filter(taken__lt=F("capacity"))
    if query.age is not None:
        groups = groups.filter(programme__age_min__lte=query.age, programme__age_max__gte=query.age)
    if query.birth_date is not None:
        groups = groups.alias(age_on_start=_age_on_start(query.birth_date)).filter(
            age_on_start__gte=F("programme__age_min"), age_on_start__lte=F("programme__age_max")
        )
    return _schedule_fits(groups, query)


# --- near --------------------------------------------------------------------------------------


def _in_box(groups: QuerySet[Group], place: Place, radius_km: float) -> QuerySet[Group]:
    """The groups whose venue is in the box of latitudes and longitudes around the circle:
    the database narrows, the exact distance is computed here (`_within`)."""
    # A hair wider than the circle, so that rounding never leaves a venue out.
    lat_span = 1.01 * radius_km / _KM_PER_DEGREE
    lon_span = lat_span / max(math.cos(math.radians(place.lat)), 0.01)
    return groups.filter(
        venue__lat__range=(_degrees(place.lat - lat_span), _degrees(place.lat + lat_span)),
        venue__lon__range=(_degrees(place.lon - lon_span), _degrees(place.lon + lon_span)),
    )


def _within(rows: list[tuple], place: Place, radius_km: float) -> dict[int, float]:
    """The venues of `rows` (group id, programme, venue, latitude, longitude) within
    `radius_km` of the place, with their distance; each venue's computed once."""
    distances: dict[int, float] = {}
    outside: set[int] = set()
    for _group, _programme, venue_id, lat, lon in rows:
        if venue_id in distances or venue_id in outside:
            continue
        km = distance_km(place.lat, place.lon, float(lat), float(lon))
        if km <= radius_km:
            distances[venue_id] = km
        else:
            outside.add(venue_id)
    return distances


def _degrees(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _letters_pattern(stem: str) -> str:
    # An address may write ё where the parent (and normalize) wrote е.
    return re.escape(stem).replace("е", "[её]")


def place_of_address(address: str) -> AddressMatch:
    """Where an address typed by a parent is, from the venues we know on its street.

    There is no geocoder: the street is matched against the streets of venues with
    coordinates (words in dictionary form, any order, so "Профсоюзная 12" is "ул.
    Профсоюзная, дом 12"), and the point is the venue at the nearest house number on the
    same side of the street, or the middle of the street's venues when no number helps.
    A street with no venue of ours, a village, a landmark or a typo in the street's name
    is not found.
    """
    typed = street_address(address)
    if typed is None:
        return AddressMatch(place=None)
    venues = Venue.objects.filter(lat__isnull=False, lon__isnull=False).order_by()
    # Case-insensitive on both databases (SQLite's REGEXP is Python's re); PostgreSQL finds
    # the candidates through the trigram index on the address.
    for stem in typed.lookup_stems:
        venues = venues.filter(address__iregex=_letters_pattern(stem))
    streets: dict[frozenset[str], list[tuple[int | None, float, float]]] = {}
    names: dict[frozenset[str], str] = {}
    for venue_address, lat, lon in venues.values_list("address", "lat", "lon")[:_STREET_VENUES_MAX]:
        known = street_address(venue_address)
        if known is not None and typed.key <= known.key:
            streets.setdefault(known.key, []).append((known.house, float(lat), float(lon)))
            names.setdefault(known.key, " ".join(known.words))
    if typed.key in streets:
        street = typed.key
    elif len(streets) == 1:
        (street,) = streets
    else:
        return AddressMatch(place=None, streets=tuple(sorted(names.values()))[:_STREETS_SHOWN])
    return AddressMatch(place=_point_on_street(streets[street], typed.house))


def _point_on_street(venues: list[tuple[int | None, float, float]], house: int | None) -> Place:
    numbered = [venue for venue in venues if venue[0] is not None]
    if house is not None and numbered:
        # Odd and even numbers run along opposite sides of a Moscow street.
        same_side = [venue for venue in numbered if venue[0] % 2 == house % 2] or numbered
        nearest = min(same_side, key=lambda venue: (abs(venue[0] - house), venue[0]))
        at = [venue for venue in same_side if venue[0] == nearest[0]]
        lat, lon = _middle(at)
        return Place(lat=lat, lon=lon, source=Place.Source.HOUSE, house=nearest[0])
    lat, lon = _middle(venues)
    spread = max(distance_km(lat, lon, venue[1], venue[2]) for venue in venues)
    return Place(lat=lat, lon=lon, source=Place.Source.STREET, within_km=spread)


def _middle(venues: list[tuple[int | None, float, float]]) -> tuple[float, float]:
    return (
        sum(venue[1] for venue in venues) / len(venues),
        sum(venue[2] for venue in venues) / len(venues),
    )


def _place_of(query: GroupQuery) -> tuple[Place | None, tuple[str, ...]]:
    if query.near is not None:
        lat, lon = query.near
        return Place(lat=lat, lon=lon, source=Place.Source.COORDINATES), ()
    if query.near_address.strip():
        match = place_of_address(query.near_address)
        return match.place, match.streets
    return None, ()


# --- the selector ------------------------------------------------------------------------------

# Without text or a place: the groups with most free places first, then by name.
_BY_PLACES = ((F("capacity") - F("taken")).desc(), "programme__title", "name", "id")


def _loaded(groups: QuerySet[Group]) -> QuerySet[Group]:
    return groups.select_related("programme__organisation", "venue").prefetch_related("sessions")


def groups_find(*, query: GroupQuery, page: int = 1, per_page: int = 20) -> GroupPage:
    """Active groups that fit the query, a page of them and how many in all.

    Ordered by relevance to the text when there is text, else by distance when there is a
    place, else by free places and name. Each hit carries its distance from the place.
    """
    if page < 1:
        raise Invalid("page_invalid", _("Номер страницы — от 1."), field="page")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise Invalid(
            "per_page_invalid",
            _("На странице — от 1 до %(most)s групп.") % {"most": MAX_PER_PAGE},
            field="per_page",
        )
    text = text_query(query.text, programme_vocabulary()) if query.text.strip() else None
    place, streets = _place_of(query)
    # An address typed beside coordinates was not used: nothing to say about it.
    near_address = query.near_address.strip() if query.near is None else ""
    understood = Understood(
        text=text, place=place, near_address=near_address, address_streets=streets
    )
    groups = _filtered(query)
    if place is not None:
        groups = _in_box(groups, place, query.radius_km)
    matched = _TextMatch(text.words) if text is not None and text.words else None
    if matched is not None:
        if not matched.programmes:
            return GroupPage(hits=[], total=0, page=page, per_page=per_page, understood=understood)
        groups = matched.groups(groups)
    start = (page - 1) * per_page
    if matched is None and place is None:
        total = groups.count()
        found = list(_loaded(groups.order_by(*_BY_PLACES))[start : start + per_page])
        distances = {}
    else:
        found, total, distances = _ordered_here(
            groups, matched, place, query.radius_km, slice(start, start + per_page)
        )
    hits = [GroupHit(group, distances.get(group.venue_id)) for group in found]
    return GroupPage(hits=hits, total=total, page=page, per_page=per_page, understood=understood)


def _ordered_here(
    groups: QuerySet[Group],
    matched: _TextMatch | None,
    place: Place | None,
    radius_km: float,
    shown: slice,
) -> tuple[list[Group], int, dict[int, float]]:
    """A page of the groups by relevance (when there is text) or else by distance, their
    number, and the distance of each venue within the circle (when there is a place).

    Relevance and distance are known here, not to the database: the fitting groups' ids
    come in their order by free places and name, and a stable sort keeps that order among
    equals. Even tens of thousands of ids are a few milliseconds to read and sort.
    """
    fields = ["id", "programme_id", "venue_id"]
    if place is not None:
        fields += ["venue__lat", "venue__lon"]
    rows = list(groups.order_by(*_BY_PLACES).values_list(*fields))
    distances: dict[int, float] = {}
    if place is not None:
        distances = _within(rows, place, radius_km)
        rows = [row for row in rows if row[2] in distances]
    if matched is not None and rows:
        relevance = matched.relevance({row[1] for row in rows})
        rows.sort(key=lambda row: -relevance[row[1]])
    else:
        rows.sort(key=lambda row: distances[row[2]])
    page_ids = [row[0] for row in rows[shown]]
    by_id = _loaded(Group.objects.filter(id__in=page_ids)).in_bulk()
    return [by_id[group_id] for group_id in page_ids], len(rows), distances
