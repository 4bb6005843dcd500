"""`gorod demo`: fill an empty database with the demo city.

The catalog is the project's own (fixtures/services.csv); the people are invented and
say so in their names. Passwords are generated per installation and written to
var/demo-credentials.txt (readable by the owner only), never printed into a shared log,
each login with its role and what to try with it. The output speaks one language, Russian
unless --language says otherwise, and says what was done, not what is left to do.
A year of usage and ratings is generated (gorod/demo/analytics.py: invented, shaped like
the city's published figures) and loaded through the same imports and rollups as real
history, so the dashboards and reports have something to show. Premises, meters and a
year of readings are generated too (gorod/demo/housing.py: invented households), written
once, while there are no premises. Clinics, doctors, slots and appointments come last
(gorod/health/demo.py: the city's registry of medical organisations when ../shared/data
has it, invented doctors and patients), once, while there are no doctors. The school
(gorod/demo/school.py: the first school of the city's register when ../shared/data has it,
invented teachers, pupils and a year of journals, the demo citizen's children among the
pupils) comes after them, once, while there are no teachers. Clubs and sports sections come
last (gorod/demo/clubs.py: the city's registers of organisations and sections when
../shared/data has them, invented groups and schedules in the districts with the most
venues and the family's, the demo children's applications in several states, the
organisation's staff login), once, while there are no groups.
"""

import os
import tempfile
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gorod.accounts.models import User
from gorod.accounts.roles import ROLES
from gorod.analytics.importers import usage_import
from gorod.analytics.models import UsageEvent
from gorod.analytics.services import usage_rollup
from gorod.applications.models import Application
from gorod.catalog.models import Service
from gorod.clinics.importers import ATTRIBUTION
from gorod.clinics.models import Practitioner
from gorod.clubs.importers import ATTRIBUTION as CLUBS_SOURCE
from gorod.clubs.models import Application as ClubApplication
from gorod.clubs.models import Group as ClubGroup
from gorod.demo import applications, clubs, health, housing, school
from gorod.demo.accounts import DEMO_CITIZEN, demo_people
from gorod.demo.analytics import DAYS, DEFAULT_EVENTS, DEFAULT_SEED, demo_generate
from gorod.demo.catalog import catalog_demo
from gorod.feedback.services import rating_rollup, ratings_import
from gorod.housing.models import Premises
from gorod.school.importers import ATTRIBUTION as SCHOOLS_SOURCE
from gorod.school.models import Teacher

CREDENTIALS_FILE = "demo-credentials.txt"


class Command(BaseCommand):
    help = "Load the demo city (catalog, a demo citizen with a child, staff logins)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the catalog already has services (used by `make run`).",
        )
        parser.add_argument(
            "--usage-scale",
            type=float,
            default=1.0,
            help=f"Multiply the generated year of usage ({DEFAULT_EVENTS:,} uses at 1).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Seed of the generated usage, ratings and meter readings (the same seed, "
            "the same data).",
        )
        parser.add_argument(
            "--no-usage", action="store_true", help="Load no generated usage and ratings."
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="The language of the output and of the credentials file's hints.",
        )

    def handle(self, *args, language: str, **options):
        with translation.override(language):
            self._load(**options)

    def _load(self, *, if_empty: bool, usage_scale: float, seed: int, no_usage: bool, **_options):
        if usage_scale <= 0:
            raise CommandError(_("--usage-scale должен быть больше нуля."))
        if if_empty and Service.objects.exists():
            self.stdout.write(_("Демонстрационный город уже загружен."))
            return
        # The import's own summary is for `gorod import services`; the demo says it in its words.
        report, printed = catalog_demo(style=self.style)
        if report.problems:
            raise CommandError(printed)
        self.stdout.write(
            _("Каталог услуг: новых %(created)d, изменённых %(updated)d, без изменений %(same)d.")
            % {
                "created": len(report.created),
                "updated": len(report.updated),
                "same": len(report.unchanged),
            }
        )
        saved = self._save_credentials(demo_people())
        self._housing(seed=seed)
        if not no_usage:
            self._usage(events=max(1, round(DEFAULT_EVENTS * usage_scale)), seed=seed)
        saved = self._health(seed=seed) or saved
        saved = self._applications(seed=seed) or saved
        saved = self._school(seed=seed) or saved
        saved = self._clubs(seed=seed) or saved
        if saved:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Логины, пароли и роли демонстрационных учётных записей: %(path)s")
                    % {"path": self._credentials_path()}
                )
            )

    def _credentials_path(self) -> Path:
        return Path(settings.VAR_DIR) / CREDENTIALS_FILE

    def _save_credentials(self, credentials: list[tuple[str, str, str]]) -> bool:
        """Append new logins as «login, password, role(s), what to try»; False if none."""
        if not credentials:
            return False
        roles = {}
        users = User.objects.filter(email__in=[login for login, *_rest in credentials])
        for user in users.prefetch_related("groups"):
            titles = [
                str(ROLES[group.name][0]) for group in user.groups.all() if group.name in ROLES
            ]
            roles[user.email] = ", ".join(sorted(titles)) or _("Житель")
        path = self._credentials_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a") as handle:
            if handle.tell() == 0:
                header = (_("логин"), _("пароль"), _("роль"), _("что попробовать"))
                handle.write("# " + "\t".join(header) + "\n")
            for login, password, hint in credentials:
                handle.write(f"{login}\t{password}\t{roles.get(login, '')}\t{hint}\n")
        return True

    def _progress(self) -> Progress:
        console = Console(file=self.stdout, highlight=False)
        return Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            # Into a file or a pipe a bar leaves only empty lines.
            disable=not console.is_terminal,
        )

    def _built(self, title: str, build, *, total: int = 1):
        """What `build(progress=…)` makes, with a progress bar titled `title`."""
        with self._progress() as progress:
            task = progress.add_task(title, total=total)
            return build(
                progress=lambda done, total: progress.update(task, completed=done, total=total)
            )

    def _housing(self, *, seed: int) -> None:
        """Premises, meters and a year of readings for the demo citizen and invented people."""
        if Premises.objects.exists():
            self.stdout.write(_("Помещения уже есть: демонстрационные показания не добавляю."))
            return
        # The size is read from its module when the demo runs: the tests make the city smaller.
        with self._progress() as progress:
            task = progress.add_task(
                _("Помещения, счётчики и показания"), total=housing.DEFAULT_HOUSEHOLDS
            )
            made = housing.housing_demo(
                citizen=User.objects.get(email=DEMO_CITIZEN),
                seed=seed,
                households=housing.DEFAULT_HOUSEHOLDS,
                progress=lambda done, _total: progress.update(task, completed=done),
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Сгенерированы демонстрационные данные ЖКХ (вымышленные): помещений "
                    "%(premises)d, счётчиков %(meters)d, показаний за год %(readings)d; "
                    "seed %(seed)d."
                )
                % {
                    "premises": made.premises,
                    "meters": made.meters,
                    "readings": made.readings,
                    "seed": made.seed,
                }
            )
        )

    def _health(self, *, seed: int) -> bool:
        """Clinics (the city's registry when ../shared/data has it), doctors, slots, bookings."""
        if Practitioner.objects.exists():
            self.stdout.write(_("Врачи уже есть: демонстрационные данные поликлиник не добавляю."))
            return False
        made = self._built(
            _("Поликлиники, врачи, талоны и записи"),
            partial(
                health.health_demo,
                citizen=User.objects.get(email=DEMO_CITIZEN),
                seed=seed,
                patients=health.DEFAULT_PATIENTS,
            ),
        )
        saved = self._save_credentials(made.credentials)
        source = (
            _("реестр медицинских организаций (%(source)s)") % {"source": ATTRIBUTION}
            if made.imported
            else _("вымышленные поликлиники")
        )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Поликлиники: %(source)s, организаций %(organisations)d; врачи и расписания "
                    "(вымышленные) в %(staffed)d из них: врачей %(practitioners)d, талонов "
                    "%(slots)d, прикреплённых жителей %(patients)d, записей %(appointments)d; "
                    "seed %(seed)d."
                )
                % {
                    "source": source,
                    "organisations": made.organisations,
                    "staffed": made.staffed,
                    "practitioners": made.practitioners,
                    "slots": made.slots,
                    "patients": made.patients,
                    "appointments": made.appointments,
                    "seed": made.seed,
                }
            )
        )
        return saved

    def _applications(self, *, seed: int) -> bool:
        """Every service definition, the МФЦ offices, department staff and applications."""
        if Application.objects.exists():
            self.stdout.write(_("Заявления уже есть: демонстрационные заявления не добавляю."))
            return False
        made = self._built(
            _("Определения услуг, ведомства и заявления"),
            partial(
                applications.applications_demo,
                citizen_user=User.objects.get(email=DEMO_CITIZEN),
                seed=seed,
                count=applications.DEFAULT_APPLICATIONS,
            ),
            total=applications.DEFAULT_APPLICATIONS,
        )
        saved = self._save_credentials(made.credentials)
        offices = (
            _("центров госуслуг %(count)d (%(source)s)")
            % {"count": made.offices, "source": applications.MFC_ATTRIBUTION}
            if made.offices
            else _("адресов центров госуслуг нет: нет ../shared/data")
        )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Услуги-заявления: определений %(definitions)d, %(offices)s; сотрудников "
                    "ведомств %(operators)d; заявлений (вымышленных) во всех статусах "
                    "%(applications)d; seed %(seed)d."
                )
                % {
                    "definitions": made.definitions,
                    "offices": offices,
                    "operators": made.operators,
                    "applications": made.applications,
                    "seed": seed,
                }
            )
        )
        if made.quick_service:
            self.stdout.write(
                _(
                    "За две минуты: войдите как %(citizen)s, подайте заявление на /services/"
                    "%(slug)s/, затем войдите как %(operator)s и примите решение в очереди "
                    "/applications/desk/."
                )
                % {
                    "citizen": DEMO_CITIZEN,
                    "slug": made.quick_service,
                    "operator": made.quick_operator,
                }
            )
        return saved

    def _school(self, *, seed: int) -> bool:
        """A school with classes 1–11, teachers, a timetable and a year of journals."""
        if Teacher.objects.exists():
            self.stdout.write(_("Учителя уже есть: демонстрационную школу не добавляю."))
            return False
        made = self._built(
            _("Школа, классы, расписание и журналы"),
            partial(
                school.school_demo,
                citizen=User.objects.get(email=DEMO_CITIZEN),
                seed=seed,
                class_size=school.DEFAULT_CLASS_SIZE,
            ),
        )
        saved = self._save_credentials(made.credentials)
        source = (
            _("первая школа реестра (%(source)s)") % {"source": SCHOOLS_SOURCE}
            if made.imported
            else _("вымышленная школа")
        )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Школа «%(school)s»: %(source)s; классов %(classes)d, учеников "
                    "%(pupils)d, учителей %(teachers)d (вымышленные), уроков %(lessons)d, "
                    "оценок %(marks)d, пропусков %(absences)d; seed %(seed)d."
                )
                % {
                    "school": made.school,
                    "source": source,
                    "classes": made.classes,
                    "pupils": made.pupils,
                    "teachers": made.teachers,
                    "lessons": made.lessons,
                    "marks": made.marks,
                    "absences": made.absences,
                    "seed": seed,
                }
            )
        )
        return saved

    def _clubs(self, *, seed: int) -> bool:
        """Organisations, groups with schedules, applications, the organisation's login."""
        if ClubGroup.objects.exists():
            self.stdout.write(_("Группы кружков уже есть: демонстрационные кружки не добавляю."))
            return False
        made = self._built(
            _("Кружки, секции, группы и заявления"),
            partial(
                clubs.clubs_demo,
                citizen=User.objects.get(email=DEMO_CITIZEN),
                seed=seed,
            ),
        )
        saved = self._save_credentials(made.credentials)
        source = (
            _("реестры организаций и спортивных секций (%(source)s)") % {"source": CLUBS_SOURCE}
            if made.imported
            else _("вымышленные организации")
        )
        family = ", ".join(
            str(ClubApplication.Status(status).label) for status in made.family
        ) or _("нет детей подходящего возраста")
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Кружки и секции: %(source)s, организаций %(organisations)d, мест занятий "
                    "%(venues)d; группы и расписания (вымышленные): районов %(districts)d, "
                    "групп %(groups)d, из них полных %(full)d, заявлений %(applications)d; "
                    "заявления детей демо-жителя: %(family)s; seed %(seed)d."
                )
                % {
                    "source": source,
                    "organisations": made.organisations,
                    "venues": made.venues,
                    "districts": made.districts,
                    "groups": made.groups,
                    "full": made.full,
                    "applications": made.applications,
                    "family": family,
                    "seed": seed,
                }
            )
        )
        return saved

    def _usage(self, *, events: int, seed: int) -> None:
        """Generate a year of usage and ratings, import both, roll the days up."""
        if UsageEvent.objects.exists():
            # A second year generated over the first would double every day it overlaps.
            self.stdout.write(
                _("Обращения к услугам уже есть: демонстрационные данные не добавляю.")
            )
            return

        with tempfile.TemporaryDirectory(prefix="gorod-demo-") as folder:
            with self._progress() as progress:
                task = progress.add_task(_("Генерация года обращений и оценок"), total=DAYS)
                files = demo_generate(
                    Path(folder),
                    events=events,
                    seed=seed,
                    progress=lambda done, _total: progress.update(task, completed=done),
                )
            self.stdout.write(
                _(
                    "Сгенерированы демонстрационные данные (не настоящая статистика) за "
                    "%(first)s — %(last)s: обращений %(uses)d, оценок %(ratings)d; seed %(seed)d."
                )
                % {
                    "uses": files.uses,
                    "ratings": files.ratings_count,
                    "first": files.first,
                    "last": files.last,
                    "seed": seed,
                }
            )
            # The services, not the commands: those end by telling to run the rollup, which
            # the demo does right below.
            usage = usage_import(files.usage)
            ratings = ratings_import(actor=None, path=files.ratings)
        self.stdout.write(
            _("Загружено обращений: %(uses)d, оценок: %(ratings)d.")
            % {"uses": usage.imported, "ratings": ratings.imported}
        )
        with self._progress() as progress:
            task = progress.add_task(_("Пересчёт дней: обращения"), total=len(files.days))
            usage_rollup(days=files.days, progress=lambda _day: progress.advance(task))
            task = progress.add_task(_("Пересчёт дней: оценки"), total=len(files.days))
            rating_rollup(days=files.days, progress=lambda _day: progress.advance(task))
        self.stdout.write(
            self.style.SUCCESS(
                _("Дни %(first)s — %(last)s пересчитаны: отчёты и панели готовы.")
                % {"first": files.first, "last": files.last}
            )
        )
