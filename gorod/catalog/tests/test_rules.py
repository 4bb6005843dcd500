from gorod.catalog import rules

CATEGORIES = {"health", "housing"}


def row(**overrides):
    base = {
        "slug": "doctor-appointment",
        "title": "Запись к врачу",
        "title_en": "Doctor appointment",
        "category": "health",
        "department": "ДЗМ",
        "kind": "flagship",
        "audience": "citizen",
        "keywords": "записаться к врачу| терапевт |терапевт||талон",
        "description": "Запись на прием.",
    }
    return {**base, **overrides}


def test_valid_row_is_parsed_with_clean_keywords():
    parsed, problems = rules.parse_service_rows([row()], categories=CATEGORIES)
    assert problems == []
    assert parsed[0].keywords == ("записаться к врачу", "терапевт", "талон")
    assert parsed[0].is_online is True


def test_problems_name_the_file_line():
    rows = [
        row(),
        row(slug="Bad Slug"),
        row(slug="x", category="space"),
        row(slug="y", kind="magic"),
        row(slug="z", external_url="https://example.ru"),
        row(slug="w", title=""),
        row(),
    ]
    parsed, problems = rules.parse_service_rows(rows, categories=CATEGORIES)
    assert [service.slug for service in parsed] == ["doctor-appointment"]
    assert [problem.line for problem in problems] == [3, 4, 5, 6, 7, 8]
    assert "unknown category" in problems[1].message
    assert "already appeared on line 2" in problems[5].message


def test_external_service_may_have_url():
    parsed, problems = rules.parse_service_rows(
        [row(kind="external", external_url="https://example.ru/")], categories=CATEGORIES
    )
    assert problems == []
    assert parsed[0].external_url == "https://example.ru/"


def test_extra_fields_are_a_problem_not_a_crash():
    parsed, problems = rules.parse_service_rows([{**row(), None: ["extra"]}], categories=CATEGORIES)
    assert parsed == []
    assert problems[0].line == 2
