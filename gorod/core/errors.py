"""Domain errors: one family of exceptions that every layer understands.

A service raises `DomainError(code, message, field=...)` or one of its kinds (`Invalid`,
`Conflict`, `Unauthenticated`, `Forbidden`, `Gone`, `Throttled`, `NotFound`): what went
wrong in the domain's words. The doors choose the HTTP status from the kind
(`gorod.core.problems.status_of`): the API answers problem+json with the stable `code`, a
web form shows `message` next to `field`.
"""

from django.utils.functional import Promise


class DomainError(Exception):
    """A refusal the user can act on; `code` is stable and machine-readable."""

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        field: str | None = None,
        details: dict | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        # Extra members of the problem+json body, e.g. the list of meters a bulk
        # submission failed on.
        self.details = details or {}


class Invalid(DomainError):
    """The input breaks a rule of the domain (a reading below the last one, a date in 1812)."""


class Conflict(DomainError):
    """The input is fine but the state forbids it now (the slot is taken, already cancelled)."""


class Unauthenticated(DomainError):
    """Nobody is signed in where someone must be (an anonymous look at a medical record)."""


class Forbidden(DomainError):
    """The actor is known but may not do this (a guardian of a 15-year-old, a revoked grant)."""


class Gone(DomainError):
    """The thing existed and is over for good (an expired link request)."""


class Throttled(DomainError):
    """Too many attempts; `details` may say when to try again."""


class RuleError(Exception):
    """A refusal by a pure rule (a domain's rules.py); services turn it into a DomainError."""

    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


class NotFound(DomainError):
    """The object does not exist or lies outside the actor's scope (no existence leak)."""


def show_on_form(form, error: DomainError) -> None:
    """Put a service's refusal on a web form: next to its field, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))
