"""Check the service definitions of some catalog categories: problems and missing files.

    python scripts/check_definitions.py [CATEGORY ...]

Every problem is printed as `file: path: why`; then the catalog services of the named
categories (all, when none is named) that have no definition yet. Exit status 1 on either.
"""

import csv
import sys
from pathlib import Path

from gorod.applications.loader import DEFINITIONS_DIR, load_directory

CATALOG = Path(__file__).resolve().parents[1] / "gorod" / "catalog" / "fixtures" / "services.csv"


def main(categories: list[str]) -> int:
    loaded, problems = load_directory(DEFINITIONS_DIR)
    chosen = set(categories)
    with CATALOG.open(encoding="utf-8") as handle:
        catalog = [row for row in csv.DictReader(handle) if row["kind"] != "flagship"]
    category_of = {row["slug"]: row["category"] for row in catalog}
    for problem in problems:
        if not chosen or problem.file.split("/")[0] in chosen:
            print(problem)
    defined = {}
    for one in loaded:
        slug = one.definition.service
        defined[slug] = one.file
        folder = one.file.split("/")[0]
        if slug not in category_of:
            print(f"{one.file}: service: `{slug}` is not in the catalog")
            problems.append(one)
        elif folder != category_of[slug]:
            print(f"{one.file}: belongs in {category_of[slug]}/")
            problems.append(one)
    missing = [
        row["slug"]
        for row in catalog
        if row["slug"] not in defined and (not chosen or row["category"] in chosen)
    ]
    if missing:
        print(f"{len(missing)} without a definition: " + " ".join(missing))
    done = sum(
        1 for row in catalog if row["slug"] in defined and (not chosen or row["category"] in chosen)
    )
    print(f"{done} defined, {len(missing)} missing")
    return 1 if problems or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
