"""`gorod demo`: logins with their roles, an analyst who sees the analytics, one language;
the whole city loaded once, and a second run that adds nothing."""

import re
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import call_command

from gorod.accounts.models import Person, User
from gorod.analytics.models import ImportRun
from gorod.analytics.ratings import rating_figures_for
from gorod.analytics.rules import Period
from gorod.analytics.selectors import usage_report
from gorod.appointments.models import Appointment, Slot
from gorod.appointments.selectors import booking as booking_selectors
from gorod.clinics import selectors as clinic_selectors
from gorod.clinics.models import Practitioner
from gorod.clubs.models import Application, Group
from gorod.demo import clinics as clinics_demo
from gorod.demo.analytics import DEFAULT_EVENTS, demo_generate
from gorod.demo.tests.test_analytics import read
from gorod.housing import selectors as housing_selectors
from gorod.housing.models import Reading
from gorod.school.models import Mark

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
ROLES = {
    "demo@gorod.local": "Житель",
    "editor@gorod.local": "Редактор каталога",
    "operator@gorod.local": "Оператор",
    "analyst@gorod.local": "Аналитик",
    "registrar@gorod.local": "Регистратор",
    "doctor@gorod.local": "Врач",
    "supervisor@gorod.local": "Руководитель поликлиники",
    "teacher@gorod.local": "Учитель",
    "classteacher@gorod.local": "Учитель",
    "clubs@gorod.local": "Сотрудник кружка или секции",
}


def credentials(path) -> list[list[str]]:
    lines = path.read_text().splitlines()
    assert lines[0] == "# логин\tпароль\tроль\tчто попробовать"
    return [line.split("\t") for line in lines[1:]]


# One run of the demo with its year of usage (the costly part) for the findings about it.
def test_the_demo_lists_roles_has_an_analyst_speaks_one_language_and_rolls_up_its_usage(
    catalog, settings, tmp_path, client
):
    settings.VAR_DIR = tmp_path / "var"
    out = StringIO()
    call_command("demo", "--usage-scale", "0.02", "--seed", "11", stdout=out)

    # Every login with its role(s) and what to try with it.
    rows = credentials(tmp_path / "var" / "demo-credentials.txt")
    roles = {login: role for login, _password, role, _try in rows}
    # And a staff login for every department that takes applications.
    departments = {login for login, role in roles.items() if role == "Сотрудник ведомства"}
    assert len(departments) >= 60
    assert {login: role for login, role in roles.items() if login not in departments} == ROLES
    assert all(len(row) == 4 and row[1] and row[3] for row in rows)

    # The analyst's password from the file opens the analysts' dashboard.
    login, password, _role, hint = next(row for row in rows if row[2] == "Аналитик")
    assert "/analytics/" in hint
    response = client.post("/accounts/login/", {"username": login, "password": password})
    assert response.status_code == 302
    assert client.get("/analytics/").status_code == 200

    # One language, and no hint to run a rollup the demo has already done.
    text = out.getvalue()
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines
    assert [line for line in lines if not CYRILLIC.search(line)] == [], text
    assert "rollup" not in text
    assert "к пересчёту" not in text
    assert text.count("demo-credentials.txt") == 1

    # The command's usage files are gone; the generator makes them again, byte for byte,
    # and the import and the rollups hold every use and rating of them.
    run = ImportRun.objects.get(kind="usage")
    last = datetime.now(ZoneInfo("Europe/Moscow")).date() - timedelta(days=1)
    files = demo_generate(tmp_path, events=round(DEFAULT_EVENTS * 0.02), seed=11, last=last)
    assert run.imported == len(read(files.usage)) == files.uses
    period = Period(files.first, files.last)
    report = usage_report(period)
    assert report.current.uses == files.uses
    assert sum(uses for _day, uses in report.current.daily) == files.uses
    assert rating_figures_for(period).count == files.ratings_count == len(read(files.ratings))

    # Running it again adds nothing: a second generated year would double the first.
    call_command("demo", "--usage-scale", "0.02", "--seed", "11", stdout=StringIO())
    assert usage_report(period).current.uses == files.uses


def test_the_demo_speaks_english_when_asked(catalog):
    # Needs the English translation of the msgid (added by the integrator from the list).
    out = StringIO()
    call_command("demo", "--if-empty", "--language", "en", stdout=out)
    assert out.getvalue().strip() == "The demo city is already loaded."


# One run of the whole city without usage (the costly part), then a second run: every
# part is loaded once and says so, the staff logins are written once.
def test_the_city_loads_once_without_usage_and_a_second_run_adds_nothing(
    catalog, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    call_command("demo", "--no-usage", stdout=StringIO())
    assert ImportRun.objects.count() == 0

    citizen = User.objects.get(email="demo@gorod.local")
    # Health: attached, with a family to book for; the housing demo's mother is the one
    # who delegated, not a second one.
    assert clinic_selectors.current_attachment(citizen.person.pk) is not None
    assert len(booking_selectors.patients_of(citizen)) == 4  # herself, Миша, a teen, her mother
    mothers = citizen.person.delegated_to_me.values_list("principal__first_name", flat=True)
    assert list(mothers) == ["Галина"]
    assert Person.objects.filter(first_name="Галина", middle_name="Петровна").count() == 1
    # Housing: two flats' meters, an operator who may correct readings.
    assert len(housing_selectors.my_meters(actor=citizen)[1]) == 2
    operator = User.objects.get(email="operator@gorod.local")
    assert housing_selectors.is_operator(operator)
    assert operator.has_perm("housing.change_reading")
    credentials = (tmp_path / "demo-credentials.txt").read_text()
    for login in (clinics_demo.DEMO_REGISTRAR, clinics_demo.DEMO_DOCTOR, "operator@gorod.local"):
        assert f"{login}\t" in credentials

    def counts():
        models = (Practitioner, Slot, Appointment, Reading, Mark, Group, Application)
        return [model.objects.count() for model in models]

    before = counts()
    out = StringIO()
    call_command("demo", "--no-usage", stdout=out)
    assert counts() == before
    assert "Врачи уже есть" in out.getvalue()
    assert "Помещения уже есть" in out.getvalue()
    assert (tmp_path / "demo-credentials.txt").read_text() == credentials
