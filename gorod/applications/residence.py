"""Whether the portal knows a person to live in the city: the `resident` eligibility rule.

The housing app knows who lives where (a premises linked to a person), but domain apps do
not import each other; the site hands its answer over at start-up (WebConfig.ready →
`residence_provide`). The function is set once per process, alike in every process.
Without a source nobody is known to be a resident, and the rule refuses with a way out.
"""

from collections.abc import Callable

_source: list[Callable[[int], bool]] = []


def residence_provide(is_resident: Callable[[int], bool]) -> None:
    _source[:] = [is_resident]


def is_resident(person_id: int) -> bool:
    return bool(_source) and _source[0](person_id)
