"""Finding a group: the database's full-text search, every filter, the order, the pages,
"near me" by coordinates and by an address, and the queries it takes (both databases)."""

from datetime import date, time
from decimal import Decimal

import pytest

from gorod.catalog.search import switch_layout
from gorod.clubs import finder
from gorod.clubs.finder import GroupQuery, Place, groups_find
from gorod.clubs.models import Direction, Programme
from gorod.clubs.rules import age_fits
from gorod.clubs.search import lemmas_of
from gorod.clubs.tests.factories import (
    GroupFactory,
    GroupSessionFactory,
    OrganisationFactory,
    ProgrammeFactory,
    VenueFactory,
)
from gorod.core.errors import Invalid

pytestmark = pytest.mark.django_db

# Хамовники: a point on Льва Толстого, and what lies 1 km and 5 km north of it.
HOME = (55.7338, 37.5874)
KM_NORTH = 1 / 111.195  # degrees of latitude in a kilometre


@pytest.fixture(autouse=True)
def _fresh_vocabulary():
    """Each test writes its own programmes: the next search reads their words."""
    finder.forget_vocabulary()


def group_of(
    title="Шахматы",
    *,
    description="",
    weekday=0,
    start=time(16),
    end=time(17),
    venue=None,
    **programme,
):
    """A group of a new programme, meeting once a week."""
    programme.setdefault("organisation", venue.organisation if venue else OrganisationFactory())
    group = GroupFactory(
        programme=ProgrammeFactory(title=title, description=description, **programme),
        **({"venue": venue} if venue else {}),
    )
    GroupSessionFactory(group=group, weekday=weekday, starts_at=start, ends_at=end)
    return group


def found(**query) -> list:
    return [hit.group for hit in groups_find(query=GroupQuery(**query), per_page=100).hits]


# --- words ---------------------------------------------------------------------------------


def test_an_inflected_word_finds_the_programme():
    chess = group_of("Шахматы")
    group_of("Плавание")

    assert found(text="шахматами") == [chess]


def test_a_derived_word_is_found_too():
    club = group_of("Шахматный клуб «Ладья»")

    assert found(text="шахматы") == [club]


def test_a_query_in_the_wrong_layout_is_retyped_and_said_so():
    chess = group_of("Шахматы")

    page = groups_find(query=GroupQuery(text=switch_layout("шахматы")))

    assert [hit.group for hit in page.hits] == [chess]
    assert page.understood.notes() == ["Набрано в другой раскладке, ищем «шахматы»."]


def test_a_misspelt_word_is_corrected_and_said_so():
    chess = group_of("Шахматы")

    page = groups_find(query=GroupQuery(text="шахмоты"))

    assert [hit.group for hit in page.hits] == [chess]
    assert page.understood.notes() == ["Исправлено: «шахмоты» → «шахматы»."]


def test_every_word_must_match_and_an_unknown_one_is_left_out():
    beginners = group_of("Шахматы для начинающих")
    group_of("Шахматы: турнирная подготовка")

    assert found(text="шахматы начинающим") == [beginners]
    page = groups_find(query=GroupQuery(text="шахматы для начинающих, сокольники"))
    assert [hit.group for hit in page.hits] == [beginners]
    assert page.understood.notes() == ["Этих слов нет в описаниях программ: «сокольники»."]


def test_a_text_no_programme_matches_finds_nothing():
    group_of("Шахматы")

    page = groups_find(query=GroupQuery(text="тхэквондо"))

    assert (page.hits, page.total, page.pages) == ([], 0, 1)


def test_a_word_new_since_the_vocabulary_was_read_is_still_found(monkeypatch):
    group_of("Шахматы")
    found(text="шахматы")  # the vocabulary is read now
    monkeypatch.setattr(finder, "VOCABULARY_RECHECK_SECONDS", 3600)
    taekwondo = group_of("Тхэквондо")

    assert found(text="тхэквондо") == [taekwondo]


def test_the_vocabulary_is_re_read_when_the_programmes_changed(
    monkeypatch, django_assert_num_queries
):
    group_of("Шахматы")
    found(text="шахматы")
    monkeypatch.setattr(finder, "VOCABULARY_RECHECK_SECONDS", 0)
    with django_assert_num_queries(1):  # the fingerprint only: nothing changed
        finder.programme_vocabulary()
    group_of("Робототехника")

    # The misspelling is corrected only against the re-read words.
    assert [
        hit.group.programme.title
        for hit in groups_find(query=GroupQuery(text="работотехника")).hits
    ] == ["Робототехника"]


def test_the_index_follows_a_programme_renamed_and_deleted():
    group = group_of("Шахматы")
    programme = group.programme
    programme.title = "Шашки"
    programme.search_lemmas = lemmas_of(programme.title)
    programme.save()

    assert found(text="шашки") == [group]
    assert found(text="шахматы") == []
    group.delete()
    programme.delete()
    assert found(text="шашки") == []


def test_programmes_written_in_bulk_are_indexed():
    organisation = OrganisationFactory()
    venue = VenueFactory(organisation=organisation)
    (programme,) = Programme.objects.bulk_create(
        [
            Programme(
                organisation=organisation,
                title="Хор",
                direction=Direction.ARTS,
                age_min=7,
                age_max=12,
                starts_on=date(2026, 9, 1),
                search_lemmas=lemmas_of("Хор"),
            )
        ]
    )
    choir = GroupFactory(programme=Programme.objects.get(pk=programme.pk), venue=venue)

    assert found(text="хор") == [choir]


# --- filters: each finds the group that fits and leaves the other out ----------------------


def test_by_district_and_okrug():
    here = group_of(venue=VenueFactory(district="Хамовники", okrug="ЦАО"))
    there = group_of(venue=VenueFactory(district="Раменки", okrug="ЗАО"))

    assert found(district="Хамовники") == [here]
    assert found(okrug="ЗАО") == [there]


def test_by_age():
    small = group_of(age_min=5, age_max=7)
    group_of(age_min=8, age_max=12)

    assert found(age=6) == [small]


def test_by_birth_date_the_age_is_taken_on_the_programmes_start_date():
    group = group_of(age_min=7, age_max=10, starts_on=date(2026, 9, 1))

    # Seven on 15 September, after the start: six on the start date, so not yet.
    assert found(birth_date=date(2019, 9, 15)) == []
    assert found(birth_date=date(2019, 9, 1)) == [group]
    assert found(birth_date=date(2015, 8, 31)) == []  # eleven on the start date


@pytest.mark.parametrize(
    "birth_date",
    [date(2019, 8, 31), date(2019, 9, 1), date(2019, 9, 2), date(2016, 2, 29), date(2015, 3, 1)],
)
def test_the_age_on_the_start_date_is_the_rules(birth_date):
    """The query's date arithmetic and the rule of enrollment agree, 29 February too."""
    starts = [date(2026, 9, 1), date(2027, 2, 28), date(2027, 3, 1), date(2028, 2, 29)]
    groups = {
        starts_on: group_of(f"Хор {n}", age_min=7, age_max=10, starts_on=starts_on)
        for n, starts_on in enumerate(starts)
    }

    expected = {
        groups[starts_on]
        for starts_on in starts
        if age_fits(birth_date=birth_date, starts_on=starts_on, age_min=7, age_max=10)
    }

    assert set(found(birth_date=birth_date)) == expected


def test_by_direction():
    sports = group_of("Футбол", direction=Direction.SPORTS)
    group_of("Хор", direction=Direction.ARTS)

    assert found(direction=Direction.SPORTS) == [sports]


def test_free_paid_or_both():
    free = group_of("Хор", is_free=True)
    paid = group_of("Вокал", is_free=False, price_month=Decimal("3000.00"))

    assert found(free=True) == [free]
    assert found(free=False) == [paid]
    assert set(found()) == {free, paid}


def test_by_sex():
    boys = group_of("Футбол", sex=Programme.Sex.BOYS)
    everyone = group_of("Хор", sex=Programme.Sex.ANY)

    assert set(found(sex=Programme.Sex.BOYS)) == {boys, everyone}
    assert found(sex=Programme.Sex.GIRLS) == [everyone]


def test_by_weekdays_every_meeting_on_a_day_the_child_can_come():
    tuesday = group_of("Хор", weekday=1)
    tuesday_and_saturday = group_of("Футбол", weekday=1)
    GroupSessionFactory(group=tuesday_and_saturday, weekday=5)
    GroupFactory()  # no meetings yet

    assert found(weekdays=frozenset({1})) == [tuesday]
    assert set(found(weekdays=frozenset({1, 5}))) == {tuesday, tuesday_and_saturday}


def test_by_time_every_meeting_within_the_hours():
    afternoon = group_of("Хор", start=time(16), end=time(17))
    evening = group_of("Футбол", start=time(18), end=time(19, 30))
    GroupSessionFactory(group=afternoon, weekday=3, starts_at=time(15), ends_at=time(16))

    assert found(time_to=time(18)) == [afternoon]
    assert found(time_from=time(17, 30)) == [evening]
    assert found(time_from=time(15, 30)) == [evening]  # one meeting starts at 15:00


def test_only_with_free_places():
    open_group = group_of("Хор")
    full = group_of("Футбол")
    full.taken = full.capacity
    full.save()

    assert found(only_with_places=True) == [open_group]
    assert set(found()) == {open_group, full}


def test_only_active_groups():
    closed = group_of("Футбол")
    closed.active = False
    closed.save()

    assert found() == []


def test_near_coordinates_within_the_radius_with_the_distance():
    near = group_of("Хор", venue=VenueFactory(lat=Decimal("55.742793"), lon=Decimal("37.587400")))
    group_of("Футбол", venue=VenueFactory(lat=Decimal("55.778766"), lon=Decimal("37.587400")))

    page = groups_find(query=GroupQuery(near=HOME, radius_km=3))

    assert [hit.group for hit in page.hits] == [near]
    assert page.hits[0].distance_km == pytest.approx(1.0, abs=0.01)
    assert page.understood.place.source == Place.Source.COORDINATES


# --- near an address -------------------------------------------------------------------------


def venue_at(address, lat, lon=37.5874):
    return VenueFactory(address=address, lat=Decimal(f"{lat:.6f}"), lon=Decimal(f"{lon:.6f}"))


def test_an_address_is_placed_at_the_nearest_house_we_know_on_its_side_of_the_street():
    venue_at("119021, г. Москва, улица Льва Толстого, дом 2", HOME[0])
    venue_at("улица Льва Толстого, дом 17", HOME[0] + KM_NORTH)
    venue_at("улица Льва Толстого, дом 30", HOME[0] + 2 * KM_NORTH)
    venue_at("Комсомольский проспект, дом 13", HOME[0] + 3 * KM_NORTH)

    match = finder.place_of_address("Льва Толстого, 13")

    assert match.place.source == Place.Source.HOUSE
    assert match.place.house == 17  # odd numbers: the same side
    assert match.place.lat == pytest.approx(HOME[0] + KM_NORTH)


def test_an_address_without_a_house_is_the_middle_of_its_street():
    venue_at("ул. Большая Черёмушкинская, д. 7А", 55.69)
    venue_at("Большая Черёмушкинская улица, 25", 55.70)

    match = finder.place_of_address("большая черемушкинская")

    assert match.place.source == Place.Source.STREET
    assert match.place.lat == pytest.approx(55.695)
    assert match.place.within_km == pytest.approx(0.556, abs=0.01)


def test_an_address_that_fits_several_streets_is_asked_about():
    venue_at("ул. Большая Черёмушкинская, д. 7А", 55.69)
    venue_at("Малая Черёмушкинская улица, 2", 55.68)

    match = finder.place_of_address("Черёмушкинская, 5")

    assert match.place is None
    assert match.streets == ("большая черемушкинская", "малая черемушкинская")


def test_near_an_address_finds_the_groups_around_it():
    near = group_of("Хор", venue=venue_at("улица Льва Толстого, дом 16", HOME[0]))
    group_of("Футбол", venue=venue_at("проспект Мира, дом 119", HOME[0] + 5 * KM_NORTH))

    page = groups_find(query=GroupQuery(near_address="ЛЬВА ТОЛСТОГО 14", radius_km=2))

    assert [hit.group for hit in page.hits] == [near]
    assert page.hits[0].distance_km == pytest.approx(0.0)
    assert page.understood.notes() == [
        "Расстояние считаем от дома 16 на улице из адреса «ЛЬВА ТОЛСТОГО 14»: "
        "это ближайший к вашему дом, где есть кружки."
    ]


def test_coordinates_come_before_an_address_typed_beside_them():
    group_of("Хор", venue=venue_at("улица Льва Толстого, дом 16", HOME[0]))

    page = groups_find(query=GroupQuery(near=HOME, near_address="улица Несуществующая, 5"))

    assert page.understood.place.source == Place.Source.COORDINATES
    assert page.understood.notes() == []
    assert page.total == 1


def test_an_address_not_found_leaves_distance_out_and_says_so():
    everywhere = group_of("Хор")

    page = groups_find(query=GroupQuery(near_address="улица Несуществующая, 5"))

    assert [hit.group for hit in page.hits] == [everywhere]
    assert page.understood.address_not_found
    assert page.hits[0].distance_km is None
    assert "не нашли" in page.understood.notes()[0]


# --- order, pages, queries -------------------------------------------------------------------


def test_without_text_or_place_most_free_places_first_then_by_name():
    b_roomy = group_of("Бадминтон")
    a_tight = group_of("Акварель")
    a_tight.taken = 15
    a_tight.save()
    a_roomy = group_of("Акробатика")

    assert found() == [a_roomy, b_roomy, a_tight]


def test_with_text_the_programme_about_the_words_comes_first():
    mentions = group_of(
        "Клуб настольных игр",
        description="Шашки, шахматы, го, нарды, домино и другие настольные игры для всей семьи.",
    )
    about = group_of("Шахматы")
    about.taken = 10  # fewer free places, and later by name: relevance alone puts it first
    about.save()

    assert found(text="шахматы") == [about, mentions]


def test_near_the_nearest_first():
    far = group_of("Акварель", venue=venue_at("улица Льва Толстого, 30", HOME[0] + 2 * KM_NORTH))
    near = group_of("Хор", venue=venue_at("улица Льва Толстого, 2", HOME[0] + KM_NORTH / 2))
    near.taken = 10
    near.save()

    page = groups_find(query=GroupQuery(near=HOME, radius_km=5))

    assert [hit.group for hit in page.hits] == [near, far]
    assert [round(hit.distance_km, 1) for hit in page.hits] == [0.5, 2.0]


def test_pages():
    groups = [group_of(f"Кружок {letter}") for letter in "АБВГД"]

    pages = [groups_find(query=GroupQuery(), page=n, per_page=2) for n in (1, 2, 3, 4)]

    assert [[hit.group for hit in page.hits] for page in pages] == [
        groups[:2],
        groups[2:4],
        groups[4:],
        [],
    ]
    assert {(page.total, page.pages) for page in pages} == {(5, 3)}


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        (GroupQuery(), 3),  # the count, the page, the meetings
        # the matching programmes, the groups' ids, their programmes' relevance, the page,
        # the meetings
        (GroupQuery(text="шахматы", district="Хамовники", age=8), 5),
        (GroupQuery(near=HOME), 3),  # the groups' ids and venues, the page, the meetings
        # and first the street's venues
        (GroupQuery(text="шахматы", near_address="улица Льва Толстого, 5"), 6),
    ],
)
def test_a_page_takes_the_same_few_queries_however_many_groups(
    query, queries, django_assert_num_queries
):
    for n in range(12):
        venue = VenueFactory(organisation=OrganisationFactory())
        group = group_of(f"Шахматы {n}", venue=venue)
        GroupSessionFactory(group=group, weekday=3)
    finder.programme_vocabulary()  # read once per process, not per page

    with django_assert_num_queries(queries):
        page = groups_find(query=query, per_page=10)
        shown = [
            (
                hit.group.programme.title,
                hit.group.programme.organisation.short_name,
                hit.group.venue.address,
                [str(meeting) for meeting in hit.group.sessions.all()],
                hit.group.free_places,
                hit.distance_km,
            )
            for hit in page.hits
        ]

    assert len(shown) == 10


@pytest.mark.parametrize(
    ("criteria", "code"),
    [
        ({"age": 7, "birth_date": date(2019, 1, 1)}, "age_twice"),
        ({"age": -1}, "age_invalid"),
        ({"direction": "cooking"}, "direction_invalid"),
        ({"weekdays": frozenset({7})}, "weekday_invalid"),
        ({"time_from": time(18), "time_to": time(17)}, "time_window_invalid"),
        ({"near": (91.0, 37.0)}, "coordinates_invalid"),
        ({"near": HOME, "radius_km": 100}, "radius_invalid"),
        ({"sex": "x"}, "sex_invalid"),
    ],
)
def test_a_query_that_makes_no_sense_is_refused(criteria, code):
    with pytest.raises(Invalid) as refused:
        GroupQuery(**criteria)

    assert refused.value.code == code


@pytest.mark.parametrize(("page", "per_page"), [(0, 20), (1, 0), (1, 101)])
def test_a_page_out_of_bounds_is_refused(page, per_page):
    with pytest.raises(Invalid):
        groups_find(query=GroupQuery(), page=page, per_page=per_page)
