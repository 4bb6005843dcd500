"""Pure rules of the catalog: what a valid catalog row is, and where a service is used."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gorod.core.importing import RowProblem

CATALOG_COLUMNS = (
    "slug",
    "title",
    "title_en",
    "category",
    "department",
    "kind",
    "audience",
    "keywords",
    "description",
)
OPTIONAL_COLUMNS = ("description_en", "is_online", "external_url")
KINDS = ("flagship", "form", "info", "external")
AUDIENCES = ("citizen", "business")
SLUG_SHAPE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEYWORD_SEPARATOR = "|"


@dataclass(frozen=True)
class ServiceRow:
    slug: str
    title: str
    title_en: str
    category: str
    department: str
    kind: str
    audience: str
    keywords: tuple[str, ...]
    description: str
    description_en: str = ""
    is_online: bool = True
    external_url: str = ""


def _flag(value: str) -> bool | None:
    value = value.strip().lower()
    if value in {"", "1", "true", "yes", "да"}:
        return True
    if value in {"0", "false", "no", "нет"}:
        return False
    return None


def parse_service_rows(
    rows: Iterable[Mapping[str, str | None]], *, categories: set[str], first_line: int = 2
) -> tuple[list[ServiceRow], list[RowProblem]]:
    """Validate catalog rows; problems name the file's line so an editor can fix it.

    A slug seen twice is a problem on the second line: the file must say one thing per
    service, or an import would depend on row order.
    """
    parsed: list[ServiceRow] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(rows, start=first_line):
        if None in raw:
            problems.append(RowProblem(line, "more fields than columns in the header"))
            continue
        row = {key: (value or "").strip() for key, value in raw.items() if key}
        missing = [
            column
            for column in ("slug", "title", "category", "department", "kind", "description")
            if not row.get(column)
        ]
        if missing:
            problems.append(RowProblem(line, f"empty required column(s): {', '.join(missing)}"))
            continue
        slug = row["slug"]
        error = None
        is_online = _flag(row.get("is_online", ""))
        if not SLUG_SHAPE.match(slug) or len(slug) > 100:
            error = f"slug {slug!r} must be lowercase latin letters, digits and hyphens"
        elif row["category"] not in categories:
            error = f"unknown category {row['category']!r}"
        elif row["kind"] not in KINDS:
            error = f"kind must be one of {', '.join(KINDS)}, not {row['kind']!r}"
        elif (row.get("audience") or "citizen") not in AUDIENCES:
            error = f"audience must be one of {', '.join(AUDIENCES)}"
        elif row.get("external_url") and row["kind"] != "external":
            error = "external_url is only for services of kind 'external'"
        elif is_online is None:
            error = "is_online must be true or false"
        elif len(row["title"]) > 200 or len(row.get("title_en", "")) > 200:
            error = "title longer than 200 characters"
        elif len(row["department"]) > 100:
            error = "department longer than 100 characters"
        elif slug in seen:
            error = f"slug {slug!r} already appeared on line {seen[slug]}"
        if error:
            problems.append(RowProblem(line, error))
            continue
        seen[slug] = line
        keywords = tuple(
            dict.fromkeys(
                keyword.strip()
                for keyword in row.get("keywords", "").split(KEYWORD_SEPARATOR)
                if keyword.strip()
            )
        )
        parsed.append(
            ServiceRow(
                slug=slug,
                title=row["title"],
                title_en=row.get("title_en", ""),
                category=row["category"],
                department=row["department"],
                kind=row["kind"],
                audience=row.get("audience") or "citizen",
                keywords=keywords,
                description=row["description"],
                description_en=row.get("description_en", ""),
                is_online=bool(is_online),
                external_url=row.get("external_url", ""),
            )
        )
    return parsed, problems


# The five flagship services carry most of the portal's traffic (DOMAIN.md: the medical
# record, diary and meter readings alone are ~470 of 550 million uses), so when a query fits
# a flagship and a rarer service equally, the flagship is the likelier intent. Small enough
# that a query naming the rarer service still finds it first (see the evaluation set).
FLAGSHIP_SEARCH_PRIOR = 1.2


def search_prior(kind: str) -> float:
    """The search index's prior for a service of this kind (1.0 is neutral)."""
    return FLAGSHIP_SEARCH_PRIOR if kind == "flagship" else 1.0
