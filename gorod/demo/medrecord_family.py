"""The demo city's medical records: a few years of invented history, as a loader writes it.

The demo family gets a record worth reading on every page of the ЭМК:
- the citizen: autumn-winter colds (J06.9, J00, J02.9, B34.9) and one pneumonia (J18.9)
  with a chest X-ray, an antibiotic and a sick leave; essential hypertension (I10) found by
  her therapist two years ago, followed by the therapist and a cardiologist, treated with
  amlodipine and then lisinopril too (e-prescriptions); a yearly ECG and fluorography;
  blood and urine panels, her cholesterol creeping up over the range (the trend chart has
  something to show, and E78.0 joins her problem list); a flu shot each autumn; a sick
  leave caring for her son; home pressure and pulse readings; a certificate ordered
  today. One visit (pharyngitis, later corrected to tonsillitis) carries an amendment;
- Миша (under 15): paediatric visits with the season's infections, a chronic tonsillitis
  on the list, yearly panels, the national calendar of vaccinations from birth (hepatitis
  B 0-1-6 months, BCG, DTP, polio, Hib, pneumococcal, measles-rubella-mumps at 12 months
  and 6 years, a diphtheria-tetanus booster, flu every autumn) and a ready pool certificate;
- the 16-year-old: a few colds, myopia, her first fluorography;
- the grandmother: long-standing hypertension with its prescriptions, a hospital stay
  with pneumonia (the discharge summary), yearly ECG and fluorography, panels with a
  slightly high glucose, flu shots and daily pressure readings.
The invented patients get a light random history (`record_history`, a few entries each),
and every fulfilled visit of the demo's appointments gets its protocol.

Entries are bulk-written, as an import would: each entry's details go in while it is
still a draft, then one UPDATE finalises them (migration 0004's triggers refuse details
of a finalised entry). The certificates go through the record services, whose flow (the
number, the signed PDF) is the point. No access-log row is written here: the log holds
only real looks. The same seed and moment give the same records (ids aside).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.accounts.rules import age_on
from gorod.appointments.models import Appointment
from gorod.clinics.models import Organisation, PractitionerRole
from gorod.clinics.selectors import current_attachment
from gorod.core.clock import local_now
from gorod.demo.clinics import Clinics, Family, Invented
from gorod.demo.medrecord import (
    AMOXICLAV,
    ANTIHYPERTENSIVES,
    CALENDAR,
    CHOLESTEROL,
    FAMILY_YEARS,
    FLU_VACCINES,
    GLUCOSE,
    HOSPITAL,
    INVENTED_ENTRIES,
    INVENTED_YEARS,
    PANELS,
    PROTOCOLS,
    SEASONAL,
    Chart,
    Desk,
    _at,
    _shown,
    condition,
    encounter,
    flu_shot,
    icd10_names,
    immunization,
    lab_panel,
    prescription,
    sick_leave,
    study,
)
from gorod.medrecord.models.record import (
    Condition,
    Diagnosis,
    DiaryReading,
    DischargeSummary,
    Entry,
)
from gorod.medrecord.selectors.access import RecordAccess
from gorod.medrecord.services import certificates as certificate_services


def _desks(organisation: Organisation) -> dict[str, Desk]:
    """The clinic's first doctor of each specialty."""
    desks: dict[str, Desk] = {}
    roles = PractitionerRole.objects.filter(organisation=organisation).select_related(
        "practitioner", "specialty"
    )
    for role in roles.order_by("id"):
        desks.setdefault(role.specialty.code, Desk(organisation, role))
    return desks


def _winter_days(rng: random.Random, today: date, years: int, per_year: int) -> list[date]:
    """Days of colds: October to March of each past season, none in the future."""
    days = []
    for back in range(years):
        season = date(today.year - back, 10, 1)
        for _cold in range(per_year):
            day = season + timedelta(days=rng.randrange(170))
            if day < today - timedelta(days=3) and day.weekday() < 5:
                days.append(day)
    return sorted(days)


def _workday(day: date) -> date:
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day


def record_demo(
    *, seed: int, citizen, family: Family, invented: Invented, clinics: Clinics, now: datetime
) -> None:
    """The family's records, the invented patients' light ones, protocols of past visits."""
    rng = random.Random(f"{seed}:record")  # noqa: S311 — invented data, not a secret
    now = local_now(now)
    today = now.date()
    chart = Chart(icd10_names())
    adult = _desks(clinics.adult)
    children = _desks(clinics.children)
    pharyngitis = _citizen(chart, rng, family, adult, citizen=citizen, today=today)
    _child(chart, rng, family, children, today=today)
    _teen(chart, rng, family.teen, children, adult, today=today)
    _grandmother(chart, rng, family.mother, adult, today=today)
    _visits(chart, rng, family, now=now)
    staffed = {clinic.pk: list(_desks(clinic).values()) or [Desk(clinic)] for clinic in clinics.all}
    for person, clinic in invented.adults + invented.children:
        _history(
            chart,
            rng,
            person,
            staffed[clinic.pk],
            years=INVENTED_YEARS,
            entries=rng.randint(*INVENTED_ENTRIES),
            today=today,
        )
    chart.write()
    _amend(chart, pharyngitis, adult["ent"])
    _certificates(citizen, family)


def _citizen(chart, rng, family, adult, *, citizen, today) -> Entry:
    """Her history; returns the visit the ENT doctor corrects later."""
    me = family.citizen
    therapist, cardiologist = adult["therapist"], adult["cardiologist"]
    employer = "ООО «Демонстрационная компания»"
    first = today.year - FAMILY_YEARS
    for day in _winter_days(rng, today, FAMILY_YEARS, 2):
        code = rng.choice(SEASONAL)
        encounter(chart, me, _at(day, 9, 30), code, desk=therapist)
        if code == "B34.9":
            sick_leave(chart, rng, me, day, 5, desk=therapist, employer=employer)
    # The pharyngitis the ENT doctor corrects later (the amendment), in last December.
    ent_day = _workday(date(today.year - 1, 12, 8))
    pharyngitis = encounter(chart, me, _at(ent_day, 11), "J02.9", desk=adult["ent"])
    # Pneumonia two winters ago: an X-ray, the antibiotic, ten days off work.
    ill = _workday(date(first + 1, 2, 6))
    encounter(chart, me, _at(ill, 9), "J18.9", desk=therapist)
    study(chart, me, _at(ill, 12), "DX", desk=therapist)
    lab_panel(
        chart, rng, me, _at(ill, 8), "cbc", desk=therapist, values={"6690-2": 12.4, "4537-7": 28}
    )
    prescription(
        chart,
        me,
        _at(ill, 9, 20),
        AMOXICLAV,
        desk=therapist,
        days=7,
        today=today,
    )
    sick_leave(chart, rng, me, ill, 12, desk=therapist, employer=employer)
    study(
        chart,
        me,
        _at(ill + timedelta(days=14), 12),
        "DX",
        desk=therapist,
        description="Инфильтративных теней нет. Синусы свободны.",
        conclusion="Разрешение пневмонии, патологии не выявлено.",
    )
    condition(
        chart,
        me,
        "J18.9",
        ill,
        desk=therapist,
        status=Condition.ClinicalStatus.RESOLVED,
        abated=ill + timedelta(days=14),
    )
    # Son's angina: a carer's sick leave.
    care = _workday(date(first + 1, 11, 14))
    sick_leave(
        chart,
        rng,
        me,
        care,
        7,
        desk=adult["therapist"],
        employer=employer,
        cared_for=f"{family.child.first_name} {family.child.last_name}, сын",
    )
    # Hypertension found at the check-up two years ago; cardiologist, two drugs.
    found = _workday(date(today.year - 2, 3, 10))
    encounter(chart, me, _at(found, 10), "I10", desk=therapist)
    condition(chart, me, "I10", found, desk=therapist, note="Гипертоническая болезнь I стадии.")
    encounter(
        chart,
        me,
        _at(found + timedelta(days=16), 14),
        "I10",
        desk=cardiologist,
        protocol=(
            "Головные боли реже, АД дома 135–145/85–90 мм рт. ст.",
            "Амлодипин 5 мг две недели.",
            "АД 138/88 мм рт. ст., ЧСС 72 в минуту. Тоны сердца ясные, ритмичные.",
            "Продолжить амлодипин 5 мг, добавить лизиноприл 10 мг. Контроль АД дома "
            "утром и вечером, повторный приём через 3 месяца.",
        ),
    )
    renew = found
    while renew < today - timedelta(days=30):
        drugs = ANTIHYPERTENSIVES[:1] if renew == found else ANTIHYPERTENSIVES
        for drug in drugs:
            chart.numbers += 1
            prescription(
                chart,
                me,
                _at(renew, 10, 15),
                drug,
                desk=therapist,
                days=90,
                number=f"0977{me.pk:06d}{chart.numbers:06d}",
                today=today,
            )
        renew = _workday(renew + timedelta(days=rng.randint(80, 95)))
    follow = found + timedelta(days=120)
    while follow < today - timedelta(days=20):
        doctor = cardiologist if follow.month in (3, 4, 9, 10) else therapist
        encounter(
            chart,
            me,
            _at(_workday(follow), 15),
            "I10",
            desk=doctor,
            protocol=(
                "Жалоб нет, АД дома 125–135/80–85 мм рт. ст.",
                "Принимает амлодипин 5 мг и лизиноприл 10 мг.",
                f"АД {rng.randint(124, 136)}/{rng.randint(78, 86)} мм рт. ст., ЧСС "
                f"{rng.randint(64, 76)} в минуту. Отёков нет.",
                "Терапию продолжить, дневник давления, биохимия крови раз в полгода.",
            ),
        )
        follow += timedelta(days=rng.randint(150, 200))
    # Check-ups: panels every half year, cholesterol creeping up; ECG and fluorography yearly.
    cholesterol, hypercholesterolaemia = 4.9, False
    check = date(first, 4, 15)
    while check < today - timedelta(days=7):
        day = _workday(check)
        lab_panel(chart, rng, me, _at(day, 8), "cbc", desk=therapist)
        lab_panel(
            chart,
            rng,
            me,
            _at(day, 8, 5),
            "biochemistry",
            desk=therapist,
            values={CHOLESTEROL: cholesterol},
        )
        lab_panel(chart, rng, me, _at(day, 8, 10), "urinalysis", desk=therapist)
        if cholesterol > 5.6 and not hypercholesterolaemia:
            encounter(
                chart,
                me,
                _at(day + timedelta(days=7), 11),
                "E78.0",
                desk=therapist,
                concomitant=("I10",),
            )
            condition(chart, me, "E78.0", day + timedelta(days=7), desk=therapist)
            hypercholesterolaemia = True
        if check.month == 4:
            encounter(chart, me, _at(day + timedelta(days=2), 9), "Z00.0", desk=therapist)
            study(chart, me, _at(day + timedelta(days=2), 10), "ECG", desk=therapist)
            study(chart, me, _at(day + timedelta(days=2), 10, 30), "FLG", desk=therapist)
        cholesterol += rng.uniform(0.15, 0.3)
        check = date(check.year + (check.month > 6), 4 if check.month > 6 else 10, 15)
    for year in range(first, today.year + (today.month >= 11)):
        flu_shot(chart, rng, me, year, therapist)
    # A month of home readings, morning and evening, better since the second drug.
    for back in range(30, 0, -1):
        day = today - timedelta(days=back)
        for hour in (8, 21):
            at = _at(day, hour, rng.randrange(0, 30))
            chart.diary.append(
                DiaryReading(
                    patient=me,
                    kind=DiaryReading.Kind.PRESSURE,
                    value=Decimal(rng.randint(122, 138)),
                    value_low=Decimal(rng.randint(76, 88)),
                    measured_at=at,
                    entered_by=citizen,
                )
            )
            chart.diary.append(
                DiaryReading(
                    patient=me,
                    kind=DiaryReading.Kind.PULSE,
                    value=Decimal(rng.randint(62, 78)),
                    measured_at=at,
                    entered_by=citizen,
                )
            )
    return pharyngitis


def _child(chart, rng, family, children, *, today) -> None:
    child = family.child
    paediatrician = children["pediatrician"]
    born = child.birth_date
    maternity = Desk(None)
    for days, vaccine, target, dose, site, at_birth in CALENDAR:
        day = born + timedelta(days=days)
        if day >= today:
            continue
        desk = maternity if at_birth else paediatrician
        immunization(
            chart,
            rng,
            child,
            _at(_workday(day) if not at_birth else day, 10),
            vaccine,
            target,
            dose,
            desk=desk,
            site=site,
        )
    first_flu = born + timedelta(days=183)
    for year in range(first_flu.year + (first_flu.month > 11), today.year + (today.month >= 11)):
        flu_shot(chart, rng, child, year, paediatrician)
    for day in _winter_days(rng, today, FAMILY_YEARS, 3):
        encounter(chart, child, _at(day, 10), rng.choice(SEASONAL), desk=paediatrician)
    tonsils = _workday(date(today.year - 1, 2, 12))
    encounter(chart, child, _at(tonsils, 12), "J35.0", desk=children.get("ent", paediatrician))
    condition(chart, child, "J35.0", tonsils, desk=children.get("ent", paediatrician))
    for year in range(today.year - FAMILY_YEARS + 1, today.year + 1):
        day = _workday(date(year, 8, 20))
        if day >= today:
            continue
        encounter(chart, child, _at(day, 9), "Z00.1", desk=paediatrician)
        lab_panel(chart, rng, child, _at(day, 8), "cbc", desk=paediatrician, child=True)
        lab_panel(chart, rng, child, _at(day, 8, 5), "urinalysis", desk=paediatrician, child=True)


def _teen(chart, rng, teen, children, adult, *, today) -> None:
    paediatrician = children["pediatrician"]
    for day in _winter_days(rng, today, FAMILY_YEARS, 1):
        encounter(chart, teen, _at(day, 15), rng.choice(SEASONAL), desk=paediatrician)
    eyes = _workday(date(today.year - 2, 9, 22))
    encounter(chart, teen, _at(eyes, 16), "H52.1", desk=adult["ophthalmologist"])
    condition(
        chart,
        teen,
        "H52.1",
        eyes,
        desk=adult["ophthalmologist"],
        note="Миопия слабой степени обоих глаз.",
    )
    fifteen = teen.birth_date.replace(year=teen.birth_date.year + 15)
    if fifteen < today:
        study(
            chart, teen, _at(_workday(fifteen + timedelta(days=30)), 11), "FLG", desk=paediatrician
        )
        lab_panel(
            chart,
            rng,
            teen,
            _at(_workday(fifteen + timedelta(days=28)), 8),
            "cbc",
            desk=paediatrician,
            child=True,
        )
    for year in range(today.year - FAMILY_YEARS, today.year + (today.month >= 11)):
        flu_shot(chart, rng, teen, year, paediatrician)


def discharge(
    chart: Chart,
    patient: Person,
    admitted: date,
    days: int,
    main: str,
    *,
    desk: Desk,
    concomitant: tuple[str, ...] = (),
    department: str = "терапевтическое отделение",
    treatment: str = "",
) -> Entry:
    discharged = admitted + timedelta(days=days)
    entry = chart.entry(
        patient,
        "discharges",
        _at(discharged, 13),
        _("Выписка: %(hospital)s") % {"hospital": HOSPITAL},
        chart.diagnosis_line(main),
        desk=desk,
        status="final",
    )
    chart.add(
        DischargeSummary(
            entry=entry,
            hospital=HOSPITAL,
            department=department,
            admitted_on=admitted,
            discharged_on=discharged,
            treatment=treatment
            or "Антибактериальная терапия, инфузионная терапия, "
            "муколитики, дыхательная гимнастика.",
            outcome="Выздоровление",
            recommendations="Наблюдение участкового терапевта, контрольная рентгенография "
            "через месяц, вакцинация против пневмококковой инфекции.",
        ),
        Diagnosis(entry=entry, icd10_id=main, kind=Diagnosis.Kind.MAIN),
        *(
            Diagnosis(entry=entry, icd10_id=other, kind=Diagnosis.Kind.CONCOMITANT)
            for other in concomitant
        ),
    )
    return entry


def _grandmother(chart, rng, mother, adult, *, today) -> None:
    therapist, cardiologist = adult["therapist"], adult["cardiologist"]
    condition(
        chart,
        mother,
        "I10",
        date(2012, 5, 14),
        desk=therapist,
        note="Гипертоническая болезнь II стадии, риск 3.",
    )
    start = today - timedelta(days=365 * FAMILY_YEARS)
    visit = start
    while visit < today - timedelta(days=14):
        day = _workday(visit)
        doctor = cardiologist if visit.month in (5, 6, 11) else therapist
        encounter(
            chart,
            mother,
            _at(day, 11),
            "I10",
            desk=doctor,
            protocol=(
                "Иногда головокружение по утрам, АД дома 135–150/85–95 мм рт. ст.",
                "Гипертоническая болезнь с 2012 года, принимает амлодипин и лизиноприл.",
                f"АД {rng.randint(136, 152)}/{rng.randint(84, 94)} мм рт. ст., ЧСС "
                f"{rng.randint(66, 80)} в минуту, ритм правильный. Отёков нет.",
                "Терапию продолжить, дневник давления, ограничение соли.",
            ),
        )
        for drug in ANTIHYPERTENSIVES:
            chart.numbers += 1
            prescription(
                chart,
                mother,
                _at(day, 11, 20),
                drug,
                desk=therapist,
                days=90,
                number=f"0977{mother.pk:06d}{chart.numbers:06d}",
                today=today,
            )
        visit += timedelta(days=rng.randint(85, 100))
    admitted = _workday(today - timedelta(days=430))
    discharge(chart, mother, admitted, 11, "J18.9", desk=Desk(None), concomitant=("I10",))
    encounter(
        chart,
        mother,
        _at(_workday(admitted + timedelta(days=14)), 10),
        "J18.9",
        desk=therapist,
        protocol=(
            "Слабость, кашель по утрам.",
            f"Выписана из стационара {_shown(admitted + timedelta(days=11))} после "
            "лечения пневмонии.",
            "Дыхание везикулярное, хрипов нет. SpO₂ 97 %. АД 138/86 мм рт. ст.",
            "Контрольная рентгенография, дыхательная гимнастика.",
        ),
        concomitant=("I10",),
    )
    for year in range(today.year - FAMILY_YEARS, today.year + 1):
        day = _workday(date(year, 6, 3))
        if day >= today:
            continue
        study(
            chart,
            mother,
            _at(day, 10),
            "ECG",
            desk=therapist,
            conclusion="Ритм синусовый. Признаки гипертрофии левого желудочка.",
        )
        study(chart, mother, _at(day, 10, 30), "FLG", desk=therapist)
        for month_offset, hour in ((0, 8), (180, 8)):
            panel_day = _workday(day + timedelta(days=month_offset))
            if panel_day >= today:
                continue
            lab_panel(chart, rng, mother, _at(panel_day, hour), "cbc", desk=therapist)
            lab_panel(
                chart,
                rng,
                mother,
                _at(panel_day, hour, 5),
                "biochemistry",
                desk=therapist,
                values={GLUCOSE: rng.uniform(5.8, 6.6)},
            )
        if date(year, 11, 15) < today:
            flu_shot(chart, rng, mother, year, therapist)
    for back in range(60, 0, -1):
        at = _at(today - timedelta(days=back), 9, rng.randrange(0, 40))
        chart.diary.append(
            DiaryReading(
                patient=mother,
                kind=DiaryReading.Kind.PRESSURE,
                value=Decimal(rng.randint(132, 156)),
                value_low=Decimal(rng.randint(80, 96)),
                measured_at=at,
                note="" if back % 7 else "после прогулки",
            )
        )
        chart.diary.append(
            DiaryReading(
                patient=mother,
                kind=DiaryReading.Kind.PULSE,
                value=Decimal(rng.randint(64, 84)),
                measured_at=at,
            )
        )


def _visits(chart, rng, family, *, now) -> None:
    """Protocols of the demo's fulfilled visits: the doctor login's week, the citizen's."""
    fulfilled = (
        Appointment.objects.filter(status=Appointment.Status.FULFILLED, start__lt=now)
        .exclude(record_entries__isnull=False)
        .select_related(
            "organisation", "slot__role__practitioner", "slot__role__specialty", "person"
        )
        .order_by("start", "id")
    )
    for appointment in fulfilled:
        role = appointment.slot.role
        desk = Desk(appointment.organisation, role)
        at = appointment.start
        if appointment.person_id == family.citizen.pk:
            encounter(
                chart,
                appointment.person,
                at,
                "I10",
                desk=desk,
                appointment=appointment,
                concomitant=("E78.0",),
            )
            continue
        code = rng.choice((*SEASONAL, "Z00.0", "I10", "G44.2"))
        encounter(chart, appointment.person, at, code, desk=desk, appointment=appointment)


# What a generated history is made of, by weight.
MIX = (
    ("encounters", 45),
    ("labs", 22),
    ("studies", 8),
    ("prescriptions", 8),
    ("immunizations", 7),
    ("sick_leaves", 4),
    ("conditions", 4),
    ("discharges", 2),
)
CHRONIC = ("I10", "E78.0", "G44.2", "H52.1", "J35.0")
CHILD_CHRONIC = ("H52.1", "J35.0")
# A child's history has its visits instead of these.
ADULT_ONLY = frozenset({"prescriptions", "sick_leaves"})


def _history(chart, rng, patient, desks, *, years: int, entries: int, today: date) -> None:
    """`entries` entries of every section spread over `years` (or the patient's life) up to
    yesterday."""
    young = age_on(patient.birth_date, today) < 18
    sections, weights = zip(*MIX, strict=True)
    span = max(min(years * 365, (today - patient.birth_date).days), 1)
    for _number in range(entries):
        day = today - timedelta(days=rng.randint(1, span))
        at = _at(day, rng.randint(8, 18), rng.choice((0, 15, 30, 45)))
        desk = rng.choice(desks)
        section = rng.choices(sections, weights)[0]
        if young and section in ADULT_ONLY:
            section = "encounters"
        if section == "encounters":
            winter = day.month >= 10 or day.month <= 3
            code = rng.choice(
                SEASONAL if winter else (("Z00.1",) if young else ("Z00.0", "I10", "G44.2"))
            )
            encounter(chart, patient, at, code, desk=desk)
        elif section == "labs":
            panel = rng.choice(tuple(PANELS))
            lab_panel(chart, rng, patient, at, panel, desk=desk, child=young)
        elif section == "studies":
            study(chart, patient, at, rng.choice(("ECG", "FLG")), desk=desk)
        elif section == "prescriptions":
            prescription(
                chart, patient, at, rng.choice(ANTIHYPERTENSIVES), desk=desk, days=30, today=today
            )
        elif section == "immunizations":
            vaccine = rng.choice(FLU_VACCINES)
            immunization(chart, rng, patient, at, vaccine, "грипп", 1, desk=desk)
        elif section == "sick_leaves":
            sick_leave(
                chart, rng, patient, day, rng.randint(3, 10), desk=desk, employer="ООО «Пример»"
            )
        elif section == "conditions":
            condition(
                chart, patient, rng.choice(CHILD_CHRONIC if young else CHRONIC), day, desk=desk
            )
        else:
            discharge(chart, patient, day, rng.randint(5, 12), "J18.9", desk=Desk(None))


def record_history(
    patient: Person,
    *,
    years: int = 10,
    entries: int = 500,
    rng: random.Random,
    now: datetime | None = None,
) -> list[Entry]:
    """A long mixed history for one patient, by the doctors of the patient's clinic (any
    clinic's when not attached): for the benchmark and the query-count tests."""
    today = local_now(now).date()
    attachment = current_attachment(patient.pk)
    desks = list(_desks(attachment.organisation).values()) if attachment else []
    if not desks:
        role = PractitionerRole.objects.select_related("practitioner", "specialty").first()
        desks = [Desk(role.organisation, role) if role else Desk(None)]
    chart = Chart(icd10_names())
    _history(chart, rng, patient, desks, years=years, entries=entries, today=today)
    return chart.write()


def _amend(chart: Chart, original: Entry, desk: Desk) -> Entry:
    """The ENT doctor's correction: tonsillitis, not pharyngitis; the original superseded."""
    original = Entry.objects.get(pk=original.pk)
    correction = Chart(chart.icd10)
    complaints, anamnesis, _examination, _advice = PROTOCOLS["J02.9"]
    _c, _a, examination, advice = PROTOCOLS["J03.9"]
    amendment = encounter(
        correction,
        original.patient,
        original.occurred_at,
        "J03.9",
        desk=desk,
        protocol=(complaints, anamnesis, examination, advice),
    )
    amendment.amends = original
    amendment.amendment_reason = (
        "Уточнён диагноз: при повторном осмотре налёты в лакунах миндалин, острый тонзиллит."
    )
    amendment.created_at = original.finalised_at + timedelta(days=2)
    correction.write()
    amendment.refresh_from_db(fields=["finalised_at"])
    Entry.objects.filter(pk=original.pk).update(superseded_at=amendment.finalised_at)
    return amendment


def _certificates(citizen, family) -> None:
    """A pool certificate for the son, ready; one for the citizen herself, ordered today."""

    def access(patient: Person, role: str) -> RecordAccess:
        # The services want a patient-side look; the demo acts as the citizen, without a
        # look at the record (nothing to log).
        return RecordAccess(
            actor=citizen,
            patient=patient,
            role=role,
            section="certificates",
            channel="web",
            look=None,
        )

    ready = certificate_services.certificate_order(
        access=access(family.child, "guardian"),
        kind="pool",
        purpose="Бассейн «Демонстрационный»",
    )
    certificate_services.certificate_prepare(actor=None, entry=ready)
    certificate_services.certificate_order(
        access=access(family.citizen, "self"), kind="health", purpose="По месту работы"
    )
