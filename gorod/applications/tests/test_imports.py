"""`gorod import definitions DIR` and `gorod import mfc FILE`: all or nothing, idempotent."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gorod.applications.loader import DEFINITIONS_DIR
from gorod.applications.models import Definition, Office
from gorod.applications.services.imports import definitions_import, offices_import
from gorod.core.models import AuditEvent

pytestmark = pytest.mark.django_db

EXAMPLE = DEFINITIONS_DIR / "documents" / "zags-repeat-certificate.yaml"
INFO_EXAMPLE = DEFINITIONS_DIR / "documents" / "mfc-load.yaml"


@pytest.fixture
def folder(tmp_path) -> Path:
    (tmp_path / "documents").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "documents")
    shutil.copy(INFO_EXAMPLE, tmp_path / "documents")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_import_is_idempotent(folder):
    first = definitions_import(folder)
    assert sorted(first.created) == ["mfc-load", "zags-repeat-certificate"]
    again = definitions_import(folder)
    assert again.created == []
    assert sorted(again.unchanged) == ["mfc-load", "zags-repeat-certificate"]
    assert Definition.objects.count() == 2
    assert AuditEvent.objects.filter(action="applications.definitions_import").count() == 2


def test_a_change_needs_a_new_version_and_keeps_the_old_one(folder):
    definitions_import(folder)
    certificate = folder / "documents" / "zags-repeat-certificate.yaml"
    edit(certificate, "term_days: 5", "term_days: 4")
    refused = definitions_import(folder)
    assert [
        (problem.path, "поднимите её до 2" in problem.message) for problem in refused.problems
    ] == [("version", True)]
    edit(certificate, "version: 1", "version: 2")
    assert definitions_import(folder).created == ["zags-repeat-certificate"]
    versions = Definition.objects.filter(service__slug="zags-repeat-certificate")
    assert sorted(versions.values_list("version", "document__content__term_days")) == [
        (1, 5),
        (2, 4),
    ]


def test_one_mistake_imports_nothing_and_is_named(folder):
    edit(folder / "documents" / "mfc-load.yaml", "kind: info", "kind: form")
    report = definitions_import(folder)
    assert Definition.objects.count() == 0
    assert report.created == []
    assert report.problems
    assert all(problem.file == "documents/mfc-load.yaml" for problem in report.problems)


def test_the_catalog_must_know_the_service_and_its_kind(folder):
    edit(folder / "documents" / "mfc-load.yaml", "service: mfc-load", "service: no-such-service")
    [problem] = definitions_import(folder).problems
    assert (problem.path, "no-such-service" in problem.message) == ("service", True)


def test_a_flagship_has_its_own_module(folder):
    edit(folder / "documents" / "mfc-load.yaml", "service: mfc-load", "service: meter-readings")
    [problem] = definitions_import(folder).problems
    assert "свой модуль" in problem.message


def test_the_command_prints_each_problem_and_fails(folder):
    edit(folder / "documents" / "mfc-load.yaml", "  who:", "  whom:")
    out = StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import", "definitions", str(folder), stdout=out)
    printed = out.getvalue()
    assert "documents/mfc-load.yaml: content.whom" in printed
    assert "documents/mfc-load.yaml: content.who: Field required" in printed
    assert Definition.objects.count() == 0


def test_offices_are_imported_and_updated_by_code(tmp_path):
    source = tmp_path / "mfc.csv"
    source.write_text(
        "code,name,address,phone,windows\n"
        '0014,МФЦ района Южнопортовый,"3-й Крутицкий пер., д. 11",(499) 940-46-67,35\n'
        '0035,МФЦ района Восточный,"ул. 9 Мая, д.12",,\n',
        encoding="utf-8",
    )
    report = offices_import(source)
    assert (report.created, report.updated, report.problems) == (2, 0, [])
    source.write_text(
        source.read_text(encoding="utf-8").replace("ул. 9 Мая, д.12", "ул. 9 Мая, д. 12"),
        encoding="utf-8",
    )
    assert offices_import(source).updated == 2
    assert Office.objects.get(code="0035").address == "ул. 9 Мая, д. 12"


def test_a_bad_office_row_imports_nothing(tmp_path):
    source = tmp_path / "mfc.csv"
    source.write_text(
        "code,name,address,phone,windows\n0014,МФЦ,адрес,,\n0035,,ул. 9 Мая,,много\n",
        encoding="utf-8",
    )
    report = offices_import(source)
    assert [problem.line for problem in report.problems] == [3]
    assert Office.objects.count() == 0
