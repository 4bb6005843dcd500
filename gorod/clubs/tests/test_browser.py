"""Clubs in a real browser: a parent finds a chess group in the list and on the map, applies
for her daughter, finds the group full and sees her place on the waiting list; a place
frees and the page says the daughter is invited, with the day to confirm by. axe-core scans
every page at desktop and phone widths; GOROD_SCREENSHOTS=1 saves them."""

from datetime import date, time

import pytest
from django.utils import timezone

from gorod.accounts.models import Guardianship
from gorod.accounts.tests.factories import TEST_PASSWORD, ChildFactory, PersonFactory
from gorod.clubs import services
from gorod.clubs.models import Application
from gorod.clubs.tests.factories import GroupFactory, GroupSessionFactory, ProgrammeFactory
from gorod.web.tests.browser import DESKTOP, MOBILE, both_widths
from gorod.web.tests.test_browser import assert_accessible, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_catalog")]


def accessible_at_both_widths(page, name: str) -> None:
    assert_accessible(page, f"{name} (desktop)")
    page.set_viewport_size(MOBILE)
    assert_accessible(page, f"{name} (phone)")
    page.set_viewport_size(DESKTOP)


def family(first_name: str):
    parent = PersonFactory()
    child = ChildFactory(first_name=first_name, birth_date=date(2017, 3, 1))
    Guardianship.objects.create(
        guardian=parent, child=child, kind="parent", verified_at=timezone.now()
    )
    return parent, child


def test_a_parent_finds_a_group_applies_waits_and_is_promoted(live_server, page, screenshot):
    chess = ProgrammeFactory(title="Шахматы", activity="Шахматы", age_min=6, age_max=12)
    group = GroupFactory(programme=chess, capacity=1, name="Начинающие")
    GroupSessionFactory(group=group, weekday=1, starts_at=time(16), ends_at=time(17, 30))
    first_parent, first_child = family("Петя")
    taken = services.application_submit(
        actor=first_parent.user, child_id=first_child.pk, group_id=group.pk
    )
    parent, daughter = family("Варя")

    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=parent.user.email, password=TEST_PASSWORD)
    page.goto(f"{live_server.url}/clubs/")
    search = page.locator("form.club-filters")
    search.get_by_label("Что ищем").fill("шахматы")
    submit(page, search.get_by_role("button", name="Найти"))
    # In the list, and on the map: the venue's mark leads to the same group.
    assert page.locator(".club-hit h3").first.inner_text() == "Шахматы"
    venue_mark = page.locator("a.clubs-map-venue").first
    assert venue_mark.count() == 1
    accessible_at_both_widths(page, "the search with the map")
    both_widths(page, screenshot, "clubs-search")
    submit(page, venue_mark)
    assert page.locator("h1").inner_text() == "Шахматы"
    assert "мест нет" in page.locator(".facts").inner_text()
    accessible_at_both_widths(page, "the group page")

    apply = page.locator(".club-apply form")
    apply.get_by_label("Варя", exact=False).check()
    submit(page, apply.get_by_role("button", name="Встать в очередь"))
    assert "1-е в очереди" in page.locator(".lead").inner_text()
    waiting = Application.objects.get(child=daughter)
    assert waiting.status == Application.Status.WAITLISTED
    accessible_at_both_widths(page, "the application on the waiting list")
    both_widths(page, screenshot, "clubs-waiting")

    # The first family withdraws: the place moves to Varya by itself.
    services.application_withdraw(actor=first_parent.user, application_id=taken.pk)
    page.reload()
    waiting.refresh_from_db()
    assert waiting.status == Application.Status.INVITED
    lead = page.locator(".lead").inner_text()
    assert "Приглашён на зачисление".lower() in lead.lower()
    assert waiting.confirm_by.strftime("%d.%m.%Y") in lead
    assert page.get_by_role("button", name="Принять приглашение").is_visible()
    accessible_at_both_widths(page, "the invitation")
    both_widths(page, screenshot, "clubs-invited")
