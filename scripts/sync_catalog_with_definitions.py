"""Bring the catalog fixture's `kind` and `external_url` in line with the service definitions.

    python scripts/sync_catalog_with_definitions.py

A definition says how its service is delivered (a form, information, a partner's site) and
where the partner is; the catalog (gorod/catalog/fixtures/services.csv) must say the same,
since `gorod import definitions` refuses a definition whose kind the catalog contradicts.
Run this after adding or changing definitions; a test fails while the two disagree.
"""

import csv
import io
from pathlib import Path

from gorod.applications.loader import DEFINITIONS_DIR, load_directory

CATALOG = Path(__file__).resolve().parents[1] / "gorod" / "catalog" / "fixtures" / "services.csv"


def synced_catalog() -> str:
    loaded, problems = load_directory(DEFINITIONS_DIR)
    if problems:
        raise SystemExit("\n".join(str(problem) for problem in problems))
    by_slug = {one.definition.service: one.definition for one in loaded}
    with CATALOG.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        rows = list(reader)
    if "external_url" not in columns:
        columns.append("external_url")
    for row in rows:
        definition = by_slug.get(row["slug"])
        if definition is None or row["kind"] == "flagship":
            row.setdefault("external_url", "")
            continue
        row["kind"] = definition.kind
        row["external_url"] = str(definition.content.url) if definition.kind == "external" else ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


if __name__ == "__main__":
    CATALOG.write_text(synced_catalog(), encoding="utf-8")
    print(f"wrote {CATALOG}")
