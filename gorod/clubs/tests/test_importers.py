"""`gorod import clubs`: both registers checked first, all or nothing, re-runnable.

The small files written here, with three square districts of their own, check each rule on
their own; the real registers and boundaries (../shared/data) are used when they are there.
"""

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from gorod.clubs import importers
from gorod.clubs.models import Direction, Organisation, Programme, Venue
from gorod.clubs.registers import Ages, ages_parsed
from gorod.core import clock
from gorod.core.models import AuditEvent

DIRECTIONS_HEADER = (
    "source_dataset_id,direction,name,short_name,address,institution_type,institution_kind,"
    "phone,website,lat,lon"
)
CENTRE = "Государственное бюджетное образовательное учреждение города Москвы центр «Радуга»"
PALACE = "Государственное бюджетное образовательное учреждение города Москвы дом творчества"
DIRECTIONS = [
    # One centre under two directions, in Тверской by its coordinates.
    f'536,Художественно-эстетическое,{CENTRE},ГБОУ ЦДТ «Радуга»,"125009, г. Москва, '
    'ул. Тверская, д. 1",ОУ ДОД,Центр,(495) 111-11-11,http://raduga.ru,55.7570,37.6130',
    f'543,Научно-техническое,{CENTRE},ГБОУ ЦДТ «Радуга»,"125009, г. Москва, ул. Тверская, '
    'д. 1",ОУ ДОД,Центр,(495) 111-11-11,http://raduga.ru,55.7570,37.6130',
    # Two houses of the same generic name: two organisations.
    f'551,Эколого-биологическое,{PALACE},ГБОУ ДТ,"119234, г. Москва, Ломоносовский просп., '
    'д. 2",ОУ ДОД,Дом,,,55.7030,37.5300',
    f'551,Эколого-биологическое,{PALACE},ГБОУ ДТ,"121087, г. Москва, Багратионовский пр., '
    'д. 7",ОУ ДОД,Дом,,,55.7420,37.5000',
    # The register's line that lost its full name: the columns moved left.
    '562,Социально-экономическое,ГБОУ СОШ № 506,"115432, г. Москва, ул. Трофимова, дом 13 а",'
    "10816.1692795,Общеобразовательное учреждение,Школа,(495) 679-05-18,http://sch506.ru,,",
]
SECTIONS_HEADER = (
    "venue_name,address,sport,gender,age,phone,adm_okrug,district,parent_org,parent_org_address"
)
SPORTS_CENTRE = "ГБУ ЦФКиС ЗАО"
SECTIONS = [
    # One programme at two venues (the second in the district's other spelling).
    f'ГОУ СОШ №38,"Мичуринский проспект, дом 42",Футбол,мужской,7-12,(916) 111-11-11,ЗАО,'
    f'Раменки,{SPORTS_CENTRE},"улица Герасима Курина, дом 44"',
    f'"Клуб ""Орион""","улица Багратионовская, дом 9",Футбол,мужской,7-12,,ЗАО,'
    f'Филевский парк,{SPORTS_CENTRE},"улица Герасима Курина, дом 44"',
    # The same section again, with another phone: nothing more.
    f'"Клуб ""Орион""","улица Багратионовская, дом 9",Футбол,мужской,7-12,(926) 2,ЗАО,'
    f'Филевский парк,{SPORTS_CENTRE},"улица Герасима Курина, дом 44"',
    # Girls of the same ages: another programme; and one for children with disabilities.
    f'ГОУ СОШ №38,"Мичуринский проспект, дом 42",Футбол,женский,7-12,,ЗАО,Раменки,'
    f'{SPORTS_CENTRE},"улица Герасима Курина, дом 44"',
    f'ГОУ СОШ №38,"Мичуринский проспект, дом 42",Шахматы,мужской/женский,Инвалиды 7 и старше,,'
    f'ЗАО,Раменки,{SPORTS_CENTRE},"улица Герасима Курина, дом 44"',
    # Adults only: counted, not imported (nor its organisation).
    'Стадион "Ветеран","Тверская улица, дом 3",Шашки,мужской/женский,55 и старше,,ЦАО,'
    'Тверской,ГБУ ЦФКиС ЦАО,"Тверская улица, дом 3"',
]


def write(tmp_path, name, header, lines):
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def _square(west: float, south: float, east: float, north: float) -> list[list[list[float]]]:
    return [[[west, south], [east, south], [east, north], [west, north], [west, south]]]


@pytest.fixture
def districts(tmp_path, settings):
    """Three districts as squares round real places: the Kremlin, the university and Fili."""
    features = [
        {
            "type": "Feature",
            "properties": {"NAME": name, "ABBREV_AO": okrug, "TYPE_MO": "Муниципальный округ"},
            "geometry": {"type": "Polygon", "coordinates": _square(*bounds)},
        }
        for name, okrug, bounds in (
            ("Тверской", "ЦАО", (37.58, 55.75, 37.64, 55.79)),
            ("Раменки", "ЗАО", (37.45, 55.68, 37.55, 55.72)),
            ("Филёвский Парк", "ЗАО", (37.45, 55.73, 37.52, 55.76)),
        )
    ]
    path = tmp_path / "districts.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    settings.GOROD_DISTRICTS_GEOJSON = path


@pytest.fixture
def files(tmp_path, districts):
    return (
        write(tmp_path, "directions.csv", DIRECTIONS_HEADER, DIRECTIONS),
        write(tmp_path, "sports.csv", SECTIONS_HEADER, SECTIONS),
    )


def run(*arguments) -> str:
    out = io.StringIO()
    call_command("import", "clubs", *arguments, stdout=out)
    return out.getvalue()


def run_files(directions, sports) -> str:
    return run("--directions", str(directions), "--sports", str(sports))


@pytest.mark.django_db
def test_the_registers_become_organisations_venues_and_programmes(files):
    output = run_files(*files)

    assert Organisation.objects.count() == 5
    centre = Organisation.objects.get(name=CENTRE)
    assert centre.register_directions == [Direction.TECHNICAL, Direction.ARTS]
    assert (centre.short_name, centre.kind, centre.website) == (
        "ГБОУ ЦДТ «Радуга»",
        "Центр",
        "http://raduga.ru",
    )
    building = centre.venues.get()
    assert (building.name, building.district, building.okrug) == (
        "ГБОУ ЦДТ «Радуга»",
        "Тверской",
        "ЦАО",
    )
    assert str(building.lat) == "55.757000"

    sports = Organisation.objects.get(name=SPORTS_CENTRE)
    assert sports.short_name == SPORTS_CENTRE
    assert sports.address == "улица Герасима Курина, дом 44"
    assert sports.register_directions == [Direction.SPORTS]
    assert {(venue.name, venue.district, venue.okrug) for venue in sports.venues.all()} == {
        ("ГОУ СОШ №38", "Раменки", "ЗАО"),
        ('Клуб "Орион"', "Филёвский Парк", "ЗАО"),
    }
    assert all(venue.lat is None for venue in sports.venues.all())

    boys = Programme.objects.get(title="Футбол", sex=Programme.Sex.BOYS)
    assert (boys.organisation, boys.activity, boys.direction) == (sports, "Футбол", "sports")
    assert (boys.age_min, boys.age_max, boys.is_free, boys.price_month) == (7, 12, True, None)
    assert boys.enrollment == Programme.Enrollment.ALL_YEAR
    assert boys.starts_on == importers.school_year_start(clock.local_date())
    assert "футбол" in boys.search_lemmas.split()
    assert boys.venues.count() == 2
    assert Programme.objects.filter(title="Футбол", sex=Programme.Sex.GIRLS).exists()
    chess = Programme.objects.get(title="Шахматы (инвалиды)")
    assert (chess.age_min, chess.age_max, chess.sex, chess.activity) == (7, 18, "", "Шахматы")

    assert Programme.objects.count() == 3
    assert not Organisation.objects.filter(name="ГБУ ЦФКиС ЦАО").exists()
    assert "Организации: новых 5, уже были 0." in output
    assert "Места занятий: новых 6, уже были 0." in output
    assert "Программы: новых 3, уже были 0." in output
    assert "Секций только для взрослых (не загружены): 1." in output
    assert AuditEvent.objects.filter(action="clubs.imported").count() == 1


@pytest.mark.django_db
def test_what_the_register_got_wrong_is_read_as_meant_and_said(files):
    output = run_files(*files)

    houses = Organisation.objects.filter(name__startswith=PALACE).order_by("address")
    assert [house.name for house in houses] == [
        f"{PALACE} (119234, г. Москва, Ломоносовский просп., д. 2)",
        f"{PALACE} (121087, г. Москва, Багратионовский пр., д. 7)",
    ]
    assert [house.venues.get().district for house in houses] == ["Раменки", "Филёвский Парк"]
    school = Organisation.objects.get(name="ГБОУ СОШ № 506")
    assert school.short_name == "ГБОУ СОШ № 506"
    assert school.address == "115432, г. Москва, ул. Трофимова, дом 13 а"
    assert school.register_directions == [Direction.SOCIAL]
    assert (school.venues.get().district, school.venues.get().lat) == ("", None)
    directions = files[0]
    assert f"{directions}:4: прочитано иначе, чем в столбцах: name:" in output
    assert f"{directions}:6: прочитано иначе, чем в столбцах: нет полного наименования" in output


@pytest.mark.django_db
def test_the_same_files_twice_change_nothing(files):
    run_files(*files)
    stored = list(Programme.objects.values_list("id", "title", "age_min", "age_max", "sex"))

    output = run_files(*files)

    assert "Организации: новых 0, уже были 5." in output
    assert "Места занятий: новых 0, уже были 6." in output
    assert "Программы: новых 0, уже были 3." in output
    assert "Ничего не изменилось" in output
    assert list(Programme.objects.values_list("id", "title", "age_min", "age_max", "sex")) == (
        stored
    )
    assert AuditEvent.objects.filter(action="clubs.imported").count() == 1


@pytest.mark.django_db
def test_a_new_venue_of_a_known_programme_is_added_to_it(files, tmp_path):
    run_files(*files)
    more = SECTIONS[0].replace("ГОУ СОШ №38", "ГОУ СОШ №40")

    output = run_files(files[0], write(tmp_path, "more.csv", SECTIONS_HEADER, [more]))

    assert "Программы: новых 0, уже были 1." in output
    assert "Мест занятий добавлено к программам: 1." in output
    assert Programme.objects.get(title="Футбол", sex=Programme.Sex.BOYS).venues.count() == 3


@pytest.mark.django_db
def test_a_bad_line_in_either_file_is_named_and_nothing_is_written(files, tmp_path):
    directions = write(
        tmp_path,
        "bad_directions.csv",
        DIRECTIONS_HEADER,
        [DIRECTIONS[0].replace("Художественно-эстетическое", "Кулинарное"), *DIRECTIONS[1:]],
    )
    sports = write(
        tmp_path,
        "bad_sports.csv",
        SECTIONS_HEADER,
        [
            *SECTIONS[:2],
            SECTIONS[2].replace("7-12", "с пелёнок"),
            SECTIONS[3].replace("Раменки", "Атлантида"),
            SECTIONS[4].replace("мужской/женский", "любой").replace(",ЗАО,", ",ЦАО,"),
        ],
    )
    out = io.StringIO()

    with pytest.raises(CommandError, match="clubs: 4 bad row"):
        call_command(
            "import", "clubs", "--directions", str(directions), "--sports", str(sports), stdout=out
        )

    output = out.getvalue()
    assert f"{directions}:2: direction: неизвестная направленность «Кулинарное»" in output
    assert f"{sports}:4: age: возраст не читается: «с пелёнок»" in output
    assert f"{sports}:5: district: в границах районов города нет района «Атлантида»" in output
    assert f"{sports}:6: gender:" in output
    assert "adm_okrug: район Раменки — в округе ЗАО, а не «ЦАО»" in output
    assert not Organisation.objects.exists()
    assert not Venue.objects.exists()
    assert not AuditEvent.objects.filter(action="clubs.imported").exists()


def test_clubs_take_their_files_as_options(tmp_path):
    with pytest.raises(CommandError, match="takes its files as options"):
        run(str(tmp_path / "any.csv"))
    with pytest.raises(CommandError, match="No such file"):
        run("--sports", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="--sports is not an option of schools"):
        call_command("import", "schools", "--sports", str(tmp_path / "any.csv"))


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("12-17", Ages((12, 17))),
        ("7 и старше", Ages((7, 18))),
        ("от 12", Ages((12, 18))),
        ("до 12", Ages((5, 12))),
        ("Все возраста", Ages((5, 18))),
        ("3 и старше", Ages((3, 18))),
        # A child of three and a half is not three: the next full year.
        ("3,5 и старше", Ages((4, 18))),
        ("5,5-18", Ages((6, 18))),
        # Younger than the portal takes, older than a child: cut to 3..18.
        ("2-30", Ages((3, 18))),
        ("12-19", Ages((12, 18))),
        ("17 и старше", Ages((17, 18))),
        # Several bands: from the youngest to the oldest; adults' bands left out.
        ("10-18, 6-9", Ages((6, 18))),
        ("7-12, 14", Ages((7, 14))),
        ("3-4; 5-55", Ages((3, 18))),
        ("10-17, 55 и старше", Ages((10, 17))),
        ("Инвалиды 7-18", Ages((7, 18), "инвалиды")),
        ("инвалиды 7-18", Ages((7, 18), "инвалиды")),
        ("Инвалиды 6-12, 55 и старше", Ages((6, 12), "инвалиды")),
        ("10-17 (Инвалиды по слуху)", Ages((10, 17), "инвалиды по слуху")),
        ("7-16, инвалиды", Ages((7, 16), "инвалиды")),
        ("Инвалиды все возраста", Ages((5, 18), "инвалиды")),
        # Adults only.
        ("18 и старше", Ages(None)),
        ("18-60", Ages(None)),
        ("55 и старше", Ages(None)),
        ("Инвалиды 18 и старше", Ages(None, "инвалиды")),
        ("Пенсионеры-инвалиды", Ages(None)),
        # Unreadable.
        ("", None),
        ("с пелёнок", None),
        ("12-7", None),
        ("7-", None),
        ("7-12, взрослые", None),
    ],
)
def test_the_register_ages_are_read_as_a_children_band(text, ages):
    assert ages_parsed(text) == ages


@pytest.mark.parametrize(
    "today", [date(2026, 1, 15), date(2026, 8, 31), date(2026, 9, 1), date(2026, 12, 31)]
)
def test_imported_programmes_start_on_this_year_first_of_september(today):
    assert importers.school_year_start(today) == date(2026, 9, 1)


needs_shared_data = pytest.mark.skipif(
    not all(path.exists() for path in (importers.DIRECTIONS_FILE, importers.SPORTS_FILE)),
    reason="../shared/data is not here",
)


@needs_shared_data
@pytest.mark.django_db
def test_the_city_registers_import_from_the_default_files(settings):
    if not settings.GOROD_DISTRICTS_GEOJSON.exists():
        pytest.skip("../shared/data has no boundaries")

    output = run()

    assert Organisation.objects.count() >= 150
    assert Venue.objects.count() >= 900
    assert Programme.objects.count() >= 900
    placed = Venue.objects.filter(lat__isnull=False)
    assert placed.count() >= 200
    assert placed.exclude(district="").count() >= 0.95 * placed.count()
    # Without a district: only the two lines of the direction register without coordinates.
    assert Venue.objects.filter(district="").count() <= 5
    assert "Секций только для взрослых" in output
    assert "Ничего не изменилось" in run()
