"""Rules of clinics: who may act for a patient, and attachment to a polyclinic by application.

Plain functions of plain values: no ORM, no clock, no settings (DOMAIN.md, "Doctor
appointments"). A refusal is a `RuleError` with a stable code."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from gorod.accounts.rules import ADULT_AGE
from gorod.accounts.rules import age_on as age_on  # a patient's age is an identity rule
from gorod.core.errors import RuleError


@dataclass(frozen=True)
class Representation:
    """What the actor is to the patient, as the caller read it from the database."""

    is_self: bool = False
    is_guardian: bool = False
    delegated_scopes: frozenset[str] = frozenset()


APPOINTMENTS_SCOPE = "appointments"


def representation_refusal(
    representation: Representation, *, patient_age: int, child_age_limit: int
) -> RuleError | None:
    """May the actor book for this patient?

    Themselves, always. A guardian books for a child under `child_age_limit` (15 by
    default); from that birthday the teen books alone or delegates. Anyone else needs the
    patient's confirmed delegation with the appointments scope.
    """
    if representation.is_self:
        return None
    if representation.is_guardian and patient_age < child_age_limit:
        return None
    if APPOINTMENTS_SCOPE in representation.delegated_scopes:
        return None
    if representation.is_guardian:
        return RuleError(
            "not_guardian",
            _("С %(age)s лет пациент записывается сам или оформляет доверенность.")
            % {"age": child_age_limit},
        )
    return RuleError(
        "not_guardian",
        _(
            "Записать этого человека можно только как его законный представитель или по его "
            "подтверждённой доверенности."
        ),
    )


# Statuses of models.AttachmentApplication and who may move them: the desk confirms or
# declines, the citizen withdraws; a decided application stays as it is.
APPLICATION_PENDING = "pending"
APPLICATION_CONFIRMED = "confirmed"
APPLICATION_DECLINED = "declined"
APPLICATION_WITHDRAWN = "withdrawn"
ATTACHMENT_APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    APPLICATION_PENDING: frozenset(
        {APPLICATION_CONFIRMED, APPLICATION_DECLINED, APPLICATION_WITHDRAWN}
    ),
    APPLICATION_CONFIRMED: frozenset(),
    APPLICATION_DECLINED: frozenset(),
    APPLICATION_WITHDRAWN: frozenset(),
}
# models.AttachmentApplication.Reason
REASON_FIRST = "first"
REASON_MOVED = "moved"
REASON_CHOICE = "choice"
# models.Organisation.Kind: the polyclinics a person is attached to, by age.
ADULT_POLYCLINIC = "adult_polyclinic"
CHILDREN_POLYCLINIC = "children_polyclinic"


def attachable_kind(age: int) -> str:
    """Children are attached to a children's polyclinic, adults to an adult one."""
    return CHILDREN_POLYCLINIC if age < ADULT_AGE else ADULT_POLYCLINIC


@dataclass(frozen=True)
class AttachmentFacts:
    """What an application is judged on, as the caller read it."""

    patient_age: int
    reason: str
    chosen_organisation_id: int
    chosen_kind: str
    chosen_active: bool
    current_organisation_id: int | None
    current_since: date | None


def attachment_applicant_refusal(
    representation: Representation, *, patient_age: int, child_age_limit: int
) -> RuleError | None:
    """The citizen applies for themselves; a parent for a child under `child_age_limit`."""
    if representation.is_self:
        return None
    if representation.is_guardian and patient_age < child_age_limit:
        return None
    return RuleError(
        "not_guardian",
        _(
            "Заявление о прикреплении подаёт сам пациент, а за ребёнка до %(age)s лет — "
            "его законный представитель."
        )
        % {"age": child_age_limit},
    )


def attachment_refusal_of(
    facts: AttachmentFacts, *, today: date, change_days: int
) -> RuleError | None:
    """May this person apply to this clinic now?

    A polyclinic of the patient's age group that works; not the one they are attached to;
    "first attachment" only without one; a change by choice not sooner than `change_days`
    after the last one (a year, 323-FZ art. 21), a change of residence at any time.
    """
    if not facts.chosen_active or facts.chosen_kind != attachable_kind(facts.patient_age):
        return RuleError(
            "clinic_not_attachable",
            _("К этой поликлинике нельзя прикрепиться: выберите поликлинику для %(whom)s.")
            % {"whom": _("детей") if facts.patient_age < ADULT_AGE else _("взрослых")},
        )
    if facts.current_organisation_id is None:
        return None
    if facts.current_organisation_id == facts.chosen_organisation_id:
        return RuleError("already_attached", _("Пациент уже прикреплён к этой поликлинике."))
    if facts.reason == REASON_FIRST:
        return RuleError(
            "attachment_reason_wrong",
            _("Пациент уже прикреплён к поликлинике: выберите основание для смены."),
        )
    if facts.reason != REASON_MOVED and facts.current_since is not None:
        allowed_from = facts.current_since + timedelta(days=change_days)
        if today < allowed_from:
            return RuleError(
                "attachment_change_too_soon",
                _(
                    "Сменить поликлинику по своему выбору можно не чаще раза в год: "
                    "с %(date)s, или раньше — при смене места жительства."
                )
                % {"date": allowed_from.strftime("%d.%m.%Y")},
            )
    return None


def application_decided() -> RuleError:
    return RuleError("application_decided", _("Заявление уже рассмотрено или отозвано."))


def application_transition_refusal(current: str, target: str) -> RuleError | None:
    if target not in ATTACHMENT_APPLICATION_TRANSITIONS.get(current, frozenset()):
        return application_decided()
    return None
