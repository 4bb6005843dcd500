"""API schemas shared by every domain: the problem+json error document."""

from ninja import Field, Schema

# A pattern for free text a database column will hold: PostgreSQL refuses NUL in a string,
# so such text is refused at the door with a 422 rather than by the database with a 500.
NO_NUL = r"^[^\x00]*$"


class ValidationIssue(Schema):
    location: str = Field(..., description="Where: query.page, body.value, …")
    message: str
    type: str


class Problem(Schema):
    """RFC 9457 problem details, with our stable `code`."""

    type: str = Field(..., examples=["urn:gorod:problem:not_found"])
    title: str
    status: int
    detail: str = Field(..., description="Human-readable, in the request's language")
    code: str = Field(..., description="Stable machine-readable error code")
    instance: str | None = None
    field: str | None = Field(None, description="The input field the problem is about")
    errors: list[ValidationIssue] | None = None


def with_problems(ok: dict, *statuses: int) -> dict:
    """A Ninja `response=` mapping: the success schema plus the problems it may answer."""
    return {**ok, **dict.fromkeys(statuses, Problem)}
