import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from gorod.catalog import selectors, snapshot
from gorod.catalog.models import Department, Service
from gorod.core.models import AuditEvent

FIXTURE = Path(__file__).parents[1] / "fixtures" / "services.csv"

pytestmark = pytest.mark.django_db


def write_catalog(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def fixture_rows() -> list[dict]:
    with FIXTURE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def run_import(path: Path) -> str:
    out = io.StringIO()
    call_command("import", "services", str(path), stdout=out)
    return out.getvalue()


def test_reimporting_the_catalog_changes_nothing(catalog):
    before = dict(Service.objects.values_list("slug", "updated_at"))
    assert "0 created, 0 updated, 469 unchanged" in run_import(FIXTURE)
    assert dict(Service.objects.values_list("slug", "updated_at")) == before


def test_import_updates_changed_rows_and_keeps_editor_fields(catalog, tmp_path):
    Service.objects.filter(slug="emr").update(featured_position=1)
    rows = fixture_rows()
    rows[1]["title"] = "Медицинская карта (ЭМК)"
    rows.append({**rows[0], "slug": "new-service", "department": "НОВОЕ"})
    output = run_import(write_catalog(tmp_path / "c.csv", rows))
    assert "1 created, 1 updated, 468 unchanged" in output
    emr = Service.objects.get(slug="emr")
    assert emr.title == "Медицинская карта (ЭМК)"
    assert emr.featured_position == 1
    assert Department.objects.filter(code="НОВОЕ").exists()
    assert AuditEvent.objects.filter(action="catalog.imported").exists()
    # The change is visible to readers at once in this process.
    assert selectors.service_get("emr").title == "Медицинская карта (ЭМК)"
    assert selectors.service_get("new-service").title == rows[0]["title"]


def test_file_with_bad_rows_imports_nothing_and_names_lines(catalog, tmp_path):
    rows = fixture_rows()[:3]
    rows[0]["title"] = "Изменено"
    rows[2]["category"] = "space"
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import", "services", str(write_catalog(tmp_path / "c.csv", rows)), stdout=out)
    assert ":4: unknown category 'space'" in out.getvalue()
    assert Service.objects.get(slug=rows[0]["slug"]).title != "Изменено"


def test_file_with_wrong_header_is_refused(catalog, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("slug,name\nx,y\n", encoding="utf-8")
    with pytest.raises(CommandError, match="title"):
        run_import(path)


def test_file_in_wrong_encoding_is_refused(catalog, tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(FIXTURE.read_text(encoding="utf-8").encode("cp1251"))
    with pytest.raises(CommandError, match="UTF-8"):
        run_import(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run_import(tmp_path / "absent.csv")


def test_unpublished_service_disappears_from_reads(catalog):
    Service.objects.filter(slug="emr").update(is_published=False)

    snapshot.discard()
    assert "emr" not in {service.slug for service in selectors.service_list()}
    assert "emr" not in {s.slug for s in selectors.service_search("медицинская карта").services}


def test_external_url_only_for_external_services(catalog):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Service.objects.filter(slug="emr").update(external_url="https://example.ru")


def test_every_service_has_an_english_description_shown_in_english(catalog):
    assert all(row["description_en"] for row in fixture_rows())
    service = Service.objects.get(slug="doctor-appointment")
    assert service.description_en.startswith("Book an appointment")
    with translation.override("en"):
        assert service.display_description == service.description_en
    with translation.override("ru"):
        assert service.display_description == service.description


def test_a_catalog_without_english_descriptions_still_imports(catalog, tmp_path):
    rows = [
        {key: value for key, value in row.items() if key != "description_en"}
        for row in fixture_rows()
    ]
    assert "469 updated" in run_import(write_catalog(tmp_path / "c.csv", rows))
    assert Service.objects.get(slug="emr").description_en == ""
