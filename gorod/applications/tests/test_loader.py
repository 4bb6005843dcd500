"""Definition files: blocks expanded, mistakes named by file, path and why; the published schema."""

from pathlib import Path

import pytest

from gorod.applications.loader import (
    DEFINITIONS_DIR,
    DefinitionError,
    json_schema_text,
    load_directory,
    load_text,
)

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "docs" / "definitions.schema.json"

FORM = """
schema: 1
service: test-permit
version: 1
kind: form
applies_for: [self]
content:
  summary: {ru: Разрешение, en: A permit}
  who_may_apply: {ru: Жители, en: Residents}
  result: {ru: Разрешение, en: The permit}
  term_days: 5
  refusal_to_accept: [{use: refuse_incomplete}]
  refusal_grounds: [{use: refuse_not_entitled}]
  legal_basis: [{use: law_210}]
  in_person: mfc
steps:
  - title: {ru: Машина, en: Car}
    fields:
      - key: plate
        type: text
        label: {ru: Госномер, en: Plate}
        pattern: '[А-Я]\\d{3}[А-Я]{2}\\d{2,3}'
        pattern_hint: {ru: Например А123ВС77, en: E.g. А123ВС77}
  - use: contact_step
  - use: consent_step
workflow: {use: standard}
outcome: {kind: decision, title: {ru: Решение, en: Decision}}
"""


def problems_of(text: str) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as error:
        load_text(text, file="transport/test-permit.yaml")
    return [(problem.path, problem.message) for problem in error.value.problems]


def test_blocks_are_expanded_in_lists_and_mappings():
    loaded = load_text(FORM, file="transport/test-permit.yaml")
    steps = loaded.document["steps"]
    assert [field["key"] for field in steps[1]["fields"]] == ["phone", "email"]
    assert [field["key"] for field in steps[2]["fields"]] == ["data_consent", "data_correct"]
    assert loaded.document["workflow"]["transitions"][0] == {
        "from": "draft",
        "to": "submitted",
        "by": "applicant",
    }
    assert loaded.document["content"]["legal_basis"][0]["ru"].startswith("Федеральный закон")


def test_a_block_mapping_takes_the_keys_given_beside_it():
    loaded = load_text(
        FORM.replace(
            "workflow: {use: standard}", "workflow: {use: standard, terms: {submitted: 2}}"
        ),
        file="x.yaml",
    )
    assert loaded.document["workflow"]["terms"] == {"submitted": 2}


def test_the_same_file_has_the_same_fingerprint_and_a_change_another():
    first = load_text(FORM, file="x.yaml")
    assert load_text(FORM, file="y.yaml").sha256 == first.sha256
    assert (
        load_text(FORM.replace("term_days: 5", "term_days: 6"), file="x.yaml").sha256
        != first.sha256
    )


def test_a_mistake_is_named_by_its_path_in_the_document():
    broken = FORM.replace("'[А-Я]\\d{3}[А-Я]{2}\\d{2,3}'", "'[А-Я'")
    [(path, message)] = problems_of(broken)
    assert path == "steps[0].fields[0]"
    assert "not a regular expression" in message


def test_a_misspelt_key_and_a_missing_one_are_both_named():
    broken = FORM.replace("term_days: 5", "term_dayz: 5")
    assert set(problems_of(broken)) >= {
        ("content.term_days", "Field required"),
        ("content.term_dayz", "Extra inputs are not permitted"),
    }


def test_a_key_given_twice_an_unknown_block_and_broken_yaml():
    [(path, message)] = problems_of(FORM.replace("version: 1", "version: 1\nversion: 2"))
    assert path.startswith("line ")
    assert "given twice" in message
    [(path, message)] = problems_of(FORM.replace("use: law_210", "use: law_211"))
    assert path == "content.legal_basis[0].use"
    assert "law_211" in message
    [(path, message)] = problems_of("kind: [form")
    assert "not valid YAML" in message


def test_a_condition_must_name_an_earlier_field_and_an_offered_value():
    conditional = FORM.replace(
        "        pattern_hint: {ru: Например А123ВС77, en: E.g. А123ВС77}\n",
        "        pattern_hint: {ru: Например А123ВС77, en: E.g. А123ВС77}\n"
        "        when: {field: later, equals: x}\n",
    )
    [(path, message)] = problems_of(conditional)
    assert path == ""
    assert "`later`, which is not an earlier field" in message


def test_a_workflow_must_let_the_applicant_submit():
    no_submit = FORM.replace(
        "workflow: {use: standard}",
        "workflow: {transitions: [{from: submitted, to: registered, by: department}]}",
    )
    [(path, message)] = problems_of(no_submit)
    assert path == "workflow"
    assert "draft → submitted" in message


def test_the_repositorys_definitions_all_load():
    loaded, problems = load_directory(DEFINITIONS_DIR)
    assert problems == []
    assert len(loaded) >= 3


def test_the_published_json_schema_is_current():
    # Stale? Run `python scripts/definition_schema.py`.
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema_text()


def test_the_worked_example_in_the_docs_is_a_valid_definition():
    docs = (SCHEMA_FILE.parent / "applications.md").read_text(encoding="utf-8")
    example = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    lines = [line.removeprefix("   ") for line in example.splitlines()]
    loaded = load_text("\n".join(lines), file="docs/applications.md")
    assert loaded.definition.service == "food-truck-permit"
