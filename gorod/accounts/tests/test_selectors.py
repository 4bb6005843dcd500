import pytest
from django.contrib.auth.models import Group

from gorod.accounts import selectors
from gorod.accounts.tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_roles_of_an_account_by_name():
    user = PersonFactory().user
    assert selectors.role_names_of(user) == []
    user.groups.add(Group.objects.get(name="operator"), Group.objects.get(name="analyst"))
    assert selectors.role_names_of(user) == ["analyst", "operator"]


def test_a_staff_member_is_found_by_any_spelling_of_the_login():
    staff = UserFactory(email="owner@example.ru", is_staff=True)
    UserFactory(phone="+79160001122", is_staff=False)
    assert selectors.staff_member_by_login(" Owner@Example.RU ") == staff
    assert selectors.staff_member_by_login("8 916 000-11-22") is None  # not staff
    assert selectors.staff_member_by_login("not a login") is None
