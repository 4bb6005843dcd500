"""What IMS (1EdTech) OneRoster 1.2 says, as constants: the CSV files and their column
headers in the standard's order, and the value sets this export uses.

Source: "1EdTech OneRoster: CSV Binding", version 1.2.1, Final Release (January 31st,
2023), section 3 "CSV Format" (tables 3.1–3.22) — https://www.imsglobal.org/spec/oneroster/v1p2/bind/csv/
— and, for the REST binding's JSON shapes and status codes, the 1EdTech OpenAPI
definition "onerosterv1p2rostersservice_openapi3_v1p0.json" (schemas AcademicSessionDType,
UserDType, imsx_StatusInfoDType, imsx_CodeMinorFieldDType). Nothing here is invented: a
test compares every file the export writes against these lists, so a typo in a column name
fails the build rather than an importing district.
"""

ONEROSTER_VERSION = "1.2"
MANIFEST_VERSION = "1.0"

# Table 3.1 (manifest.csv): two columns, one property per row, every file listed with
# "absent", "bulk" or "delta".
MANIFEST_HEADER = ("propertyName", "value")
PROCESSING_MODES = ("absent", "bulk", "delta")

# Table 2.1: every data file a 1.2 exchange may hold, in the order table 3.1 lists their
# manifest rows.
DATA_FILES = (
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItemLearningObjectiveIds",
    "lineItems",
    "lineItemScoreScales",
    "orgs",
    "resources",
    "resultLearningObjectiveIds",
    "results",
    "resultScoreScales",
    "roles",
    "scoreScales",
    "userProfiles",
    "userResources",
    "users",
)

# Every data file starts with the same three columns (section 3, "Field Header" key);
# in bulk mode status and dateLastModified MUST be empty.
_BASE = ("sourcedId", "status", "dateLastModified")

# Section 3.2–3.22, each file's columns "in the same order as defined in the tables". Only
# the files gorod writes are listed; the rest are declared "absent" in the manifest.
HEADERS: dict[str, tuple[str, ...]] = {
    # 3.2 academicSessions.csv
    "academicSessions": (
        *_BASE,
        "title",
        "type",
        "startDate",
        "endDate",
        "parentSourcedId",
        "schoolYear",
    ),
    # 3.3 categories.csv ("weight" added in 1.2)
    "categories": (*_BASE, "title", "weight"),
    # 3.4 classes.csv
    "classes": (
        *_BASE,
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ),
    # 3.7 courses.csv
    "courses": (
        *_BASE,
        "schoolYearSourcedId",
        "title",
        "courseCode",
        "grades",
        "orgSourcedId",
        "subjects",
        "subjectCodes",
    ),
    # 3.8 demographics.csv
    "demographics": (
        *_BASE,
        "birthDate",
        "sex",
        "americanIndianOrAlaskaNative",
        "asian",
        "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander",
        "white",
        "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity",
        "countryOfBirthCode",
        "stateOfBirthAbbreviation",
        "cityOfBirth",
        "publicSchoolResidenceStatus",
    ),
    # 3.9 enrollments.csv
    "enrollments": (
        *_BASE,
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ),
    # 3.11 lineItems.csv (1.2 renamed gradingPeriodSourcedId to academicSessionSourcedId
    # and added schoolSourcedId as the last column)
    "lineItems": (
        *_BASE,
        "title",
        "description",
        "assignDate",
        "dueDate",
        "classSourcedId",
        "categorySourcedId",
        "academicSessionSourcedId",
        "resultValueMin",
        "resultValueMax",
        "schoolSourcedId",
    ),
    # 3.13 orgs.csv
    "orgs": (*_BASE, "name", "type", "identifier", "parentSourcedId"),
    # 3.16 results.csv (1.2 added textScore … missing after comment)
    "results": (
        *_BASE,
        "lineItemSourcedId",
        "studentSourcedId",
        "scoreStatus",
        "score",
        "scoreDate",
        "comment",
        "textScore",
        "classSourcedId",
        "inProgress",
        "incomplete",
        "late",
        "missing",
    ),
    # 3.18 roles.csv (new in 1.2: users.csv lost its role and orgSourcedIds columns)
    "roles": (
        *_BASE,
        "userSourcedId",
        "roleType",
        "role",
        "beginDate",
        "endDate",
        "orgSourcedId",
        "userProfileSourcedId",
    ),
    # 3.22 users.csv
    "users": (
        *_BASE,
        "enabledUser",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
        "userMasterIdentifier",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
    ),
}

# Value sets (the "Permitted values" of each table; each "may be extended", gorod does not).
ACADEMIC_SESSION_TYPES = ("gradingPeriod", "semester", "schoolYear", "term")  # 3.2
CLASS_TYPES = ("homeroom", "scheduled")  # 3.4
ENROLLMENT_ROLES = ("administrator", "proctor", "student", "teacher")  # 3.9
ORG_TYPES = ("department", "school", "district", "local", "state", "national")  # 3.13
SCORE_STATUSES = (  # 3.16
    "exempt",
    "fully graded",
    "not submitted",
    "partially graded",
    "submitted",
)
ROLE_TYPES = ("primary", "secondary")  # 3.18
ROLES = (  # 3.18
    "aide",
    "counselor",
    "districtAdministrator",
    "guardian",
    "parent",
    "principal",
    "proctor",
    "relative",
    "siteAdministrator",
    "student",
    "systemAdministrator",
    "teacher",
)
SEXES = ("male", "female", "unspecified", "other")  # 3.8
BOOLEANS = ("true", "false")
STATUSES = ("active", "tobedeleted")  # REST: every object's status

# The columns whose values come from an enumeration above, per file — what the tests check.
ENUMERATED_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "academicSessions": {"type": ACADEMIC_SESSION_TYPES},
    "classes": {"classType": CLASS_TYPES},
    "demographics": {"sex": SEXES},
    "enrollments": {"role": ENROLLMENT_ROLES, "primary": BOOLEANS},
    "orgs": {"type": ORG_TYPES},
    "results": {"scoreStatus": SCORE_STATUSES},
    "roles": {"roleType": ROLE_TYPES, "role": ROLES},
    "users": {"enabledUser": BOOLEANS},
}

# REST binding, imsx_StatusInfoDType: codeMajor/severity and the code minor vocabulary.
CODE_MINOR_VALUES = (
    "fullsuccess",
    "invalid_filter_field",
    "invalid_selection_field",
    "invaliddata",
    "unauthorisedrequest",
    "forbidden",
    "server_busy",
    "unknownobject",
    "internal_server_error",
)
