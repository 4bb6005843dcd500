"""Every service in the catalog can be used: a form to fill in, information to read, or a
partner's site to go to — never a page that leads nowhere."""

import csv
from pathlib import Path

import pytest

from gorod.applications.loader import DEFINITIONS_DIR, blocks, load_directory

CATALOG = Path(__file__).resolve().parents[2] / "catalog" / "fixtures" / "services.csv"


@pytest.fixture(scope="module")
def catalog() -> dict[str, dict]:
    with CATALOG.open(encoding="utf-8") as handle:
        return {row["slug"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def definitions() -> dict:
    loaded, problems = load_directory(DEFINITIONS_DIR)
    assert problems == []
    return {one.definition.service: one for one in loaded}


def test_every_service_but_the_flagships_has_a_definition(catalog, definitions):
    undefined = [
        slug
        for slug, row in catalog.items()
        if row["kind"] != "flagship" and slug not in definitions
    ]
    assert undefined == []
    assert set(definitions) <= set(catalog)


def test_each_definition_is_filed_under_its_category(catalog, definitions):
    misplaced = [
        one.file
        for slug, one in definitions.items()
        if one.file.split("/")[0] != catalog[slug]["category"]
    ]
    assert misplaced == []


def test_the_catalog_says_what_the_definitions_say(catalog, definitions):
    # Out of step? Run `python scripts/sync_catalog_with_definitions.py`.
    disagree = [
        slug
        for slug, one in definitions.items()
        if catalog[slug]["kind"] != one.definition.kind
        or catalog[slug].get("external_url", "")
        != (str(one.definition.content.url) if one.definition.kind == "external" else "")
    ]
    assert disagree == []


def test_every_form_asks_something_of_its_own(definitions):
    # The shared blocks (contacts, documents, consent) are not a form: each service asks
    # what its regulation needs (a plate, a school, a bank account, a date of the act).
    shared = {
        field["key"]
        for block in blocks().values()
        if isinstance(block, list)
        for field in block
        if isinstance(field, dict) and "key" in field
    }
    generic = [
        slug
        for slug, one in definitions.items()
        if one.definition.kind == "form"
        and not any(
            field.key not in shared for step in one.definition.steps for field in step.fields
        )
    ]
    assert generic == []


def test_every_form_ends_with_consent(definitions):
    without = [
        slug
        for slug, one in definitions.items()
        if one.definition.kind == "form"
        and "data_consent" not in {field.key for field in one.definition.steps[-1].fields}
    ]
    assert without == []
