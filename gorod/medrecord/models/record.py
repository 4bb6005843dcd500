"""The electronic medical record (ЭМК): a person's health history and the log of every look.

Every item of the record is an `Entry`: the envelope the timeline lists (who, when, where,
a title and a one-line summary), with the section's details in a table of its own keyed by
the entry. Held below the application (migration 0004's triggers, on both databases):
- a finalised entry and its details never change in place: a correction is an amendment,
  a new entry that points at the one it amends; the original keeps every word and gets
  only its `superseded_at` stamp. Only the lifecycle `status` (a certificate issued, a sick
  leave closed) may still move;
- the access log is append-only: no UPDATE, no DELETE.
The log has no foreign keys on purpose: it outlives accounts and records, and a reader's
look at a record that does not exist (a guessed id) is logged as well.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gorod.accounts.models import Person
from gorod.appointments.models import Appointment
from gorod.clinics.models import Organisation, Practitioner, Specialty
from gorod.core.moments import SANE_END_MOMENT, SANE_FIRST_MOMENT


class Section(models.TextChoices):
    """The record's sections: the unit of access, of the access log and of the pages."""

    ENCOUNTERS = "encounters", _("Приёмы врачей")
    CONDITIONS = "conditions", _("Заболевания")
    LABS = "labs", _("Анализы")
    STUDIES = "studies", _("Исследования")
    DISCHARGES = "discharges", _("Выписки из стационара")
    PRESCRIPTIONS = "prescriptions", _("Рецепты")
    SICK_LEAVES = "sick_leaves", _("Больничные листы")
    IMMUNIZATIONS = "immunizations", _("Прививки")
    CERTIFICATES = "certificates", _("Справки")
    DIARY = "diary", _("Дневник здоровья")


class Icd10(models.Model):
    """A code of the Russian ICD-10 (МКБ-10) reference book, НСИ OID 1.2.643.5.1.13.13.11.1005."""

    code = models.CharField(_("код"), max_length=16, primary_key=True)
    name = models.CharField(_("название"), max_length=512)
    parent_code = models.CharField(_("код раздела"), max_length=16, blank=True)
    actual = models.BooleanField(_("действует"), default=True)

    class Meta:
        db_table = "health_icd10"
        verbose_name = _("код МКБ-10")
        verbose_name_plural = _("МКБ-10")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Entry(models.Model):
    """One item of a person's record, as the timeline lists it."""

    class Source(models.TextChoices):
        CLINICIAN = "clinician", _("врач")
        LABORATORY = "laboratory", _("лаборатория")
        PATIENT = "patient", _("пациент")
        IMPORT = "import", _("загрузка")

    patient = models.ForeignKey(
        Person, verbose_name=_("пациент"), on_delete=models.PROTECT, related_name="record_entries"
    )
    section = models.CharField(_("раздел"), max_length=16, choices=Section.choices)
    occurred_at = models.DateTimeField(_("дата"))
    title = models.CharField(_("заголовок"), max_length=255)
    summary = models.CharField(_("кратко"), max_length=500, blank=True)
    # True when something needs the reader's eye: a result outside its reference range.
    flagged = models.BooleanField(_("есть отклонения"), default=False)
    # The lifecycle of sections that have one (an encounter in progress, a certificate
    # ordered → ready → issued, a sick leave open → closed); the only column besides
    # `superseded_at` that may change after finalisation.
    status = models.CharField(_("статус"), max_length=20, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("организация"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    practitioner = models.ForeignKey(
        Practitioner,
        verbose_name=_("врач"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="record_entries",
    )
    specialty = models.ForeignKey(
        Specialty,
        verbose_name=_("специальность"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The visit an encounter records; one original encounter per appointment.
    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("запись к врачу"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="record_entries",
    )
    source = models.CharField(_("источник"), max_length=16, choices=Source.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("внёс"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("внесено"), default=timezone.now)
    finalised_at = models.DateTimeField(_("подписано"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("подписал"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    amends = models.OneToOneField(
        "self",
        verbose_name=_("исправляет"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendment",
    )
    amendment_reason = models.CharField(_("причина исправления"), max_length=500, blank=True)
    superseded_at = models.DateTimeField(_("заменено исправлением"), null=True, blank=True)

    class Meta:
        db_table = "health_entry"
        verbose_name = _("запись медицинской карты")
        verbose_name_plural = _("записи медицинской карты")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The timeline and every section page: a person's current entries, newest first.
            models.Index(
                F("patient"),
                F("occurred_at").desc(),
                F("id").desc(),
                name="entry_timeline",
                condition=Q(superseded_at__isnull=True),
            ),
            models.Index(
                F("patient"),
                F("section"),
                F("occurred_at").desc(),
                name="entry_section",
                condition=Q(superseded_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(amends__isnull=True),
                name="entry_one_encounter_per_appointment",
            ),
            models.CheckConstraint(
                condition=Q(superseded_at__isnull=True) | Q(finalised_at__isnull=False),
                name="entry_superseded_only_when_final",
            ),
            models.CheckConstraint(
                condition=Q(amends__isnull=True) | ~Q(amendment_reason=""),
                name="entry_amendment_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(finalised_at__isnull=True) | Q(finalised_at__gte=F("created_at")),
                name="entry_finalised_after_created",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EncounterNote(models.Model):
    """A visit protocol: what the patient said, what the doctor found and advised."""

    entry = models.OneToOneField(
        Entry, primary_key=True, on_delete=models.PROTECT, related_name="encounter"
    )
    complaints = models.TextField(_("жалобы"), blank=True)
    anamnesis = models.TextField(_("анамнез"), blank=True)
    examination = models.TextField(_("объективный осмотр"), blank=True)
    recommendations = models.TextField(_("рекомендации"), blank=True)

    class Meta:
        db_table = "health_encounternote"
        verbose_name = _("протокол приёма")
        verbose_name_plural = _("протоколы приёма")

    def __str__(self) -> str:
        return f"{self.entry}"


class Diagnosis(models.Model):
    """A diagnosis of one encounter (or discharge), coded by ICD-10."""

    class Kind(models.TextChoices):
        MAIN = "main", _("основной")
        CONCOMITANT = "concomitant", _("сопутствующий")
        COMPLICATION = "complication", _("осложнение")

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="diagnoses")
    icd10 = models.ForeignKey(
        Icd10, verbose_name=_("код МКБ-10"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices, default=Kind.MAIN)
    comment = models.CharField(_("уточнение"), max_length=255, blank=True)

    class Meta:
        db_table = "health_diagnosis"
        verbose_name = _("диагноз")
        verbose_name_plural = _("диагнозы")
        ordering = ["entry_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "icd10"], name="diagnosis_once_per_entry"),
            models.UniqueConstraint(
                fields=["entry"], condition=Q(kind="main"), name="diagnosis_one_main"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.icd10_id} ({self.get_kind_display()})"


class Condition(models.Model):
    """A problem on the person's list: a chronic or past illness (FHIR Condition)."""

    class ClinicalStatus(models.TextChoices):
        ACTIVE = "active", _("активное")
        RECURRENCE = "recurrence", _("рецидив")
        REMISSION = "remission", _("ремиссия")
        RESOLVED = "resolved", _("разрешилось")

    entry = models.OneToOneField(
        Entry, primary_key=True, on_delete=models.PROTECT, related_name="condition"
    )
    icd10 = models.ForeignKey(
        Icd10, verbose_name=_("код МКБ-10"), on_delete=models.PROTECT, related_name="+"
    )
    clinical_status = models.CharField(_("течение"), max_length=16, choices=ClinicalStatus.choices)
    onset_on = models.DateField(_("начало"), null=True, blank=True)
    abated_on = models.DateField(_("окончание"), null=True, blank=True)
    note = models.TextField(_("примечание"), blank=True)

    class Meta:
        db_table = "health_condition"
        verbose_name = _("заболевание")
        verbose_name_plural = _("заболевания")
        constraints = [
            models.CheckConstraint(
                condition=Q(abated_on__isnull=True)
                | Q(onset_on__isnull=True)
                | Q(abated_on__gte=F("onset_on")),
                name="condition_abated_after_onset",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.icd10_id} ({self.get_clinical_status_display()})"


class LabReport(models.Model):
    """A laboratory's report (FHIR DiagnosticReport); its results are `Observation` rows.

    A laboratory system's own identifier makes its POST idempotent: the pair is unique, so
    the same report sent twice is stored once. An amendment carries no identifier.
    """

    class Category(models.TextChoices):
        HAEMATOLOGY = "haematology", _("гематология")
        BIOCHEMISTRY = "biochemistry", _("биохимия")
        URINALYSIS = "urinalysis", _("анализ мочи")
        IMMUNOLOGY = "immunology", _("иммунология")
        MICROBIOLOGY = "microbiology", _("микробиология")
        OTHER = "other", _("другое")

    entry = models.OneToOneField(
        Entry, primary_key=True, on_delete=models.PROTECT, related_name="lab_report"
    )
    lab_system = models.CharField(_("лабораторная система"), max_length=64)
    # NULL, not "": amendments carry no identifier and must not collide in the unique pair.
    lab_identifier = models.CharField(  # noqa: DJ001
        _("номер в лаборатории"), max_length=64, null=True, blank=True
    )
    laboratory = models.CharField(_("лаборатория"), max_length=255)
    category = models.CharField(_("вид"), max_length=16, choices=Category.choices)
    specimen = models.CharField(_("материал"), max_length=64, blank=True)
    conclusion = models.TextField(_("заключение"), blank=True)

    class Meta:
        db_table = "health_labreport"
        verbose_name = _("результат анализа")
        verbose_name_plural = _("результаты анализов")
        constraints = [
            models.UniqueConstraint(
                fields=["lab_system", "lab_identifier"], name="lab_report_identifier_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.laboratory} {self.lab_identifier or ''}".strip()


class Observation(models.Model):
    """One result of a lab report: an analyte's value against its reference range."""

    class Flag(models.TextChoices):
        NORMAL = "N", _("норма")
        HIGH = "H", _("выше нормы")
        LOW = "L", _("ниже нормы")
        ABNORMAL = "A", _("отклонение")

    class Status(models.TextChoices):
        FINAL = "final", _("окончательный")
        PRELIMINARY = "preliminary", _("предварительный")
        CORRECTED = "corrected", _("исправлен")

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="observations")
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)
    # A LOINC code where the laboratory sends one; a stable local code otherwise. The code
    # ties one analyte's values across reports for the trend chart.
    code = models.CharField(_("код показателя"), max_length=32)
    name = models.CharField(_("показатель"), max_length=255)
    value = models.DecimalField(_("значение"), max_digits=14, decimal_places=4, null=True)
    value_text = models.CharField(_("значение (текст)"), max_length=255, blank=True)
    unit = models.CharField(_("единица"), max_length=32, blank=True)
    reference_low = models.DecimalField(
        _("норма от"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    reference_high = models.DecimalField(
        _("норма до"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    reference_text = models.CharField(_("норма (текст)"), max_length=255, blank=True)
    flag = models.CharField(_("оценка"), max_length=1, choices=Flag.choices, blank=True)
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.FINAL
    )

    class Meta:
        db_table = "health_observation"
        verbose_name = _("показатель анализа")
        verbose_name_plural = _("показатели анализов")
        ordering = ["entry_id", "position", "id"]
        indexes = [models.Index(fields=["code", "entry"], name="observation_by_analyte")]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(value_text=""),
                name="observation_has_value",
            ),
            models.CheckConstraint(
                condition=Q(reference_low__isnull=True)
                | Q(reference_high__isnull=True)
                | Q(reference_high__gte=F("reference_low")),
                name="observation_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        shown = self.value if self.value is not None else self.value_text
        return f"{self.name}: {shown} {self.unit}".strip()


class StudyReport(models.Model):
    """An imaging or instrumental study: X-ray, ultrasound, ECG, CT, MRI, endoscopy."""

    class Modality(models.TextChoices):
        XRAY = "DX", _("рентгенография")
        FLUOROGRAPHY = "FLG", _("флюорография")
        ULTRASOUND = "US", _("УЗИ")
        ECG = "ECG", _("ЭКГ")
        CT = "CT", _("КТ")
        MRI = "MR", _("МРТ")
        ENDOSCOPY = "ES", _("эндоскопия")

    entry = models.OneToOneField(
        Entry, primary_key=True, on_delete=models.PROTECT, related_name="study"
    )
    modality = models.CharField(_("вид исследования"), max_length=8, choices=Modality.choices)
    body_site = models.CharField(_("область"), max_length=128, blank=True)
    description = models.TextField(_("описание"), blank=True)
    conclusion = models.TextField(_("заключение"))
    attachment = models.FileField(
        _("файл исследования"), upload_to="health/studies/%Y/%m/", blank=True
    )

    class Meta:
        db_table = "health_studyreport"
        verbose_name = _("исследование")
        verbose_name_plural = _("исследования")

    def __str__(self) -> str:
        return f"{self.get_modality_display()} {self.body_site}".strip()


class DischargeSummary(models.Model):
    """A hospital discharge summary (выписной эпикриз); its diagnoses are `Diagnosis` rows."""

    entry = models.OneToOneField(
        Entry, primary_key=True, on_delete=models.PROTECT, related_name="discharge"
    )
    hospital = models.CharField(_("стационар"), max_length=255)
    department = models.CharField(_("отделение"), max_length=255, blank=True)
    admitted_on = models.DateField(_("поступил"))
    discharged_on = models.DateField(_("выписан"))
    treatment = models.TextField(_("лечение"), blank=True)
    outcome = models.CharField(_("исход"), max_length=255, blank=True)
    recommendations = models.TextField(_("рекомендации"), blank=True)

    class Meta:
        db_table = "health_dischargesummary"
        verbose_name = _("выписка из стационара")
        verbose_name_plural = _("выписки из стационара")
        constraints = [
            models.CheckConstraint(
                condition=Q(discharged_on__gte=F("admitted_on")),
                name="discharge_after_admission",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital}, {self.admitted_on}–{self.discharged_on}"


class Prescription(models.Model):
    """A prescription (FHIR MedicationRequest); e-prescriptions carry their number."""

    entry = models.OneToOneField(
        Entry, primary_key=True, on_delete=models.PROTECT, related_name="prescription"
    )
    drug = models.CharField(_("препарат"), max_length=255)
    dosage_form = models.CharField(_("форма и дозировка"), max_length=255, blank=True)
    dose = models.CharField(_("разовая доза"), max_length=64)
    schedule = models.CharField(_("схема приёма"), max_length=255)
    duration_days = models.PositiveSmallIntegerField(_("курс, дней"), null=True, blank=True)
    valid_until = models.DateField(_("действителен до"))
    number = models.CharField(
        _("номер электронного рецепта"), max_length=32, null=True, blank=True, unique=True
    )
    preferential = models.BooleanField(_("льготный"), default=False)

    class Meta:
        db_table = "health_prescription"
        verbose_name = _("рецепт")
        verbose_name_plural = _("рецепты")

    def __str__(self) -> str:
        return f"{self.drug} {self.dose}"


class SickLeave(models.Model):
    """An electronic sick-leave certificate (ЭЛН); an extension is an amendment."""

    entry = models.OneToOneField(
        Entry, primary_key=True, on_delete=models.PROTECT, related_name="sick_leave"
    )
    # The number is repeated across an extension's versions, so it is not unique here.
    number = models.CharField(_("номер ЭЛН"), max_length=12)
    starts_on = models.DateField(_("с"))
    ends_on = models.DateField(_("по"))
    employer = models.CharField(_("место работы"), max_length=255, blank=True)
    # A carer's leave names the child cared for; a person's own leave leaves it empty.
    cared_for = models.CharField(_("уход за"), max_length=255, blank=True)

    class Meta:
        db_table = "health_sickleave"
        verbose_name = _("больничный лист")
        verbose_name_plural = _("больничные листы")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="sick_leave_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"ЭЛН {self.number}"


class Immunization(models.Model):
    """A vaccination (FHIR Immunization), by the national calendar or by indication."""

    entry = models.OneToOneField(
        Entry, primary_key=True, on_delete=models.PROTECT, related_name="immunization"
    )
    vaccine = models.CharField(_("вакцина"), max_length=255)
    # What it protects against, as the national calendar names it ("корь, краснуха, паротит").
    target_disease = models.CharField(_("от чего"), max_length=255)
    dose_number = models.PositiveSmallIntegerField(_("номер дозы"), default=1)
    lot_number = models.CharField(_("серия"), max_length=64, blank=True)
    site = models.CharField(_("место введения"), max_length=64, blank=True)

    class Meta:
        db_table = "health_immunization"
        verbose_name = _("прививка")
        verbose_name_plural = _("прививки")
        constraints = [
            models.CheckConstraint(
                condition=Q(dose_number__gte=1), name="immunization_dose_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vaccine}, доза {self.dose_number}"


class Certificate(models.Model):
    """A medical certificate (справка) ordered online, ready by the next working day."""

    class Kind(models.TextChoices):
        POOL = "pool", _("в бассейн")
        SPORT = "sport", _("для занятий спортом")
        CAMP = "camp", _("в лагерь (079/у)")
        SCHOOL = "school", _("для школы (086/у)")
        HEALTH = "health", _("о состоянии здоровья")

    entry = models.OneToOneField(
        Entry, primary_key=True, on_delete=models.PROTECT, related_name="certificate"
    )
    kind = models.CharField(_("вид справки"), max_length=16, choices=Kind.choices)
    purpose = models.CharField(_("для предъявления"), max_length=255, blank=True)
    number = models.CharField(_("номер"), max_length=32, unique=True)
    ready_by = models.DateField(_("будет готова"))
    # The signed PDF, written once when the certificate is ready; the signature covers it.
    pdf = models.BinaryField(_("PDF с подписью"), null=True, blank=True)

    class Meta:
        db_table = "health_certificate"
        verbose_name = pgettext_lazy("medical certificate", "справка")
        verbose_name_plural = pgettext_lazy("medical certificates", "справки")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} № {self.number}"


class ReadableDiaryManager(models.Manager):
    """Only readings measured within the sane range (gorod.core.moments).

    Before that rule a reading dated 0001-01-01 at +01:00 could be stored as year 0, which
    no driver reads back: every page, export and FHIR search of that record failed. Every
    reader (related managers too) goes through this manager, so such a row is left out in
    SQL, before a driver has to parse it; cascades use the unfiltered base manager.
    """

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(measured_at__gte=SANE_FIRST_MOMENT, measured_at__lt=SANE_END_MOMENT)
        )


class DiaryReading(models.Model):
    """A reading the patient takes at home: entered by the patient, shown as such."""

    class Kind(models.TextChoices):
        PULSE = "pulse", _("пульс")
        PRESSURE = "pressure", _("давление")
        SUGAR = "sugar", _("сахар крови")
        SPO2 = "spo2", _("сатурация SpO₂")
        TEMPERATURE = "temperature", _("температура")
        WEIGHT = "weight", _("вес")

    patient = models.ForeignKey(
        Person, verbose_name=_("пациент"), on_delete=models.CASCADE, related_name="diary"
    )
    kind = models.CharField(_("показатель"), max_length=16, choices=Kind.choices)
    # Systolic pressure, or the one value of the other kinds.
    value = models.DecimalField(_("значение"), max_digits=6, decimal_places=2)
    # Diastolic pressure; empty for the other kinds.
    value_low = models.DecimalField(
        _("нижнее значение"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    measured_at = models.DateTimeField(_("измерено"))
    note = models.CharField(_("заметка"), max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("внёс"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("внесено"), auto_now_add=True)

    objects = ReadableDiaryManager()

    class Meta:
        db_table = "health_diaryreading"
        verbose_name = _("запись дневника здоровья")
        verbose_name_plural = _("дневник здоровья")
        ordering = ["-measured_at", "-id"]
        indexes = [
            models.Index(F("patient"), F("kind"), F("measured_at").desc(), name="diary_by_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="pressure", value_low__isnull=False)
                | (~Q(kind="pressure") & Q(value_low__isnull=True)),
                name="diary_pressure_has_two_values",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class AccessLogEntry(models.Model):
    """One look at a person's record, allowed or denied: who, as whom, when, what and why.

    Append-only below the application (triggers refuse UPDATE and DELETE). Ids, not foreign
    keys: the log outlives accounts and records and keeps looks at ids that do not exist.
    Two audiences: the patient's «Кто смотрел карту» shows the looks of readers related to
    the patient or known to the registry (`shown_to_patient`); denied looks of strangers and
    anonymous callers are the staff's security log only.
    """

    class Role(models.TextChoices):
        SELF = "self", _("сам пациент")
        GUARDIAN = "guardian", _("законный представитель")
        DELEGATE = "delegate", _("доверенное лицо")
        CLINICIAN = "clinician", _("лечащий врач")
        EMERGENCY = "emergency", _("врач, экстренный доступ")
        OPERATOR = "operator", _("регистратура")
        ANONYMOUS = "anonymous", _("без входа")
        NONE = "none", _("нет отношения к пациенту")

    class Channel(models.TextChoices):
        WEB = "web", _("портал")
        API = "api", _("API")
        FHIR = "fhir", _("FHIR")

    at = models.DateTimeField(_("когда"), default=timezone.now)
    actor_id = models.BigIntegerField(_("учётная запись"), null=True)
    # The reader as their account or the registry named them then, for staff: a citizen's
    # name here is whatever they typed in their profile.
    actor_name = models.CharField(_("кто"), max_length=255)
    # The reader as the patient is shown them, from verified data only: a doctor's registry
    # name and clinic, a registry desk's clinic, a guardian whose documents were checked.
    # Empty: the page names the role ("вы" for the patient's own looks).
    reader_label = models.CharField(_("кто (проверенные данные)"), max_length=255, blank=True)
    role = models.CharField(_("в качестве"), max_length=16, choices=Role.choices)
    patient_id = models.BigIntegerField(_("пациент"))
    # A section, or "timeline", "everything" (the whole record) and "access_log".
    section = models.CharField(_("что смотрели"), max_length=16)
    entry_id = models.BigIntegerField(_("запись карты"), null=True)
    channel = models.CharField(_("откуда"), max_length=8, choices=Channel.choices)
    allowed = models.BooleanField(_("доступ разрешён"))
    shown_to_patient = models.BooleanField(_("видит пациент"), default=True)
    # Why, as a code (record_rules.READ_REASONS) put into words in the reader's language.
    reason_code = models.CharField(_("основание (код)"), max_length=32, blank=True)
    # The doctor's own words for an emergency look, and the grant it was taken under.
    emergency_reason = models.CharField(
        _("причина экстренного доступа"), max_length=500, blank=True
    )
    emergency_access_id = models.BigIntegerField(_("экстренный доступ"), null=True, blank=True)
    # Looks logged before reason codes kept the reason as text, in the reader's language
    # of the moment; empty since.
    legacy_reason = models.CharField(_("основание (текстом)"), max_length=500, blank=True)

    class Meta:
        db_table = "health_accesslogentry"
        verbose_name = _("просмотр медицинской карты")
        verbose_name_plural = _("журнал просмотров медицинской карты")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(F("patient_id"), F("at").desc(), name="access_log_by_patient"),
            models.Index(
                F("at").desc(),
                name="access_log_security",
                condition=Q(shown_to_patient=False),
            ),
            models.Index(
                F("emergency_access_id"),
                name="access_log_by_emergency",
                condition=Q(emergency_access_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} → {self.patient_id}/{self.section}"
