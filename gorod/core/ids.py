"""Ids that reach the database: bigint primary keys."""

MAX_ID = 2**63 - 1


def valid_id(value) -> bool:
    """Whether an id from a URL or a JSON body can be looked up at all.

    Checked before the database sees it: a number past bigint is an error there, where
    the caller should simply hear "not found".
    """
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID
