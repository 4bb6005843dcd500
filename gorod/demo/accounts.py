"""The demo city's people: the demo citizen with her son, the staff logins, invented names.

Every person is invented and says so in the surname (Демонстрационный, Демонстрационная);
the housing and health demos name their households and patients from the lists below.
Passwords are generated per installation; `gorod demo` writes them to the credentials file.
"""

import secrets
from datetime import date

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy

from gorod.accounts.models import User
from gorod.accounts.services import child_add, user_register

DEMO_CITIZEN = "demo@gorod.local"
DEMO_EDITOR = "editor@gorod.local"
DEMO_OPERATOR = "operator@gorod.local"
DEMO_ANALYST = "analyst@gorod.local"
# The demo's staff logins: (login, role, what to try with it).
DEMO_STAFF = (
    (
        DEMO_EDITOR,
        "catalog_editor",
        gettext_lazy("услуги, категории и ведомства каталога в служебном разделе: /staff/"),
    ),
    (
        DEMO_OPERATOR,
        "operator",
        gettext_lazy(
            "показания счётчиков, поверка, заявки на исправление и выгрузка для расчётов: "
            "/housing/operator/"
        ),
    ),
    (
        DEMO_ANALYST,
        "analyst",
        gettext_lazy(
            "панель обращений и оценок с выгрузками CSV: /analytics/; "
            "в консоли — gorod report usage --from ДАТА --to ДАТА"
        ),
    ),
)
CITIZEN_TRY = gettext_lazy(
    "запись к врачу: /health/; медкарта семьи: /health/record/; показания счётчиков: "
    "/housing/; дневник детей: /school/; кружки и секции: /clubs/applications/; поиск услуг "
    "на главной"
)

FIRST_NAMES = {
    "m": ("Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Иван", "Михаил"),
    "f": ("Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана"),
}
MIDDLE_NAMES = {
    "m": ("Александрович", "Сергеевич", "Андреевич", "Иванович", "Петрович", "Олегович"),
    "f": ("Александровна", "Сергеевна", "Андреевна", "Ивановна", "Петровна", "Олеговна"),
}
LAST_NAMES = {"m": "Демонстрационный", "f": "Демонстрационная"}


@transaction.atomic
def demo_people() -> list[tuple[str, str, str]]:
    """The demo citizen (with a son) and the staff logins that do not exist yet, as
    (login, password, what to try)."""
    created = []
    if not User.objects.filter(email=DEMO_CITIZEN).exists():
        password = secrets.token_urlsafe(12)
        citizen = user_register(
            login=DEMO_CITIZEN,
            password=password,
            last_name="Демонстрационная",
            first_name="Анна",
            middle_name="Сергеевна",
            birth_date=date(1988, 4, 12),
        )
        child_add(
            actor=citizen,
            guardian=citizen.person,
            last_name="Демонстрационный",
            first_name="Миша",
            middle_name="Андреевич",
            birth_date=date(2015, 9, 1),
            kind="parent",
        )
        created.append((DEMO_CITIZEN, password, str(CITIZEN_TRY)))
    for login, role, hint in DEMO_STAFF:
        if not User.objects.filter(email=login).exists():
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(login, password, is_staff=True)
            user.groups.add(Group.objects.get(name=role))
            created.append((login, password, str(hint)))
    return created
