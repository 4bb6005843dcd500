"""The portal's key pages over a small demo city, as a citizen, a registrar, a doctor, a teacher
and a passer-by see them: what the HTML-validity and the English-coverage tests read."""

from dataclasses import dataclass

from django.test import Client

from gorod.accounts.models import User
from gorod.accounts.tests.factories import PersonFactory
from gorod.demo import clinics as clinics_demo
from gorod.demo import health as health_demo_module
from gorod.demo.housing import housing_demo
from gorod.demo.school import DEMO_SUBJECT_TEACHER, school_demo
from gorod.housing.models import Meter
from gorod.medrecord.models.record import Entry, Observation, Section


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    client: Client


def demo_pages() -> list[Page]:
    """Build a small demo city (today's date, so every window and slot is live) and name
    the pages to read, each with the client of the person who would open it."""
    citizen = PersonFactory(
        user__email="demo@gorod.local", last_name="Демонстрационная", first_name="Анна"
    ).user
    health_demo_module.health_demo(citizen=citizen, seed=7, patients=4, registry=None)
    housing_demo(citizen=citizen, seed=7, households=1)
    # The citizen's school-age children in the invented school, two pupils to a class.
    school_demo(citizen=citizen, seed=7, class_size=2, registry=None, subjects=None)

    me = citizen.person.pk
    lab = Entry.objects.filter(patient_id=me, section=Section.LABS).order_by("-occurred_at")[0]
    analyte = Observation.objects.filter(entry=lab).values_list("code", flat=True)[0]
    meter = Meter.objects.filter(premises__links__person_id=me).order_by("pk")[0]
    registrar = User.objects.get(email=clinics_demo.DEMO_REGISTRAR)
    clinic = registrar.registrar_posts.get().organisation_id

    anonymous, as_citizen = Client(), Client()
    as_citizen.force_login(citizen)
    as_registrar, as_doctor = Client(), Client()
    as_registrar.force_login(registrar)
    as_doctor.force_login(User.objects.get(email=clinics_demo.DEMO_DOCTOR))
    as_teacher = Client()
    as_teacher.force_login(User.objects.get(email=DEMO_SUBJECT_TEACHER))
    record = f"/health/record/{me}"
    return [
        Page("home", "/", anonymous),
        Page("category", "/categories/health/", anonymous),
        Page("service", "/services/doctor-appointment/", anonymous),
        Page("search", "/search?q=врач", anonymous),
        Page("login", "/accounts/login/", anonymous),
        Page("open-data", "/analytics/open-data/", anonymous),
        Page("cabinet", "/cabinet/", as_citizen),
        Page("meters", "/housing/", as_citizen),
        Page("meter", f"/housing/meters/{meter.pk}/", as_citizen),
        Page("appointments", "/health/", as_citizen),
        Page("booking", "/health/book/", as_citizen),
        Page("record", f"{record}/", as_citizen),
        Page("lab-result", f"{record}/labs/{lab.pk}/", as_citizen),
        Page("analyte", f"{record}/labs/analyte/{analyte}/", as_citizen),
        Page("access-log", f"{record}/access-log/", as_citizen),
        Page("certificates", f"{record}/certificates/", as_citizen),
        Page("registrar-day", f"/health/staff/clinics/{clinic}/day/", as_registrar),
        Page("doctor-day", "/health/staff/doctor/", as_doctor),
        Page("diary", "/school/", as_citizen),
        Page("diary-marks", "/school/marks/", as_citizen),
        Page("journal", "/school/journal/", as_teacher),
    ]
