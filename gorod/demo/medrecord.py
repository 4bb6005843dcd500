"""The demo record's pieces: the protocols, labs, prescriptions and the other sections a
demo chart is written from (gorod/demo/medrecord_family.py writes the family's record)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import F
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.appointments.models import Appointment
from gorod.clinics.models import Organisation, PractitionerRole
from gorod.core.clock import city_zone
from gorod.core.errors import DomainError
from gorod.medrecord import rules as record_rules
from gorod.medrecord.models.record import (
    Condition,
    Diagnosis,
    DiaryReading,
    EncounterNote,
    Entry,
    Icd10,
    Immunization,
    LabReport,
    Observation,
    Prescription,
    SickLeave,
    StudyReport,
)
from gorod.medrecord.services.labs import lab_summary

if TYPE_CHECKING:
    pass


# Years of history the demo family's adults and the teen have (the child's vaccinations
# go back to birth).
FAMILY_YEARS = 3
# Entries of each invented patient's light history, and the years it spans.
INVENTED_ENTRIES = (3, 8)
INVENTED_YEARS = 3
# A doctor signs an entry this long after the visit began.
SIGNED_AFTER = timedelta(minutes=20)
LAB_SYSTEM = "demo-lis"
LABORATORY = "Демонстрационная клинико-диагностическая лаборатория"
HOSPITAL = "Демонстрационная городская клиническая больница № 1"

# What each diagnosis's visit sounds like: complaints, anamnesis, examination, advice.
PROTOCOLS = {
    "J06.9": (
        "Насморк, першение в горле, температура до 37,8 °C.",
        "Болеет второй день, связывает с переохлаждением.",
        "Состояние удовлетворительное. Зев гиперемирован, миндалины не увеличены. Дыхание "
        "везикулярное, хрипов нет. ЧДД 16 в минуту, ЧСС 78 в минуту.",
        "Тёплое питьё, промывание носа солевым раствором, парацетамол 500 мг при "
        "температуре выше 38,5 °C. Повторная явка через 5 дней.",
    ),
    "J00": (
        "Заложенность носа, слизистые выделения, чихание.",
        "Болеет первый день, в семье болеют.",
        "Слизистая носа отёчна, гиперемирована. Зев спокоен. Дыхание везикулярное.",
        "Промывание носа, сосудосуживающие капли не дольше 5 дней.",
    ),
    "J02.9": (
        "Боль в горле при глотании, температура 38,0 °C.",
        "Болеет два дня.",
        "Задняя стенка глотки гиперемирована, зернистая. Миндалины без налётов. "
        "Подчелюстные лимфоузлы не увеличены.",
        "Полоскания горла, тёплое питьё. Анализ крови, если температура держится больше трёх дней.",
    ),
    "J03.9": (
        "Боль в горле при глотании, температура 38,4 °C.",
        "Болеет два дня.",
        "Миндалины увеличены, гиперемированы, в лакунах налёты. Подчелюстные лимфоузлы "
        "увеличены, болезненны.",
        "Амоксициллин 500 мг 3 раза в день 10 дней, полоскания горла, явка через 3 дня.",
    ),
    "B34.9": (
        "Слабость, ломота в теле, температура 38,2 °C.",
        "Болеет первый день, на работе болеют.",
        "Состояние средней тяжести. Катаральных явлений нет. Лёгкие чистые.",
        "Постельный режим, питьё, жаропонижающие при необходимости. Явка через 3–5 дней.",
    ),
    "J18.9": (
        "Кашель с мокротой, одышка при нагрузке, температура до 38,6 °C четыре дня.",
        "Неделю назад перенесла ОРВИ.",
        "Справа в нижних отделах дыхание ослаблено, влажные мелкопузырчатые хрипы. SpO₂ "
        "96 %. ЧДД 20 в минуту.",
        "Рентгенография органов грудной клетки, общий анализ крови. "
        "Амоксициллин/клавуланат 875/125 мг 2 раза в день 7 дней. Контроль через 3 дня.",
    ),
    "I10": (
        "Периодические головные боли в затылке, АД дома до 150/95 мм рт. ст.",
        "Повышение давления около года, наследственность отягощена.",
        "АД 148/94 мм рт. ст. на обеих руках, ЧСС 76 в минуту, ритм правильный. Тоны сердца "
        "ясные. Отёков нет.",
        "Ограничить соль до 5 г в сутки, ходьба 30 минут в день, дневник давления. ЭКГ, "
        "биохимия крови, консультация кардиолога.",
    ),
    "E78.0": (
        "Жалоб нет.",
        "Холестерин выше нормы в двух анализах подряд.",
        "Состояние удовлетворительное. ИМТ 26. АД 128/82 мм рт. ст.",
        "Диета с ограничением животных жиров, контроль липидограммы через 3 месяца.",
    ),
    "Z00.0": (
        "Жалоб нет.",
        "Диспансеризация.",
        "Состояние удовлетворительное. Кожа чистая. Дыхание везикулярное. АД 122/78 мм рт. "
        "ст., ЧСС 70 в минуту.",
        "Здоров. Флюорография и анализы по плану диспансеризации.",
    ),
    "Z00.1": (
        "Жалоб нет.",
        "Профилактический осмотр.",
        "Физическое развитие среднее, гармоничное. Кожа чистая. Зев спокоен. Дыхание везикулярное.",
        "Здоров. Прививки по национальному календарю.",
    ),
    "J35.0": (
        "Частые ангины, неприятный запах изо рта.",
        "Ангины 3–4 раза в год последние два года.",
        "Миндалины II степени, рыхлые, в лакунах казеозные пробки. Лимфоузлы не увеличены.",
        "Промывание лакун курсом 10 процедур, осмотр ЛОР-врача через 6 месяцев.",
    ),
    "H52.1": (
        "Плохо видит вдаль, особенно доску в школе.",
        "Снижение зрения около года.",
        "Острота зрения OD 0,4, OS 0,5, с коррекцией −1,5 дптр 1,0. Глазное дно в норме.",
        "Очки для дали −1,5 дптр, гимнастика для глаз, осмотр через 6 месяцев.",
    ),
    "G44.2": (
        "Давящие головные боли к вечеру, напряжение в шее.",
        "Связывает с работой за компьютером.",
        "Очаговой неврологической симптоматики нет. Напряжение мышц шеи.",
        "Режим труда и отдыха, лечебная физкультура, при боли ибупрофен 400 мг.",
    ),
}
SEASONAL = ("J06.9", "J06.9", "J00", "J02.9", "B34.9")
# Codes every generated visit may use; all are in the common ICD-10 set (migration 0005).
ICD10_CODES = frozenset(PROTOCOLS) | {"I11.9"}

# An analyte: LOINC code, name, unit, reference low/high, mean, spread, decimals.
Analyte = tuple[str, str, str, str | None, str | None, float, float, int]
PANELS: dict[str, tuple[str, str, str, tuple[Analyte, ...]]] = {
    "cbc": (
        "Общий анализ крови",
        LabReport.Category.HAEMATOLOGY,
        "венозная кровь",
        (
            ("718-7", "Гемоглобин", "г/л", "120", "140", 131, 7, 0),
            ("789-8", "Эритроциты", "10¹²/л", "3.8", "5.1", 4.4, 0.3, 2),
            ("6690-2", "Лейкоциты", "10⁹/л", "4.0", "9.0", 6.3, 1.5, 1),
            ("777-3", "Тромбоциты", "10⁹/л", "180", "320", 250, 35, 0),
            ("4537-7", "СОЭ", "мм/ч", "2", "15", 9, 4, 0),
        ),
    ),
    "biochemistry": (
        "Биохимический анализ крови",
        LabReport.Category.BIOCHEMISTRY,
        "сыворотка крови",
        (
            ("2345-7", "Глюкоза", "ммоль/л", "3.9", "6.1", 5.0, 0.4, 1),
            ("2093-3", "Холестерин общий", "ммоль/л", None, "5.2", 4.7, 0.3, 2),
            ("2160-0", "Креатинин", "мкмоль/л", "44", "80", 67, 7, 0),
            ("1742-6", "АЛТ", "Ед/л", None, "31", 19, 6, 0),
            ("1920-8", "АСТ", "Ед/л", None, "31", 21, 5, 0),
        ),
    ),
    "urinalysis": (
        "Общий анализ мочи",
        LabReport.Category.URINALYSIS,
        "моча",
        (
            ("5811-5", "Относительная плотность", "", "1.010", "1.025", 1.018, 0.004, 3),
            ("5803-2", "pH", "", "5.0", "7.0", 6.0, 0.5, 1),
            ("5821-4", "Лейкоциты", "в п/зр.", "0", "5", 2, 1.5, 0),
        ),
    ),
}
CHOLESTEROL = "2093-3"
GLUCOSE = "2345-7"
# Children's haemoglobin range differs from adult women's.
CHILD_RANGES = {"718-7": ("110", "140", 124)}

# The six-in-one vaccine of the calendar's first year.
HEXA = "дифтерия, коклюш, столбняк, полиомиелит, Hib-инфекция"
# The national calendar of preventive vaccinations (order 1122н) up to the age of 7:
# (age in days, vaccine, against what, dose number, site, given at the maternity hospital).
CALENDAR = (
    (0, "Регевак В", "гепатит B", 1, "бедро", True),
    (4, "БЦЖ-М", "туберкулёз", 1, "плечо", True),
    (30, "Регевак В", "гепатит B", 2, "бедро", False),
    (60, "Превенар 13", "пневмококковая инфекция", 1, "бедро", False),
    (91, "Инфанрикс Гекса", HEXA, 1, "бедро", False),
    (137, "Инфанрикс Гекса", HEXA, 2, "бедро", False),
    (137, "Превенар 13", "пневмококковая инфекция", 2, "бедро", False),
    (183, "Инфанрикс Гекса", HEXA, 3, "бедро", False),
    (183, "Регевак В", "гепатит B", 3, "бедро", False),
    (365, "Вактривир", "корь, краснуха, эпидемический паротит", 1, "плечо", False),
    (456, "Превенар 13", "пневмококковая инфекция", 3, "плечо", False),
    (548, "Инфанрикс Гекса", HEXA, 4, "бедро", False),
    (609, "бОПВ", "полиомиелит", 5, "через рот", False),
    (2191, "Вактривир", "корь, краснуха, эпидемический паротит", 2, "плечо", False),
    (2200, "бОПВ", "полиомиелит", 6, "через рот", False),
    (2560, "АДС-М", "дифтерия, столбняк", 5, "плечо", False),
)
AMOXICLAV = (
    "Амоксициллин + клавулановая кислота",
    "таблетки 875/125 мг",
    "1 таблетка",
    "2 раза в день",
)
FLU_VACCINES = ("Ультрикс Квадри", "Совигрипп", "Флю-М")
ANTIHYPERTENSIVES = (
    ("Амлодипин", "таблетки 5 мг", "5 мг", "1 раз в день утром"),
    ("Лизиноприл", "таблетки 10 мг", "10 мг", "1 раз в день утром"),
)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=city_zone())


def _shown(day: date) -> str:
    return f"{day:%d.%m.%Y}"


@dataclass(frozen=True)
class Desk:
    """Where an entry was written: a doctor's post, or just a clinic."""

    organisation: Organisation | None
    role: PractitionerRole | None = None

    @property
    def practitioner(self):
        return self.role.practitioner if self.role else None

    @property
    def user_id(self) -> int | None:
        return self.role.practitioner.user_id if self.role else None


class Chart:
    """Entries and their details gathered in memory, written in a few bulk statements."""

    def __init__(self, icd10: dict[str, str]):
        self.icd10 = icd10
        self.entries: list[Entry] = []
        self.details: dict[type, list] = defaultdict(list)
        self.diary: list[DiaryReading] = []
        self.numbers = 0

    def entry(
        self,
        patient: Person,
        section: str,
        at: datetime,
        title: str,
        summary: str = "",
        *,
        desk: Desk,
        status: str = "",
        source: str = Entry.Source.CLINICIAN,
        **fields,
    ) -> Entry:
        role = desk.role
        entry = Entry(
            patient=patient,
            section=section,
            occurred_at=at,
            title=title[:255],
            summary=summary[:500],
            status=status,
            organisation=desk.organisation,
            practitioner=desk.practitioner,
            specialty=role.specialty if role else None,
            source=source,
            created_by_id=desk.user_id,
            created_at=at,
            **fields,
        )
        self.entries.append(entry)
        return entry

    def add(self, *details) -> None:
        for detail in details:
            self.details[type(detail)].append(detail)

    def diagnosis_line(self, code: str) -> str:
        return f"{code} {self.icd10[code]}"

    def write(self) -> list[Entry]:
        """Entries, then their details, then all the entries finalised at once."""
        Entry.objects.bulk_create(self.entries, batch_size=500)
        for model, rows in self.details.items():
            model.objects.bulk_create(rows, batch_size=1000)
        DiaryReading.objects.bulk_create(self.diary, batch_size=1000)
        final = [entry.pk for entry in self.entries]
        for start in range(0, len(final), 500):
            Entry.objects.filter(pk__in=final[start : start + 500]).update(
                finalised_at=F("created_at") + SIGNED_AFTER, finalised_by=F("created_by")
            )
        return self.entries


def icd10_names() -> dict[str, str]:
    """The names of the codes the generator uses, from the reference book (migration 0005)."""
    names = dict(Icd10.objects.filter(code__in=ICD10_CODES).values_list("code", "name"))
    missing = sorted(ICD10_CODES - set(names))
    if missing:
        raise DomainError(
            "demo_icd10_missing",
            _("В справочнике МКБ-10 нет кодов %(codes)s: загрузите его (`gorod import icd10`).")
            % {"codes": ", ".join(missing)},
        )
    return names


def encounter(
    chart: Chart,
    patient: Person,
    at: datetime,
    code: str,
    *,
    desk: Desk,
    concomitant: tuple[str, ...] = (),
    appointment: Appointment | None = None,
    protocol: tuple[str, str, str, str] | None = None,
) -> Entry:
    specialty = desk.role.specialty.name if desk.role else _("врач")
    entry = chart.entry(
        patient,
        "encounters",
        at,
        f"Приём: {specialty}",
        chart.diagnosis_line(code),
        desk=desk,
        status="finished",
        appointment=appointment,
    )
    complaints, anamnesis, examination, recommendations = protocol or PROTOCOLS[code]
    chart.add(
        EncounterNote(
            entry=entry,
            complaints=complaints,
            anamnesis=anamnesis,
            examination=examination,
            recommendations=recommendations,
        ),
        Diagnosis(entry=entry, icd10_id=code, kind=Diagnosis.Kind.MAIN),
        *(
            Diagnosis(entry=entry, icd10_id=other, kind=Diagnosis.Kind.CONCOMITANT)
            for other in concomitant
        ),
    )
    return entry


def lab_panel(
    chart: Chart,
    rng: random.Random,
    patient: Person,
    at: datetime,
    panel: str,
    *,
    desk: Desk,
    child: bool = False,
    values: dict[str, float] | None = None,
) -> Entry:
    """A panel's report; `values` fixes some analytes (a trend), the rest vary around normal."""
    title, category, specimen, analytes = PANELS[panel]
    observations = []
    for position, (code, name, unit, low, high, mean, spread, decimals) in enumerate(analytes):
        if child and code in CHILD_RANGES:
            low, high, mean = CHILD_RANGES[code]
        value = (values or {}).get(code, max(rng.gauss(mean, spread), 0))
        value = Decimal(str(round(value, decimals)))
        low_value = Decimal(low) if low is not None else None
        high_value = Decimal(high) if high is not None else None
        observations.append(
            Observation(
                position=position,
                code=code,
                name=name,
                value=value,
                unit=unit,
                reference_low=low_value,
                reference_high=high_value,
                flag=record_rules.observation_flag(value, low_value, high_value),
            )
        )
    summary, flagged = lab_summary(observations)
    chart.numbers += 1
    entry = chart.entry(
        patient,
        "labs",
        at,
        title,
        summary,
        desk=desk,
        status="final",
        source=Entry.Source.LABORATORY,
        flagged=flagged,
    )
    chart.add(
        LabReport(
            entry=entry,
            lab_system=LAB_SYSTEM,
            lab_identifier=f"{patient.pk}-{chart.numbers}-{rng.getrandbits(32):08x}",
            laboratory=LABORATORY,
            category=category,
            specimen=specimen,
        )
    )
    for observation in observations:
        observation.entry = entry
    chart.add(*observations)
    return entry


# A study's body site, usual description and usual conclusion.
STUDIES = {
    "ECG": (
        "",
        "Ритм синусовый, ЧСС 72 в минуту. Электрическая ось сердца не отклонена.",
        "ЭКГ без патологических изменений.",
    ),
    "FLG": (
        "органы грудной клетки",
        "Лёгочные поля без очаговых и инфильтративных теней. Корни структурны. Синусы "
        "свободны. Сердце не расширено.",
        "Патологии органов грудной клетки не выявлено.",
    ),
    "DX": (
        "органы грудной клетки",
        "В нижней доле правого лёгкого участок инфильтрации лёгочной ткани. Синусы свободны.",
        "Рентгенологическая картина правосторонней нижнедолевой пневмонии.",
    ),
}


def study(
    chart: Chart,
    patient: Person,
    at: datetime,
    modality: str,
    *,
    desk: Desk,
    conclusion: str = "",
    description: str = "",
) -> Entry:
    body_site, usual_description, usual_conclusion = STUDIES[modality]
    title = f"{StudyReport.Modality(modality).label}: {body_site}".rstrip(": ")
    conclusion = conclusion or usual_conclusion
    entry = chart.entry(patient, "studies", at, title, conclusion, desk=desk, status="final")
    chart.add(
        StudyReport(
            entry=entry,
            modality=modality,
            body_site=body_site,
            description=description or usual_description,
            conclusion=conclusion,
        )
    )
    return entry


def prescription(
    chart: Chart,
    patient: Person,
    at: datetime,
    drug: tuple[str, str, str, str],
    *,
    desk: Desk,
    days: int,
    number: str | None = None,
    today: date,
) -> Entry:
    name, form, dose, schedule = drug
    valid_until = at.date() + timedelta(days=60)
    entry = chart.entry(
        patient,
        "prescriptions",
        at,
        _("Рецепт: %(drug)s") % {"drug": name},
        f"{dose}, {schedule}",
        desk=desk,
        status="active" if valid_until >= today else "completed",
    )
    chart.add(
        Prescription(
            entry=entry,
            drug=name,
            dosage_form=form,
            dose=dose,
            schedule=schedule,
            duration_days=days,
            valid_until=valid_until,
            number=number,
        )
    )
    return entry


def sick_leave(
    chart: Chart,
    rng: random.Random,
    patient: Person,
    starts_on: date,
    days: int,
    *,
    desk: Desk,
    employer: str,
    cared_for: str = "",
) -> Entry:
    number = "".join(str(rng.randrange(10)) for _digit in range(12))
    ends_on = starts_on + timedelta(days=days - 1)
    summary = f"{starts_on:%d.%m.%Y} – {ends_on:%d.%m.%Y}"
    entry = chart.entry(
        patient,
        "sick_leaves",
        _at(starts_on, 10),
        _("Больничный лист № %(number)s") % {"number": number},
        summary,
        desk=desk,
        status="closed",
    )
    chart.add(
        SickLeave(
            entry=entry,
            number=number,
            starts_on=starts_on,
            ends_on=ends_on,
            employer=employer,
            cared_for=cared_for,
        )
    )
    return entry


def immunization(
    chart: Chart,
    rng: random.Random,
    patient: Person,
    at: datetime,
    vaccine: str,
    target: str,
    dose: int,
    *,
    desk: Desk,
    site: str = "плечо",
) -> Entry:
    entry = chart.entry(
        patient,
        "immunizations",
        at,
        _("Прививка: %(disease)s") % {"disease": target},
        _("%(vaccine)s, доза %(dose)d") % {"vaccine": vaccine, "dose": dose},
        desk=desk,
        status="completed",
    )
    lot = f"{rng.choice('АВКМНРТ')}{rng.randrange(100, 999)}-{at:%m%y}"
    chart.add(
        Immunization(
            entry=entry,
            vaccine=vaccine,
            target_disease=target,
            dose_number=dose,
            lot_number=lot,
            site=site,
        )
    )
    return entry


def condition(
    chart: Chart,
    patient: Person,
    code: str,
    onset: date,
    *,
    desk: Desk,
    status: str = Condition.ClinicalStatus.ACTIVE,
    abated: date | None = None,
    note: str = "",
) -> Entry:
    entry = chart.entry(
        patient,
        "conditions",
        _at(onset, 11),
        chart.icd10[code],
        chart.diagnosis_line(code),
        desk=desk,
        status=status,
    )
    chart.add(
        Condition(
            entry=entry,
            icd10_id=code,
            clinical_status=status,
            onset_on=onset,
            abated_on=abated,
            note=note,
        )
    )
    return entry


def flu_shot(chart: Chart, rng: random.Random, patient: Person, year: int, desk: Desk) -> Entry:
    day = date(year, 10, 1) + timedelta(days=rng.randrange(40))
    return immunization(
        chart, rng, patient, _at(day, 10), rng.choice(FLU_VACCINES), "грипп", 1, desk=desk
    )
