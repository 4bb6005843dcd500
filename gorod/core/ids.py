"""Ids that reach the database: bigint primary keys, and the UUIDs that name rows in URLs."""

import uuid

MAX_ID = 2**63 - 1


def valid_id(value) -> bool:
    """Whether an id from a URL or a JSON body can be looked up at all.

    Checked before the database sees it: a number past bigint is an error there, where
    the caller should simply hear "not found".
    """
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def uuid_or_none(value) -> uuid.UUID | None:
    """A UUID from a URL or a JSON body, or None for anything that is not one (then the
    caller says "not found", as for a UUID that names nothing)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
