"""The OneRoster 1.2 REST binding's objects, made from the rows the CSV export writes.

A CSV column "xSourcedId" is the REST reference "x": {"href", "sourcedId", "type"}
(GUIDRef in the 1EdTech OpenAPI); a "List of GUID Reference" column is a list of them;
floats are numbers, comma lists are arrays ("true"/"false" stay strings, as the REST
schemas declare them), and an empty optional value is left out. A user carries its roles
(roles.csv) inside, as the REST UserDType does. COLLECTIONS lists what the two services
serve.
"""

from collections.abc import Callable
from dataclasses import dataclass

from gorod.school.oneroster.ids import sourced_id
from gorod.school.oneroster.roster import Roster

ROSTERING = "rostering"
GRADEBOOK = "gradebook"

# CSV column -> (REST field, referenced type, is a list)
_REFERENCES = {
    "parentSourcedId": None,  # resolved per collection: an org's or a session's parent
    "schoolYearSourcedId": ("schoolYear", "academicSession", False),
    "orgSourcedId": ("org", "org", False),
    "courseSourcedId": ("course", "course", False),
    "schoolSourcedId": ("school", "org", False),
    "termSourcedIds": ("terms", "academicSession", True),
    "classSourcedId": ("class", "class", False),
    "userSourcedId": ("user", "user", False),
    "agentSourcedIds": ("agents", "user", True),
    "primaryOrgSourcedId": ("primaryOrg", "org", False),
    "categorySourcedId": ("category", "category", False),
    # 1.2 CSV renamed the column; the REST LineItem keeps the grading period reference.
    "academicSessionSourcedId": ("gradingPeriod", "academicSession", False),
    "lineItemSourcedId": ("lineItem", "lineItem", False),
    "studentSourcedId": ("student", "user", False),
}
_LISTS = {"grades", "subjects", "subjectCodes", "periods"}
# enabledUser and primary stay the strings "true"/"false": the REST schemas (UserDType,
# EnrollmentDType) declare them so, not as JSON booleans.
_NUMBERS = {"resultValueMin", "resultValueMax", "score", "weight"}
# Where the REST binding names a column differently from the CSV binding (UserDType).
_RENAMED = {"preferredGivenName": "preferredFirstName", "preferredFamilyName": "preferredLastName"}
# Where each referenced type is served, for the reference's href.
_HOMES = {
    "org": (ROSTERING, "orgs"),
    "academicSession": (ROSTERING, "academicSessions"),
    "course": (ROSTERING, "courses"),
    "class": (ROSTERING, "classes"),
    "user": (ROSTERING, "users"),
    "category": (GRADEBOOK, "categories"),
    "lineItem": (GRADEBOOK, "lineItems"),
}


class Links:
    """Builds the href of a reference: {base}{service}/v1p2/{collection}/{sourcedId}."""

    def __init__(self, base: str) -> None:
        self.base = base

    def ref(self, kind: str, sourced: str) -> dict[str, str]:
        service, collection = _HOMES[kind]
        return {
            "href": f"{self.base}{service}/v1p2/{collection}/{sourced}",
            "sourcedId": sourced,
            "type": kind,
        }


def to_json(row: dict[str, str], links: Links, parent_type: str = "org") -> dict:
    obj: dict = {}
    for column, value in row.items():
        if column == "parentSourcedId":
            if value:
                obj["parent"] = links.ref(parent_type, value)
            continue
        if column in _REFERENCES:
            field, kind, many = _REFERENCES[column]
            if many:
                refs = [links.ref(kind, part) for part in value.split(",") if part]
                if refs:
                    obj[field] = refs
            elif value:
                obj[field] = links.ref(kind, value)
        elif column in _LISTS:
            if value:
                obj[column] = value.split(",")
        elif column in _NUMBERS:
            if value:
                obj[column] = float(value)
        elif value:
            obj[_RENAMED.get(column, column)] = value
    return obj


def _sessions_json(roster: Roster, links: Links, rows: list[dict]) -> list[dict]:
    """Sessions with their children, as AcademicSessionDType has them."""
    children: dict[str, list] = {}
    for row in roster.academic_sessions():
        if row["parentSourcedId"]:
            children.setdefault(row["parentSourcedId"], []).append(
                links.ref("academicSession", row["sourcedId"])
            )
    objects = []
    for row in rows:
        obj = to_json(row, links, parent_type="academicSession")
        if row["sourcedId"] in children:
            obj["children"] = children[row["sourcedId"]]
        objects.append(obj)
    return objects


def _users_json(roster: Roster, links: Links, rows: list[dict]) -> list[dict]:
    """Users with their roles inside, as UserDType has them (roles.csv in the CSV)."""
    objects = []
    for row in rows:
        obj = to_json(row, links)
        obj["roles"] = [
            {
                "roleType": role["roleType"],
                "role": role["role"],
                "org": links.ref("org", role["orgSourcedId"]),
            }
            for role in roster.user_roles.get(row["sourcedId"], ())
        ]
        objects.append(obj)
    return objects


def _plain_json(roster: Roster, links: Links, rows: list[dict]) -> list[dict]:
    return [to_json(row, links) for row in rows]


def _with_role(role: str) -> Callable[[dict, Roster], bool]:
    return lambda row, roster: any(
        entry["role"] == role for entry in roster.user_roles.get(row["sourcedId"], ())
    )


def _of_type(kind: str) -> Callable[[dict, Roster], bool]:
    return lambda row, roster: row["type"] == kind


@dataclass(frozen=True)
class Collection:
    service: str
    plural: str  # the envelope of a list: {"orgs": [...]}
    singular: str  # the envelope of one: {"org": {...}}
    # The Roster method giving the whole collection's rows (a school's roster is small
    # enough); None for the gradebook's lineItems and results, paged in the database.
    rows: str | None = None
    keep: Callable[[dict, Roster], bool] | None = None
    json: Callable[[Roster, Links, list[dict]], list[dict]] = _plain_json


def _sessions(keep=None) -> dict:
    return {"rows": "academic_sessions", "keep": keep, "json": _sessions_json}


def _users(keep=None) -> dict:
    return {"rows": "users", "keep": keep, "json": _users_json}


COLLECTIONS: dict[tuple[str, str], Collection] = {
    (ROSTERING, "orgs"): Collection(ROSTERING, "orgs", "org", "orgs"),
    (ROSTERING, "schools"): Collection(ROSTERING, "orgs", "org", "orgs", _of_type("school")),
    (ROSTERING, "academicSessions"): Collection(
        ROSTERING, "academicSessions", "academicSession", **_sessions()
    ),
    (ROSTERING, "terms"): Collection(
        ROSTERING, "academicSessions", "academicSession", **_sessions(_of_type("term"))
    ),
    (ROSTERING, "gradingPeriods"): Collection(
        ROSTERING, "academicSessions", "academicSession", **_sessions(_of_type("gradingPeriod"))
    ),
    (ROSTERING, "courses"): Collection(ROSTERING, "courses", "course", "courses"),
    (ROSTERING, "classes"): Collection(ROSTERING, "classes", "class", "classes_rows"),
    (ROSTERING, "users"): Collection(ROSTERING, "users", "user", **_users()),
    (ROSTERING, "students"): Collection(
        ROSTERING, "users", "user", **_users(_with_role("student"))
    ),
    (ROSTERING, "teachers"): Collection(
        ROSTERING, "users", "user", **_users(_with_role("teacher"))
    ),
    (ROSTERING, "enrollments"): Collection(
        ROSTERING, "enrollments", "enrollment", "enrollments_rows"
    ),
    (GRADEBOOK, "categories"): Collection(GRADEBOOK, "categories", "category", "categories"),
    (GRADEBOOK, "lineItems"): Collection(GRADEBOOK, "lineItems", "lineItem"),
    (GRADEBOOK, "results"): Collection(GRADEBOOK, "results", "result"),
}


def all_rows(collection: Collection, roster: Roster) -> list[dict]:
    """The collection's rows (CSV-shaped): cheap to filter, sort and slice before the page
    that is answered is turned into JSON."""
    rows = getattr(roster, collection.rows)()
    return [row for row in rows if collection.keep is None or collection.keep(row, roster)]


def count_paged(name: str, roster: Roster) -> int:
    return (roster.line_item_keys() if name == "lineItems" else roster.marks()).count()


def page_paged(name: str, roster: Roster, links: Links, offset: int, limit: int) -> list[dict]:
    if name == "lineItems":
        keys = list(roster.line_item_keys()[offset : offset + limit])
        rows = roster.line_items(keys)
    else:
        rows = roster.results(roster.marks()[offset : offset + limit])
    return [to_json(row, links) for row in rows]


def find_paged(name: str, roster: Roster, links: Links, sourced: str) -> dict | None:
    """One lineItem or result by sourcedId: ids are one-way hashes, so the school's keys
    are hashed until one matches (ids only, no rows are read)."""
    if name == "lineItems":
        for key in roster.line_item_keys().iterator():
            if sourced_id("lesson-form", *key) == sourced:
                return to_json(roster.line_items([key])[0], links)
        return None
    for mark_pk in roster.marks().values_list("pk", flat=True).iterator():
        if sourced_id("mark", mark_pk) == sourced:
            return to_json(roster.results(roster.marks().filter(pk=mark_pk))[0], links)
    return None
