"""Chromium (Debian's) driven by Playwright against pytest-django's live server."""

import os
import threading
import time
from pathlib import Path

import factory.random
import pytest

# Playwright's sync API runs an event loop in this thread; the tests still touch the
# database synchronously, which Django would otherwise refuse.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's


def pytest_collection_modifyitems(items):
    """Mark the browser tests; each may run a second time after a failure
    (pytest-rerunfailures, reported as a rerun in the summary): their waits for the
    browser (a 5 s expectation, a layout-shift reading, a 300 ms skeleton) failed now and
    then when the run's two workers and their two browsers shared the 2 cores with other
    work, and passed alone. A test failing twice fails the run."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.flaky(reruns=1))


@pytest.fixture(autouse=True)
def same_names_every_run(request):
    """The factories' invented names are the same on every run of a test: a name that
    happens to contain a button's label ("Rosenda" holds "send", and Playwright matches
    accessible names by substring) fails every time or never, not one run in a hundred."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def requests_finished():
    """After a test (and its browser contexts) ends, wait for the live server's request
    threads to end: a stream left by a closed tab (a chat, a screen pop) notices at its
    next keep-alive, and until then it may hold the shared in-memory SQLite's write lock
    that the next test's fixtures need ("database table is locked")."""
    yield
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if not any("process_request_thread" in t.name for t in threading.enumerate()):
            return
        time.sleep(0.1)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context; every request it makes must stay on our own origin."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    context.close()
    foreign = [url for url in page.requests if not url.startswith(live_server.url)]
    assert not foreign, f"requests to another origin: {foreign}"


@pytest.fixture
def sign_in(page, live_server):
    def sign_in(username: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/customers/")
        return page

    return sign_in


@pytest.fixture
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
