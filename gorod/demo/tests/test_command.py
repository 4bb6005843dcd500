"""`gorod demo`: logins with their roles, an analyst who sees the analytics, one language."""

import re
from io import StringIO

from django.core.management import call_command

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


# One run of the demo (the costly part) for the three findings about it.
def test_the_demo_lists_roles_has_an_analyst_and_speaks_one_language(
    catalog, settings, tmp_path, client
):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", "--usage-scale", "0.001", stdout=out)

    # Every login with its role(s) and what to try with it.
    rows = credentials(tmp_path / "demo-credentials.txt")
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


def test_the_demo_speaks_english_when_asked(catalog):
    # Needs the English translation of the msgid (added by the integrator from the list).
    out = StringIO()
    call_command("demo", "--if-empty", "--language", "en", stdout=out)
    assert out.getvalue().strip() == "The demo city is already loaded."
