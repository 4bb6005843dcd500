"""`gorod import clinics`: the registry of medical organisations, all or nothing, re-runnable.

The real file (../shared/data, data.mos.ru's 2013 registry) is used when it is there; the
small files written here check each rule on their own.
"""

import io
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from gorod.clinics import importers
from gorod.clinics.models import Location, Organisation
from gorod.clinics.tests.factories import LocationFactory, OrganisationFactory
from gorod.core.models import AuditEvent

pytestmark = pytest.mark.django_db

SHARED_REGISTRY = (
    Path(settings.PROJECT_DIR).parent / "shared" / "data" / "moscow_medical_organisations_2013.csv"
)
HEADER = (
    "source_dataset_id,category,source_code,name,short_name,full_name,address,adm_okrug,"
    "chief_name,chief_position,phone,parent_org,note,lat,lon"
)
ADULT = "Городские поликлиники (взрослые)"
CHILDREN = "Детские поликлиники"
GOOD = [
    # The source's own typo (postcode 422000 on a Moscow address) is kept as it is.
    f'503,{ADULT},147,Городская поликлиника № 5,,,"107045, город Москва, Даев переулок, '
    'дом 3, корпус 1",ЦАО,Иванов И. И.,,(495) 608-16-80,,,55.770944,37.634234',
    f'503,{ADULT},607,Городская поликлиника № 5 филиал № 1,,,"422000, город Москва, Большой '
    'Харитоньевский переулок, дом 8",ЦАО,,,(495) 624-17-15,,,55.764216,37.644222',
    # The same number in another dataset: another organisation.
    f'505,{CHILDREN},147,Детская городская поликлиника № 5,,,"125080, Москва, ул. Панфилова, '
    'д.10",САО,,,,,,,',
    f'505,{CHILDREN},148,Филиал ГБУЗ «Детская городская поликлиника № 5 ДЗМ»,,,"127287, '
    'Москва, ул. 1-я Хуторская, д. 2",САО,,,(499) 111-11-11,,,55.8,37.58',
    # The main building comes later in the file than its branch.
    f'505,{CHILDREN},150,ГБУЗ «Детская городская поликлиника № 5 ДЗМ»,,,"127287, Москва, '
    'ул. 2-я Хуторская, д. 4",САО,,,,,,55.81,37.57',
]


def write(tmp_path, lines, *, header=HEADER, name="clinics.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(path) -> str:
    out = io.StringIO()
    call_command("import", "clinics", str(path), stdout=out)
    return out.getvalue()


def refused(path) -> tuple[str, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import", "clinics", str(path), stdout=out)
    return out.getvalue(), str(caught.value)


def test_rows_become_buildings_of_their_organisations(tmp_path):
    output = run(write(tmp_path, GOOD))

    assert "Организации: создано 3, изменено 0, без изменений 0." in output
    assert "Здания: создано 5, изменено 0, без изменений 0." in output
    assert importers.ATTRIBUTION in output
    adult = Organisation.objects.get(registry_code="503-147")
    assert (adult.name, adult.kind, adult.district, adult.phone) == (
        "Городская поликлиника № 5",
        Organisation.Kind.ADULT_POLYCLINIC,
        "ЦАО",
        "(495) 608-16-80",
    )
    assert sorted(adult.locations.values_list("registry_code", flat=True)) == ["503-147", "503-607"]
    branch = Location.objects.get(registry_code="503-607")
    assert branch.name == "Городская поликлиника № 5 филиал № 1"
    assert branch.address.startswith("422000, город Москва")
    assert (branch.latitude, branch.longitude) == (Decimal("55.764216"), Decimal("37.644222"))
    children = Organisation.objects.get(registry_code="505-147")
    assert children.kind == Organisation.Kind.CHILDREN_POLYCLINIC
    (plain,) = children.locations.all()
    assert (plain.latitude, plain.longitude, plain.phone) == (None, None, "")
    # "Филиал ГБУЗ «…»" belongs to the row with the same quoted name, wherever it stands.
    quoted = Organisation.objects.get(registry_code="505-150")
    assert quoted.name == "ГБУЗ «Детская городская поликлиника № 5 ДЗМ»"
    assert sorted(quoted.locations.values_list("registry_code", flat=True)) == [
        "505-148",
        "505-150",
    ]
    audit = AuditEvent.objects.get(action="health.clinics_imported")
    assert audit.data["attribution"] == importers.ATTRIBUTION
    assert (audit.data["rows"], audit.data["locations_created"]) == (5, 5)
    assert len(audit.data["sha256"]) == 64


def test_a_branch_without_its_main_row_makes_the_organisation_of_its_name(tmp_path):
    run(
        write(
            tmp_path,
            [
                f'503,{ADULT},696,Городская поликлиника № 27 филиал № 1,,,"115533, Москва",'
                "ЮАО,,,,,,55.6,37.6",
                f'503,{ADULT},697,Городская поликлиника № 27 филиал,,,"115534, Москва",'
                "ЮАО,,,,,,55.61,37.61",
            ],
        )
    )

    (organisation,) = Organisation.objects.all()
    assert (organisation.registry_code, organisation.name) == (
        "503-696",
        "Городская поликлиника № 27",
    )
    assert organisation.locations.count() == 2


def test_a_re_import_updates_names_and_addresses_and_deletes_nothing(tmp_path):
    run(write(tmp_path, GOOD))
    output = run(write(tmp_path, GOOD, name="same.csv"))
    assert "Организации: создано 0, изменено 0, без изменений 3." in output
    assert "Здания: создано 0, изменено 0, без изменений 5." in output

    renamed = [
        GOOD[0]
        .replace("Даев переулок, дом 3", "Даев переулок, дом 5")
        .replace("поликлиника № 5,", "поликлиника № 5 им. Примерова,"),
        GOOD[1].replace("поликлиника № 5 филиал", "поликлиника № 5 им. Примерова филиал"),
        GOOD[2].replace(",,,,,,,", ",,,(495) 000-00-00,,,55.75,37.62"),
    ]
    output = run(write(tmp_path, renamed, name="newer.csv"))

    assert "Организации: создано 0, изменено 2, без изменений 0." in output
    assert "Здания: создано 0, изменено 3, без изменений 0." in output
    main = Location.objects.get(registry_code="503-147")
    assert main.address.endswith("Даев переулок, дом 5, корпус 1")
    assert main.organisation.name == "Городская поликлиника № 5 им. Примерова"
    assert main.organisation.locations.count() == 2
    children = Location.objects.get(registry_code="505-147")
    assert (children.phone, children.latitude) == ("(495) 000-00-00", Decimal("55.750000"))
    # Rows missing from the newer file stay, with their organisations.
    assert Location.objects.count() == 5
    assert Organisation.objects.count() == 3


def test_the_branch_of_a_renamed_main_row_is_refused_not_moved(tmp_path):
    run(write(tmp_path, GOOD))
    renamed_main = GOOD[0].replace("Городская поликлиника № 5,", "Городская поликлиника № 7,")
    branch_of_other = GOOD[1].replace("поликлиника № 5 филиал", "поликлиника № 7 филиал")
    # The branch now names poliklinic 7, whose main row is 503-147 as before: no move.
    run(write(tmp_path, [renamed_main, branch_of_other], name="ok.csv"))
    assert Location.objects.get(registry_code="503-607").organisation.registry_code == "503-147"

    # A branch re-attributed to another organisation of the registry is a bad line.
    other = OrganisationFactory(registry_code="503-999", name="Городская поликлиника № 9")
    LocationFactory(organisation=other, registry_code="503-999")
    moved = GOOD[1].replace("поликлиника № 5 филиал", "поликлиника № 9 филиал")
    main_of_nine = f'503,{ADULT},999,Городская поликлиника № 9,,,"Москва",ЦАО,,,,,,,'
    output, error = refused(write(tmp_path, [GOOD[0], moved, main_of_nine], name="moved.csv"))
    assert ":3: здание 503-607 уже принадлежит организации 503-147" in output
    assert "загрузка не переносит здания между организациями" in output
    assert "1 bad row(s), nothing imported" in error


def test_every_bad_line_is_named_and_nothing_is_imported(tmp_path):
    bad = [
        GOOD[0],
        f"503,{ADULT},,Без кода,,,Москва,ЦАО,,,,,,,",
        "503,Аптеки,700,Аптека № 1,,,Москва,ЦАО,,,,,,,",
        f"503,{ADULT},701,,,,,ЦАО,,,,,,,",
        f"503,{ADULT},702,Поликлиника,,,Москва,ЦАО,,,,,,91.5,37.6",
        f"503,{ADULT},703,Поликлиника,,,Москва,ЦАО,,,,,,55.7,",
        f"503,{ADULT},704,Поликлиника,,,Москва,ЦАО,,,,,,север,37.6",
        f"503,{ADULT},147,Повтор,,,Москва,ЦАО,,,,,,,",
        f"x5,{ADULT},705,Поликлиника,,,Москва,ЦАО,,,,,,,",
        f"503,{ADULT},706,Поликлиника,,,Москва,ЦАО,,,{'9' * 65},,,,",
        f"503,{ADULT},707,Поликлиника,,,Москва,ЦАО,,,,,,55.7,37.6,лишнее",
    ]
    output, error = refused(write(tmp_path, bad))

    lines = {int(line.split(":")[1]): line for line in output.splitlines() if ".csv:" in line}
    assert sorted(lines) == list(range(3, 13))
    assert "source_code: не заполнено" in lines[3]
    assert "category: неизвестная категория «Аптеки»" in lines[4]
    assert "name: не заполнено" in lines[5]
    assert "address: не заполнено" in lines[5]
    assert "lat: нужно число от -90 до 90" in lines[6]
    assert "координаты указываются обе или ни одной" in lines[7]
    assert "«север»" in lines[8]
    assert "код 147 набора 503 уже есть в строке 2" in lines[9]
    assert "source_dataset_id" in lines[10]
    assert "phone: длиннее 64 знаков" in lines[11]
    assert "полей больше" in lines[12]
    assert "Ничего не загружено: строк с ошибками — 10." in output
    assert "10 bad row(s), nothing imported" in error
    assert not Organisation.objects.exists()
    assert not AuditEvent.objects.filter(action="health.clinics_imported").exists()


def test_a_file_without_the_columns_is_refused(tmp_path):
    with pytest.raises(CommandError, match="нет столбцов: category"):
        call_command(
            "import",
            "clinics",
            str(write(tmp_path, ["503,1,x"], header="source_dataset_id,source_code,name")),
            stdout=io.StringIO(),
        )


def test_a_file_not_in_utf8_is_refused(tmp_path):
    path = tmp_path / "cp1251.csv"
    path.write_bytes(("\n".join([HEADER, GOOD[0]]) + "\n").encode("cp1251"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import", "clinics", str(path), stdout=io.StringIO())


def test_an_okrug_too_long_for_the_column_is_reported_and_the_address_keeps_it(tmp_path):
    width = Organisation._meta.get_field("district").max_length
    okrug = "Московская область, Ногинский район"
    row = (
        f'502,Больницы,70,Туберкулёзная больница,,,"142435, {okrug}, с. Кудиново","{okrug}",'
        ",,,,,55.8,38.2"
    )
    output = run(write(tmp_path, [row]))

    organisation = Organisation.objects.get()
    if len(okrug) > width:
        assert organisation.district == ""
        assert f":2: округ «{okrug}» длиннее {width} знаков" in output
    else:
        assert organisation.district == okrug
    assert okrug in organisation.locations.get().address


@pytest.fixture
def registry() -> Path:
    if not SHARED_REGISTRY.exists():
        pytest.skip(f"{SHARED_REGISTRY} is not there (third-party data, not in the project)")
    return SHARED_REGISTRY


def test_the_city_registry_imports_whole_and_again_unchanged(registry):
    output = run(registry)

    assert "Организации: создано 432, изменено 0, без изменений 0." in output
    assert "Здания: создано 556, изменено 0, без изменений 0." in output
    assert Location.objects.count() == 556
    assert Counter(Organisation.objects.values_list("kind", flat=True)) == {
        Organisation.Kind.CHILDREN_POLYCLINIC: 170,
        Organisation.Kind.HOSPITAL: 95,
        Organisation.Kind.ADULT_POLYCLINIC: 69,
        Organisation.Kind.DENTAL: 37,
        Organisation.Kind.CHILDREN_DENTAL: 25,
        Organisation.Kind.WOMENS_CONSULTATION: 18,
        Organisation.Kind.DIAGNOSTIC_CENTRE: 18,
    }
    five = Organisation.objects.get(registry_code="503-147")
    assert five.name == "Городская поликлиника № 5"
    assert five.locations.count() == 5
    # A typo of the source stays as the source has it.
    assert Location.objects.get(registry_code="503-607").address.startswith("422000,")
    # Hospitals with branches named "… - филиал ГБУЗ «…»".
    assert Organisation.objects.get(registry_code="502-34").locations.count() == 3
    assert Location.objects.filter(latitude__isnull=True).count() == 4

    again = run(registry)
    assert "Организации: создано 0, изменено 0, без изменений 432." in again
    assert "Здания: создано 0, изменено 0, без изменений 556." in again


def test_one_bad_line_in_the_city_registry_imports_nothing(registry, tmp_path):
    lines = registry.read_text(encoding="utf-8").splitlines()
    lines[100] = lines[100].replace("Городские поликлиники (взрослые)", "Поликлиники")
    path = write(tmp_path, lines[1:], header=lines[0])

    output, _error = refused(path)

    assert f"{path}:101: category: неизвестная категория «Поликлиники»" in output
    assert "строк с ошибками — 1." in output
    assert not Location.objects.exists()
