"""Which emergency grant a request presents ("break the glass"), by door.

A grant is made only by `services.emergency.emergency_open` (policy, birth date, reason,
throttled, audited, raised to the clinic's supervisors) and is a row bound to one doctor
and one patient for an hour. A request only names it: the portal's pages by the session
the staff page filled, the API and FHIR by the header `X-Emergency-Access: <grant id>`.
The record's door (`record_open`) checks that the grant is the reader's own, for this
patient, and still running; a named grant proves nothing by itself.
"""

from gorod.core.ids import valid_id

SESSION_KEY = "health_record_emergency"
HEADER = "X-Emergency-Access"


def emergency_remember(request, grant) -> None:
    """Let the doctor's next page looks at this patient present the grant."""
    grants = request.session.get(SESSION_KEY, {})
    grants[str(grant.patient_id)] = grant.pk
    request.session[SESSION_KEY] = grants


def emergency_session_grant(request, person_id) -> int | None:
    """The grant the staff page left in the session for this patient, if any.

    Only the session counts on the portal's pages: a browser does not skip the staff page
    by sending the header.
    """
    session = getattr(request, "session", None)
    if session is None:
        return None
    grant_id = session.get(SESSION_KEY, {}).get(str(person_id))
    # A session from before grants were rows held the reason itself: it names no grant.
    return grant_id if valid_id(grant_id) else None


def emergency_header_grant(request) -> int | None:
    """The grant an API or FHIR request names in its header; None without a usable one."""
    value = request.headers.get(HEADER, "").strip()
    grant_id = int(value) if value.isascii() and value.isdigit() else None
    return grant_id if valid_id(grant_id) else None
