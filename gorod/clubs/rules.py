"""The rules of enrollment in clubs and sports sections, as plain functions of plain values.

DOMAIN.md, "Clubs and sports sections": ages are checked on the programme's start date; a
child holds at most N free programmes (default 3) and never two groups that meet at the
same time; an application moves only along the status machine below; an invited child
confirms in person within N working days (default 10), else the place goes to the next on
the waiting list, first come, first served.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from gorod.accounts.rules import age_on
from gorod.core.calendar import add_working_days

SUBMITTED = "submitted"
REVIEW = "review"
TEST = "test"
INVITED = "invited"
ENROLLED = "enrolled"
WAITLISTED = "waitlisted"
REJECTED = "rejected"
CANCELLED = "cancelled"

# submitted → under review → (invited to a test) → invited → enrolled | waitlisted |
# rejected | cancelled. A waitlisted application re-enters where a freed place takes it
# (invited, or submitted where the organisation reviews first); any live application may be
# withdrawn by the parent (cancelled) or refused by the organisation (rejected).
TRANSITIONS: dict[str, frozenset[str]] = {
    SUBMITTED: frozenset({REVIEW, INVITED, REJECTED, CANCELLED}),
    REVIEW: frozenset({TEST, INVITED, REJECTED, CANCELLED}),
    TEST: frozenset({INVITED, REJECTED, CANCELLED}),
    INVITED: frozenset({ENROLLED, CANCELLED, REJECTED}),
    ENROLLED: frozenset({CANCELLED}),
    WAITLISTED: frozenset({SUBMITTED, INVITED, REJECTED, CANCELLED}),
    REJECTED: frozenset(),
    CANCELLED: frozenset(),
}

# The statuses that hold one of the group's places (Group.taken counts them).
HOLDING_PLACE = frozenset({SUBMITTED, REVIEW, TEST, INVITED, ENROLLED})
# The statuses that count towards the child's limit of free programmes and the schedule:
# a place held or waited for. A closed application frees both.
LIVE = HOLDING_PLACE | {WAITLISTED}
CLOSED = frozenset({REJECTED, CANCELLED})


def may_move(current: str, target: str) -> bool:
    return target in TRANSITIONS[current]


# The organisation's decisions, in the order an application travels.
STAFF_DECISIONS = (REVIEW, TEST, INVITED, ENROLLED, REJECTED, CANCELLED)


def staff_moves(status: str) -> tuple[str, ...]:
    """The decisions the organisation may take on an application in `status`.

    Only the portal seats a waiting child (a freed place goes to the first in line, so
    nobody jumps the queue): the organisation may only refuse one. A child who stops
    coming is let go by the organisation (enrolled → cancelled); a live application
    before enrollment is refused, not cancelled — cancelling is the family's word.
    """
    if status == WAITLISTED:
        return (REJECTED,)
    if status == ENROLLED:
        return (CANCELLED,)
    return tuple(
        target for target in STAFF_DECISIONS if target != CANCELLED and may_move(status, target)
    )


def age_fits(*, birth_date: date, starts_on: date, age_min: int, age_max: int) -> bool:
    """Whether the child's age on the programme's start date is within its ages."""
    return age_min <= age_on(birth_date, starts_on) <= age_max


def free_limit_reached(
    *, free_programmes_held: Iterable[int], programme_id: int, limit: int
) -> bool:
    """Whether one more free programme would take the child past the limit.

    `free_programmes_held` are the free programmes of the child's live applications; a
    second group of a programme already held is not another programme.
    """
    held = set(free_programmes_held)
    return programme_id not in held and len(held) >= limit


@dataclass(frozen=True, order=True)
class Meeting:
    """One weekly meeting: weekday (0 = Monday) and the times of day."""

    weekday: int
    starts_at: time
    ends_at: time


def meetings_clash(first: Iterable[Meeting], second: Iterable[Meeting]) -> Meeting | None:
    """The first meeting of `second` that overlaps one of `first`, or None.

    Meetings that only touch (one ends at 17:00, the next starts at 17:00) do not clash:
    a child can walk from one room to the next.
    """
    mine = list(first)
    for other in sorted(second):
        for meeting in mine:
            if (
                meeting.weekday == other.weekday
                and meeting.starts_at < other.ends_at
                and other.starts_at < meeting.ends_at
            ):
                return other
    return None


def confirm_by(invited_on: date, working_days: int) -> date:
    """The last day to confirm in person: N working days after the invitation."""
    return add_working_days(invited_on, working_days)


def invitation_lapsed(*, confirm_by: date, today: date) -> bool:
    return today > confirm_by


def status_on_place(*, requires_test: bool) -> str:
    """Where an application stands once it holds a place: the organisation reviews (and
    tests) first where the programme sets a test, else the child is invited at once."""
    return SUBMITTED if requires_test else INVITED


def enrollment_open(*, season_opens_at: datetime | None, now: datetime) -> bool:
    """An all-year programme is always open; a seasonal one from its opening moment."""
    return season_opens_at is None or now >= season_opens_at
