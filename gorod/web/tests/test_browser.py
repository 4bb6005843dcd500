"""The portal in a real browser: a citizen's journey, with an axe-core scan of every page.

Headless Debian Chromium through Playwright's sync API against pytest-django's live server
(see conftest.py). axe findings of impact "serious" or "critical" fail the test; the
failure message lists them. GOROD_SCREENSHOTS=1 saves screenshots (desktop 1280 px and
mobile 390 px) to test-artifacts/screenshots/.
"""

import os
import re
from datetime import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe

from gorod.accounts.tests.factories import TEST_PASSWORD, PersonFactory
from gorod.appointments.tests.factories import AppointmentFactory
from gorod.appointments.tests.fixtures import MOSCOW, ensure_specialties
from gorod.core.audit import audit_record
from gorod.notifications.models import Message
from gorod.web.tests.browser import DESKTOP, MOBILE

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_catalog")]

METER_READINGS = "Передача показаний счетчиков воды и тепла"
BLOCKING_IMPACTS = {"serious", "critical"}
_axe = Axe()


def axe_report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page, name: str) -> None:
    """No serious or critical axe-core finding, and nothing blocked by our CSP."""
    violations = [
        violation
        for violation in _axe.run(page).response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert not violations, f"axe-core on {name} ({page.url}):\n{axe_report(violations)}"
    blocked = [text for text in page.console_errors if "Content Security Policy" in text]
    assert not blocked, f"CSP blocked something on {name}: {blocked}"


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def submit(page, button) -> None:
    """Click a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        button.click()


def sign_up(page, *, login: str, password: str) -> None:
    form = page.locator("main form")
    form.get_by_label("E-mail или телефон").fill(login)
    form.get_by_label("Фамилия").fill("Петрова")
    form.get_by_label("Имя", exact=True).fill("Анна")
    form.get_by_label("Дата рождения").fill("1988-03-14")
    form.get_by_label("Пароль", exact=True).fill(password)
    form.get_by_label("Пароль ещё раз").fill(password)
    submit(page, form.get_by_role("button", name="Зарегистрироваться"))


def sign_in(page, *, login: str, password: str) -> None:
    form = page.locator("main form")
    form.get_by_label("E-mail или телефон").fill(login)
    form.get_by_label("Пароль", exact=True).fill(password)
    submit(page, form.get_by_role("button", name="Войти"))


def test_citizen_finds_a_service_signs_up_and_signs_in(live_server, page, screenshot):
    page.goto(live_server.url)
    assert html_lang(page) == "ru"
    assert page.locator("h1").inner_text() == "Услуги города в одном месте"
    assert_accessible(page, "home")
    screenshot(page, "home")

    search = page.locator("main form[role=search]")
    search.get_by_label("Что вы хотите сделать?").fill("счетчики воды")
    submit(page, search.get_by_role("button", name="Найти"))
    assert "/search" in page.url
    assert_accessible(page, "search results")
    screenshot(page, "search")

    page.locator("ol.search-results").get_by_role("link", name=METER_READINGS).click()
    page.wait_for_url("**/services/meter-readings/")
    assert page.locator("h1").inner_text() == METER_READINGS
    assert_accessible(page, "service page")
    screenshot(page, "service")

    page.locator("header").get_by_role("link", name="Регистрация").click()
    page.wait_for_url("**/accounts/signup/")
    assert_accessible(page, "signup")
    # Sent empty first: the errors are announced next to their fields, still accessible.
    submit(page, page.locator("main form").get_by_role("button", name="Зарегистрироваться"))
    assert page.locator("main .errorlist").count() >= 5
    assert_accessible(page, "signup with errors")
    screenshot(page, "signup-errors")

    password = "Lampa-Vodoprovod-2024"
    sign_up(page, login="anna.petrova@example.ru", password=password)
    page.wait_for_url("**/cabinet/")
    assert page.locator("h1").inner_text() == "Мой кабинет"

    submit(page, page.locator("header").get_by_role("button", name="Выйти"))
    assert page.locator("header").get_by_role("link", name="Войти").is_visible()

    page.locator("header").get_by_role("link", name="Войти").click()
    page.wait_for_url("**/accounts/login/")
    assert_accessible(page, "login")
    sign_in(page, login="Anna.Petrova@example.ru", password=password)
    page.wait_for_url("**/cabinet/")
    assert page.locator("h1").inner_text() == "Мой кабинет"
    assert "Анна" in page.locator("main").inner_text()
    assert_accessible(page, "cabinet")
    screenshot(page, "cabinet")

    page.locator("header").get_by_role("link", name="Профиль").click()
    page.wait_for_url("**/accounts/profile/")
    tokens = page.locator("main form").filter(has_text="Название токена")
    tokens.get_by_label("Название токена").fill("Домашний сервер")
    submit(page, tokens.get_by_role("button", name="Создать токен"))
    assert re.search(r"gorod_\S+", page.locator("main code.token").inner_text())
    assert_accessible(page, "profile with a new API token")
    screenshot(page, "profile")


def test_pages_in_english_after_the_language_switch(live_server, page, screenshot):
    person = PersonFactory()
    page.goto(live_server.url)
    assert html_lang(page) == "ru"
    submit(page, page.locator("header form.lang-switch button[value=en]"))
    assert html_lang(page) == "en"
    assert page.locator("header form.lang-switch button[value=ru]").is_visible()
    assert_accessible(page, "home (en)")
    screenshot(page, "home-en")

    search = page.locator("main form[role=search]")
    search.locator("input[name=q]").fill("water meters")
    submit(page, search.locator("button[type=submit]"))
    assert html_lang(page) == "en"
    assert_accessible(page, "search results (en)")

    page.locator("ol.search-results a[href$='/services/meter-readings/']").click()
    page.wait_for_url("**/services/meter-readings/")
    assert html_lang(page) == "en"
    assert_accessible(page, "service page (en)")
    screenshot(page, "service-en")

    for path, name in (("/accounts/signup/", "signup (en)"), ("/accounts/login/", "login (en)")):
        page.goto(live_server.url + path)
        assert html_lang(page) == "en"
        assert_accessible(page, name)

    form = page.locator("main form")
    form.locator("input[name=username]").fill(person.user.email)
    form.locator("input[name=password]").fill(TEST_PASSWORD)
    submit(page, form.locator("button[type=submit]"))
    page.wait_for_url("**/cabinet/")
    assert html_lang(page) == "en"
    assert_accessible(page, "cabinet (en)")
    screenshot(page, "cabinet-en")


def test_search_and_service_page_work_without_javascript(live_server, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url)
    search = page.locator("main form[role=search]")
    search.get_by_label("Что вы хотите сделать?").fill("счетчики воды")
    submit(page, search.get_by_role("button", name="Найти"))
    assert "/search?q=" in page.url
    assert page.locator("ol.search-results li").count() > 0
    with page.expect_navigation():
        page.locator("ol.search-results").get_by_role("link", name=METER_READINGS).click()
    assert page.locator("h1").inner_text() == METER_READINGS
    assert page.locator(".service-action").is_visible()


def test_query_typed_in_the_wrong_layout_is_understood(live_server, page, screenshot):
    page.goto(live_server.url)
    search = page.locator("main form[role=search]")
    search.get_by_label("Что вы хотите сделать?").fill("pfgbcm r dhfxe")
    submit(page, search.get_by_role("button", name="Найти"))
    assert "не в той раскладке" in page.locator("main .notice").first.inner_text()
    first = page.locator("ol.search-results > li").first.get_by_role("link")
    assert first.inner_text() == "Запись к врачу"
    assert_accessible(page, "search results in the wrong layout")
    screenshot(page, "search-wrong-layout")

    # With JavaScript, htmx (served by us, allowed by the CSP) refreshes results as one types.
    url_before = page.url
    page.locator("#search-q").fill("кружки и секции")
    first.filter(has_text="Запись в кружки").wait_for()
    assert page.locator("h1").count() == 1  # the fragment replaced the list, not the page
    # data-hx-push-url keeps the new results shareable.
    assert page.url != url_before
    assert "q=" in page.url
    assert not page.console_errors, page.console_errors


def test_login_is_locked_after_five_wrong_passwords(live_server, page, screenshot):
    person = PersonFactory()
    page.goto(f"{live_server.url}/accounts/login/")
    statuses = []
    for attempt in range(5):
        form = page.locator("main form")
        form.get_by_label("E-mail или телефон").fill(person.user.email)
        form.get_by_label("Пароль", exact=True).fill(f"wrong-password-{attempt}")
        with page.expect_navigation() as navigation:
            form.get_by_role("button", name="Войти").click()
        statuses.append(navigation.value.status)
    # Four "wrong password" answers, and the fifth failure locks the login at once.
    assert statuses == [200, 200, 200, 200, 429]
    assert page.locator("h1").inner_text() == "Вход временно заблокирован"
    assert "Слишком много неудачных попыток входа" in page.locator("main").inner_text()
    assert page.locator("main").get_by_role("link", name="Восстановить пароль").is_visible()
    assert_accessible(page, "lockout")
    screenshot(page, "lockout")

    # Even the right password is refused until the cool-off ends.
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("main form")
    form.get_by_label("E-mail или телефон").fill(person.user.email)
    form.get_by_label("Пароль", exact=True).fill(TEST_PASSWORD)
    with page.expect_navigation() as navigation:
        form.get_by_role("button", name="Войти").click()
    assert navigation.value.status == 429
    assert page.locator("h1").inner_text() == "Вход временно заблокирован"


def test_api_docs_render_under_the_content_security_policy(live_server, page):
    """Swagger UI from our own static files: nothing from a CDN, no inline script.

    Django Ninja serves its bundled copy (ninja/swagger.html, with swagger-ui-init.js as a
    file) only when "ninja" is in INSTALLED_APPS; otherwise it links jsDelivr and runs an
    inline script, both of which our CSP blocks.
    """
    page.goto(f"{live_server.url}/api/v1/docs", wait_until="networkidle")
    blocked = [text for text in page.console_errors if "Content Security Policy" in text]
    assert not blocked, "CSP blocked parts of the API docs:\n" + "\n".join(blocked)
    # Swagger UI lays out ~90 operations from a 230 kB schema: seconds on a busy machine.
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=30_000)
    assert page.locator(".swagger-ui .opblock").count() > 3


@pytest.mark.skipif(
    os.environ.get("GOROD_SCREENSHOTS") != "1", reason="screenshots only with GOROD_SCREENSHOTS=1"
)
def test_screenshots_desktop_and_mobile(live_server, new_context, screenshot):
    """The gallery to look at after a design change; every page is scanned by axe too."""
    person = PersonFactory()
    pages = [
        ("home", "/"),
        ("search", "/search?q=счетчики+воды"),
        ("search-nothing", "/search?q=йцукенгшщ"),
        ("service", "/services/meter-readings/"),
        ("category", "/categories/health/"),
        ("login", "/accounts/login/"),
        ("password-reset", "/accounts/password/reset/"),
        ("not-found", "/no-such-page/"),
    ]
    for viewport_name, viewport in (("desktop", DESKTOP), ("mobile", MOBILE)):
        page = new_context(viewport=viewport).new_page()
        page.console_errors = []
        for name, path in pages:
            page.goto(live_server.url + path)
            screenshot(page, f"{viewport_name}-{name}")
            assert_accessible(page, f"{name} ({viewport_name})")
        page.goto(f"{live_server.url}/accounts/signup/")
        submit(page, page.locator("main form button[type=submit]"))
        screenshot(page, f"{viewport_name}-signup-errors")
        page.goto(f"{live_server.url}/accounts/login/")
        sign_in(page, login=person.user.email, password=TEST_PASSWORD)
        screenshot(page, f"{viewport_name}-cabinet")
        assert_accessible(page, f"cabinet ({viewport_name})")
        page.goto(f"{live_server.url}/accounts/profile/")
        tokens = page.locator("main form").filter(has_text="Название токена")
        tokens.get_by_label("Название токена").fill(f"Сервер {viewport_name}")
        submit(page, tokens.get_by_role("button", name="Создать токен"))
        screenshot(page, f"{viewport_name}-profile")
        assert_accessible(page, f"profile ({viewport_name})")
        page.goto(f"{live_server.url}/accounts/children/add/")
        screenshot(page, f"{viewport_name}-child-add")
        assert_accessible(page, f"child add ({viewport_name})")
        page.context.close()
    page = new_context().new_page()
    page.goto(f"{live_server.url}/api/v1/docs", wait_until="networkidle")
    screenshot(page, "desktop-api-docs")


def test_a_busy_cabinet_fits_a_phone_and_reads_in_words(
    live_server, new_context, screenshot, time_machine
):
    """Issue 13, item 17: the cabinet overflowed a 390 px screen and showed audit codes.

    A citizen with an appointment, long notifications and a history of actions: at both
    widths nothing is wider than the screen and axe finds nothing serious."""
    time_machine.move_to(datetime(2026, 11, 25, 9, 0, tzinfo=MOSCOW))
    ensure_specialties()
    person = PersonFactory()
    appointment = AppointmentFactory(
        person=person, slot__start=datetime(2026, 11, 26, 10, tzinfo=MOSCOW)
    )
    for action in ("health.appointment_book", "housing.readings_submit", "user.logged_in"):
        audit_record(actor=person.user, action=action, target=appointment)
    Message.objects.create(
        person=person,
        topic="health.appointment_reminder",
        key="reminder:1",
        subject="Напоминание: завтра приём у врача «Оториноларинголог (ЛОР)» в 10:00",
        body="Государственное бюджетное учреждение здравоохранения города Москвы «Городская "
        "поликлиника № 220 Департамента здравоохранения города Москвы», филиал № 3: "
        "https://gorod.example/health/appointments/1234567890/calendar.ics",
        link=f"/health/appointments/{appointment.pk}/",
    )
    for viewport_name, viewport in (("desktop", DESKTOP), ("mobile", MOBILE)):
        page = new_context(viewport=viewport).new_page()
        page.console_errors = []
        page.goto(f"{live_server.url}/accounts/login/")
        sign_in(page, login=person.user.email, password=TEST_PASSWORD)
        page.goto(f"{live_server.url}/cabinet/")
        main = page.locator("main").inner_text()
        assert "Запись к врачу" in main
        assert "health.appointment_book" not in main
        assert "Приём показаний открыт до 3 декабря включительно." in main
        assert "1 новое" in main
        page.locator("main").get_by_role("link", name="Участковый терапевт").wait_for()
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        screenshot(page, f"{viewport_name}-cabinet-busy")
        wide = page.evaluate(
            """() => [...document.querySelectorAll("main *")]
                .filter((node) => node.getBoundingClientRect().right
                    > document.documentElement.clientWidth)
                .map((node) => node.tagName + "." + node.className).slice(0, 8)"""
        )
        assert overflow <= 0, f"{overflow} px wider than a {viewport_name} screen: {wide}"
        assert_accessible(page, f"busy cabinet ({viewport_name})")
        page.context.close()
