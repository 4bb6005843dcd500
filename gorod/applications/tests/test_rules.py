"""The rules of applications: the workflow table, terms, eligibility, answers and files."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gorod.applications import rules
from gorod.applications.loader import blocks
from gorod.core.errors import RuleError

STANDARD = blocks()["standard"]
TODAY = date(2026, 12, 7)


# ---- the workflow -------------------------------------------------------------------------


def test_the_applicant_and_the_department_each_have_their_own_moves():
    assert rules.moves_from(STANDARD, "draft", by="applicant") == ["submitted"]
    assert rules.moves_from(STANDARD, "draft", by="department") == []
    assert set(rules.moves_from(STANDARD, "in_review", by="department")) == {
        "info_requested",
        "suspended",
        "result_ready",
        "refused",
    }
    assert rules.moves_from(STANDARD, "in_review", by="applicant") == ["withdrawn"]


def test_a_move_not_in_the_table_is_refused_with_both_statuses_named():
    with pytest.raises(RuleError) as refusal:
        rules.check_move(STANDARD, "completed", "in_review", by="department")
    assert refusal.value.code == "transition_not_allowed"
    assert "услуга оказана" in str(refusal.value.message)
    assert "на рассмотрении" in str(refusal.value.message)


def test_withdrawal_ends_with_the_decision():
    assert rules.is_withdrawable(STANDARD, "in_review")
    assert rules.is_withdrawable(STANDARD, "info_requested")
    assert not rules.is_withdrawable(STANDARD, "result_ready")
    assert not rules.is_withdrawable(STANDARD, "refused")


def test_no_move_leads_out_of_a_closed_status():
    for status in rules.CLOSED:
        for side in ("applicant", "department"):
            assert rules.moves_from(STANDARD, status, by=side) == []


# ---- terms --------------------------------------------------------------------------------


def test_the_decision_term_counts_working_days_after_registration():
    # Registered on Monday 7 December 2026; 10 working days end on Monday 21 December.
    assert rules.decision_due(TODAY, 10) == date(2026, 12, 21)


def test_a_step_without_a_term_has_no_due_date():
    assert rules.step_due(STANDARD, "in_review", TODAY) is None
    assert rules.step_due(STANDARD, "submitted", TODAY) == date(2026, 12, 8)


def test_waiting_for_the_citizen_moves_the_term_on():
    # Asked on Tuesday 8 December, answered on Friday 11: three working days waited.
    assert rules.due_after_pause(date(2026, 12, 21), date(2026, 12, 8), date(2026, 12, 11)) == (
        date(2026, 12, 24)
    )


def test_days_left_count_down_and_go_negative_when_overdue():
    assert rules.working_days_left(date(2026, 12, 11), TODAY) == 4
    assert rules.working_days_left(TODAY, TODAY) == 0
    assert rules.working_days_left(date(2026, 12, 4), TODAY) == -1


# ---- eligibility --------------------------------------------------------------------------


def applying(*, applicant=date(1990, 5, 1), subject=None, for_child=False, resident=True):
    return rules.Applying(
        applicant_birth=applicant,
        subject_birth=subject or applicant,
        for_child=for_child,
        applicant_is_resident=resident,
        today=TODAY,
    )


def test_age_is_checked_on_the_subject_by_default():
    only_children = [{"rule": "age", "max": 17}]
    assert rules.eligibility_refusals(only_children, applying()) != []
    assert (
        rules.eligibility_refusals(
            only_children, applying(subject=date(2015, 1, 1), for_child=True)
        )
        == []
    )


def test_age_is_full_years_on_the_day():
    adults = [{"rule": "age", "of": "applicant", "min": 18}]
    assert rules.eligibility_refusals(adults, applying(applicant=date(2008, 12, 7))) == []
    assert rules.eligibility_refusals(adults, applying(applicant=date(2008, 12, 8))) != []


def test_residence_and_representation():
    assert rules.eligibility_refusals([{"rule": "resident"}], applying(resident=False)) != []
    assert rules.eligibility_refusals([{"rule": "resident"}], applying()) == []
    assert rules.eligibility_refusals([{"rule": "representative"}], applying()) != []
    assert (
        rules.eligibility_refusals(
            [{"rule": "representative"}], applying(subject=date(2016, 3, 3), for_child=True)
        )
        == []
    )


# ---- answers ------------------------------------------------------------------------------


def field(kind, **extra):
    return {"key": "value", "type": kind, "label": {"ru": "Поле", "en": "Field"}, **extra}


def clean(one, *values, persons=()):
    return rules.clean_value(one, list(values), persons=set(persons), today=TODAY)


def refused(one, *values):
    with pytest.raises(RuleError) as refusal:
        clean(one, *values)
    return refusal.value.code


def test_text_length_and_pattern_with_its_hint():
    plate = field(
        "text",
        pattern=r"[А-Я]\d{3}[А-Я]{2}\d{2,3}",
        pattern_hint={"ru": "Например, А123ВС77", "en": "E.g. А123ВС77"},
    )
    assert clean(plate, "А123ВС77") == "А123ВС77"
    with pytest.raises(RuleError, match="Например, А123ВС77"):
        clean(plate, "A123")
    assert refused(field("text", max_length=5), "слишком длинно") == "too_long"


def test_numbers_are_decimals_with_commas_and_bounds():
    area = field("number", min=Decimal("1"), max=Decimal("500"), decimals=1)
    assert clean(area, "54,3") == "54.3"
    assert refused(area, "54,35") == "too_precise"
    assert refused(area, "0,5") == "below_min"
    assert refused(area, "много") == "not_a_number"
    assert refused(area, "NaN") == "not_a_number"
    assert refused(field("number"), "2.5") == "not_whole"


def test_dates_in_either_form_and_bounded_by_today():
    assert clean(field("date"), "2026-12-07") == "2026-12-07"
    assert clean(field("date"), "7.12.2026") == "2026-12-07"
    assert refused(field("date"), "31.02.2026") == "not_a_date"
    assert refused(field("date"), "01.01.1812") == "not_a_date"
    assert refused(field("date", past=True), "08.12.2026") == "date_in_future"
    assert refused(field("date", future=True), "06.12.2026") == "date_in_past"


def test_choices_one_or_several():
    choice = {"value": "lost", "label": {"ru": "Утеряно", "en": "Lost"}}
    other = {"value": "damaged", "label": {"ru": "Испорчено", "en": "Damaged"}}
    single = field("choice", choices=[choice, other])
    several = field("choice", choices=[choice, other], multiple=True)
    assert clean(single, "lost") == "lost"
    assert refused(single, "stolen") == "choice_unknown"
    assert refused(single, "lost", "damaged") == "choice_one"
    assert clean(several, "lost", "damaged", "lost") == ["lost", "damaged"]


def test_yes_no_and_a_consent_that_must_be_given():
    assert clean(field("yes_no"), "no") is False
    assert refused(field("yes_no", must_be_yes=True), "no") == "consent_needed"
    assert refused(field("yes_no"), "maybe") == "yes_or_no"


def test_contacts_are_normalised():
    assert clean(field("phone"), "8 (916) 123-45-67") == "+79161234567"
    assert clean(field("phone"), "+7 916 123 45 67") == "+79161234567"
    assert refused(field("phone"), "916-12") == "phone"
    assert refused(field("phone"), "+7 916 123 45 67; DROP") == "phone"
    assert clean(field("email"), "Name@Example.RU") == "name@example.ru"
    assert refused(field("email"), "name@") == "email"


def test_an_address_needs_a_house_number_and_a_person_must_be_offered():
    assert clean(field("address"), "ул.  Тверская, д. 13") == "ул. Тверская, д. 13"
    assert refused(field("address"), "где-то в Москве") == "address"
    assert clean(field("person"), "12", persons={"12", "13"}) == "12"
    assert refused(field("person"), "99") == "person_unknown"


STEP = {
    "title": {"ru": "Шаг", "en": "Step"},
    "fields": [
        {
            "key": "kind",
            "type": "choice",
            "label": {"ru": "Вид", "en": "Kind"},
            "choices": [
                {"value": "birth", "label": {"ru": "Рождение", "en": "Birth"}},
                {"value": "death", "label": {"ru": "Смерть", "en": "Death"}},
            ],
        },
        {
            "key": "name",
            "type": "text",
            "label": {"ru": "ФИО", "en": "Name"},
            "when": {"field": "kind", "equals": "death"},
        },
        {
            "key": "note",
            "type": "textarea",
            "required": False,
            "label": {"ru": "Ещё", "en": "More"},
        },
        {"key": "scan", "type": "file", "label": {"ru": "Скан", "en": "Scan"}, "max_files": 2},
    ],
}


def check(raw, files=None):
    return rules.check_step(
        STEP,
        raw,
        earlier={},
        file_counts={"scan": 1} if files is None else files,
        persons=[],
        today=TODAY,
    )


def test_a_hidden_field_is_neither_asked_nor_kept():
    checked = check({"kind": ["birth"], "name": ["Иванов Иван"]})
    assert checked.errors == {}
    assert checked.values == {"kind": "birth"}


def test_a_shown_field_is_required_and_every_bad_field_is_named():
    checked = check({"kind": ["death"]}, files={"scan": 3})
    assert set(checked.errors) == {"name", "scan"}


def test_a_file_field_needs_a_file():
    assert set(check({"kind": ["birth"]}, files={}).errors) == {"scan"}


def test_missing_answers_before_submission_follow_the_conditions():
    document = {"steps": [STEP]}
    assert set(rules.missing_answers(document, {"kind": "death"}, {})) == {"name", "scan"}
    assert rules.missing_answers(document, {"kind": "birth"}, {"scan": 1}) == {}


@given(st.dictionaries(st.sampled_from(["kind", "name", "note", "scan", "x"]), st.lists(st.text())))
def test_no_input_breaks_the_check(raw):
    checked = check(raw)
    assert set(checked.values) | set(checked.errors) <= {"kind", "name", "note", "scan"}


# ---- files --------------------------------------------------------------------------------


def test_a_file_is_judged_by_its_bytes_not_its_name():
    pdf_only = {"accept": ["pdf"], "max_mb": 1}
    assert rules.file_refusal(sniffed_mime="application/pdf", size=100, **pdf_only) is None
    assert rules.file_refusal(sniffed_mime="image/png", size=100, **pdf_only)
    assert rules.file_refusal(sniffed_mime=None, size=100, **pdf_only)
    assert rules.file_refusal(sniffed_mime="application/pdf", size=0, **pdf_only)
    assert rules.file_refusal(sniffed_mime="application/pdf", size=1024 * 1024 + 1, **pdf_only)


def test_a_file_name_loses_its_folders():
    assert rules.safe_file_name("../../etc/passwd") == "passwd"
    assert rules.safe_file_name("C:\\Users\\me\\скан.pdf") == "скан.pdf"
    assert rules.safe_file_name("\x00\n") == "file"
