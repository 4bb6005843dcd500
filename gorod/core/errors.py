"""Domain errors: one exception type that every layer understands.

A service raises `DomainError(code, message, field=...)`; the API turns it into RFC 9457
problem+json with the stable `code`, and a web form shows `message` next to `field`.
"""

from django.utils.functional import Promise


class DomainError(Exception):
    """A refusal the user can act on; `code` is stable and machine-readable."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        field: str | None = None,
        status: int | None = None,
        details: dict | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        # Extra members of the problem+json body, e.g. the list of meters a bulk
        # submission failed on.
        self.details = details or {}
        if status is not None:
            self.status = status


class RuleError(Exception):
    """A refusal by a pure rule (a domain's rules.py); services turn it into a DomainError."""

    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


class NotFound(DomainError):
    """The object does not exist or lies outside the actor's scope (no existence leak)."""

    status = 404


def show_on_form(form, error: DomainError) -> None:
    """Put a service's refusal on a web form: next to its field, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))
