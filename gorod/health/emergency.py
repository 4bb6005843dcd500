"""A doctor's emergency look ("break the glass"): the written reason travels with each read.

On the portal the doctor states the reason once on the staff page; for the next hour each
read of that patient's record passes it to `record_open`, which logs it with every look.
A clinic's system calling the API or FHIR sends it with each request in the header
`X-Emergency-Reason` (UTF-8).
"""

from datetime import datetime, timedelta

from django.utils import timezone

SESSION_KEY = "health_record_emergency"
LASTS = timedelta(hours=1)


def emergency_grant(request, person_id: int, reason: str) -> None:
    grants = request.session.get(SESSION_KEY, {})
    grants[str(person_id)] = {
        "reason": reason.strip(),
        "until": (timezone.now() + LASTS).isoformat(),
    }
    request.session[SESSION_KEY] = grants


def emergency_reason(request, person_id) -> str:
    """The reason the doctor gave on the staff page for this patient, while it lasts.

    Only the session's grant counts on the portal's pages: a browser cannot skip the staff
    page's lookup, throttle and audit by sending the header.
    """
    session = getattr(request, "session", None)
    if session is None:
        return ""
    grant = session.get(SESSION_KEY, {}).get(str(person_id))
    if grant is None or datetime.fromisoformat(grant["until"]) < timezone.now():
        return ""
    return grant["reason"]


def emergency_header(request) -> str:
    """The reason a clinic's system sends with an API or FHIR request; empty without one."""
    return _utf8(request.headers.get("X-Emergency-Reason", ""))


def _utf8(header: str) -> str:
    # WSGI hands header bytes over decoded as Latin-1; a client sends Cyrillic as UTF-8.
    try:
        return header.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return header
