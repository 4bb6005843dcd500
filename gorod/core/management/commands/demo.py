"""`gorod demo`: fill an empty database with the demo city.

The catalog is the project's own (fixtures/services.csv); the people are invented and
say so in their names. Passwords are generated per installation and written to
var/demo-credentials.txt (readable by the owner only), never printed into a shared log.
"""

import os
import secrets
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from gorod.accounts.models import User
from gorod.accounts.services import child_add, user_register
from gorod.catalog.importers import import_services_file
from gorod.catalog.models import Service
from gorod.catalog.services import service_save

CATALOG_FIXTURE = Path(settings.BASE_DIR) / "catalog" / "fixtures" / "services.csv"
# The home page's "popular services" block until usage analytics rank them for real.
FEATURED = [
    "emr",
    "doctor-appointment",
    "school-diary",
    "meter-readings",
    "clubs-enrollment",
]
DEMO_CITIZEN = "demo@gorod.local"
DEMO_EDITOR = "editor@gorod.local"


class Command(BaseCommand):
    help = "Load the demo city (catalog, a demo citizen with a child, a catalog editor)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the catalog already has services (used by `make run`).",
        )

    def handle(self, *args, if_empty: bool, **options):
        if if_empty and Service.objects.exists():
            self.stdout.write("Demo city already loaded.")
            return
        import_services_file(CATALOG_FIXTURE, stdout=self.stdout, style=self.style)
        for position, slug in enumerate(FEATURED, start=1):
            service = Service.objects.get(slug=slug)
            if service.featured_position != position:
                service.featured_position = position
                service_save(actor=None, service=service, changed_fields=["featured_position"])
        credentials = self._demo_people()
        if credentials:
            path = Path(settings.VAR_DIR) / "demo-credentials.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a") as handle:
                for login, password in credentials:
                    handle.write(f"{login}\t{password}\n")
            self.stdout.write(self.style.SUCCESS(f"Demo accounts and passwords: {path}"))

    @transaction.atomic
    def _demo_people(self) -> list[tuple[str, str]]:
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
            created.append((DEMO_CITIZEN, password))
        if not User.objects.filter(email=DEMO_EDITOR).exists():
            password = secrets.token_urlsafe(12)
            editor = User.objects.create_user(DEMO_EDITOR, password, is_staff=True)
            editor.groups.add(Group.objects.get(name="catalog_editor"))
            created.append((DEMO_EDITOR, password))
        return created
