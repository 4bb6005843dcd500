import pytest

from gorod.core import errors
from gorod.core.problems import status_of


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (errors.DomainError, 400),
        (errors.Invalid, 422),
        (errors.Conflict, 409),
        (errors.Unauthenticated, 401),
        (errors.Forbidden, 403),
        (errors.Gone, 410),
        (errors.Throttled, 429),
        (errors.NotFound, 404),
    ],
)
def test_the_door_chooses_the_status_from_the_kind_of_refusal(kind, status):
    assert status_of(kind("some_code", "Сообщение")) == status
