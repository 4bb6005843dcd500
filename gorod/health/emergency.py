"""A doctor's emergency look ("break the glass"): the written reason travels with the session.

The doctor states the reason once on the staff page; for the next hour each read of that
patient's record passes the reason to `record_open`, which logs it with every look.
"""

from datetime import timedelta

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
    """The reason the doctor gave for this patient, while it lasts; empty otherwise."""
    session = getattr(request, "session", None)
    if session is None:
        return ""
    grant = session.get(SESSION_KEY, {}).get(str(person_id))
    if grant is None or timezone.datetime.fromisoformat(grant["until"]) < timezone.now():
        return ""
    return grant["reason"]
