from gorod.clinics import rules as clinic_rules


def test_whom_one_may_book_for():
    assert (
        clinic_rules.representation_refusal(
            clinic_rules.Representation(is_self=True), patient_age=40, child_age_limit=15
        )
        is None
    )
    guardian = clinic_rules.Representation(is_guardian=True)
    assert clinic_rules.representation_refusal(guardian, patient_age=14, child_age_limit=15) is None
    assert (
        clinic_rules.representation_refusal(guardian, patient_age=15, child_age_limit=15).code
        == "not_guardian"
    )
    delegate = clinic_rules.Representation(delegated_scopes=frozenset({"appointments"}))
    assert clinic_rules.representation_refusal(delegate, patient_age=70, child_age_limit=15) is None
    record_only = clinic_rules.Representation(delegated_scopes=frozenset({"record"}))
    assert (
        clinic_rules.representation_refusal(record_only, patient_age=70, child_age_limit=15).code
        == "not_guardian"
    )
    assert (
        clinic_rules.representation_refusal(
            clinic_rules.Representation(), patient_age=70, child_age_limit=15
        ).code
        == "not_guardian"
    )
