"""Write the published JSON Schema of service definitions to docs/definitions.schema.json.

    python scripts/definition_schema.py

Run it after changing gorod/applications/schema.py; a test fails while the file is stale.
"""

from pathlib import Path

from gorod.applications.loader import json_schema_text

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "docs" / "definitions.schema.json"

if __name__ == "__main__":
    SCHEMA_FILE.write_text(json_schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
