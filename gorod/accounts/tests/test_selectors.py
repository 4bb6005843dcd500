import pytest
from django.contrib.auth.models import Group

from gorod.accounts import selectors
from gorod.accounts.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_roles_of_an_account_by_name():
    user = PersonFactory().user
    assert selectors.role_names_of(user) == []
    user.groups.add(Group.objects.get(name="operator"), Group.objects.get(name="analyst"))
    assert selectors.role_names_of(user) == ["analyst", "operator"]
