"""Browser fixtures: Debian's Chromium driven by Playwright's sync API.

Playwright never downloads a browser here: we launch the system Chromium. Without it the
browser tests are skipped locally with a clear reason, and fail in CI (CI=true), where
a skipped accessibility check would pass silently.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
SCREENSHOTS_DIR = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"


def chromium_path() -> str | None:
    """Debian's Chromium, or the one GOROD_CHROMIUM names; None when there is none."""
    if explicit := os.environ.get("GOROD_CHROMIUM"):
        return explicit if Path(explicit).is_file() else None
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None
    )


@pytest.fixture(scope="session")
def _async_unsafe_allowed():
    """Let the ORM run in the test thread while Playwright's sync API is active.

    Playwright's sync API keeps an asyncio event loop running in this thread (it switches
    to it through greenlets), so Django sees a running loop and refuses ORM calls with
    SynchronousOnlyOperation, although nothing here is concurrent: fixtures and
    assertions run strictly between browser calls. The live server answers from its own
    thread, which has no loop and is not affected. Only the browser tests set this.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(_async_unsafe_allowed):
    executable = chromium_path()
    if executable is None:
        message = "Chromium is not installed (apt-get install chromium, or set GOROD_CHROMIUM)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; browser tests are required in CI", pytrace=False)
        pytest.skip(message)
    # Imported here so that the rest of the suite does not need Playwright.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """A factory of fresh browser contexts (own cookies), closed after the test."""
    contexts = []

    def make(**options):
        # Russian is the portal's default; the browser asks for it like a Moscow citizen's.
        options.setdefault("locale", "ru-RU")
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh context that records console errors (CSP reports land there)."""
    page = new_context().new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    return page


@pytest.fixture
def screenshot():
    """Save a full-page screenshot when GOROD_SCREENSHOTS=1; otherwise do nothing."""
    enabled = os.environ.get("GOROD_SCREENSHOTS") == "1"

    def take(page, name: str) -> None:
        if not enabled:
            return
        SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
        # caret="initial": hiding the caret takes an inline style, which our CSP refuses
        # (and the refusal would read as the page's own in a later CSP check).
        page.screenshot(path=str(SCREENSHOTS_DIR / f"{name}.png"), full_page=True, caret="initial")

    take.enabled = enabled
    return take


def both_widths(page, screenshot, name: str) -> None:
    """A screenshot of the page as a desktop and as a phone shows it (when screenshots are on)."""
    screenshot(page, f"{name}-desktop")
    if screenshot.enabled:
        page.set_viewport_size(MOBILE)
        screenshot(page, f"{name}-mobile")
        page.set_viewport_size(DESKTOP)
