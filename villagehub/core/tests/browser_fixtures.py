"""Fixtures for the browser tests: Debian's chromium driven through Playwright.

One browser serves the whole session; every test gets a fresh context, so cookies and the
language chosen in one test never leak into the next. Requests to anything but the live
server are aborted, so no browser test touches the internet.
"""

import io
import os
import shutil
from importlib import import_module
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command

from villagehub.search.analysis import query_groups

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEBIAN_CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium") or (DEBIAN_CHROMIUM if Path(DEBIAN_CHROMIUM).exists() else None)
    if path:
        return path
    if os.environ.get("VILLAGEHUB_REQUIRE_BROWSER") == "1":
        pytest.fail(
            "VILLAGEHUB_REQUIRE_BROWSER=1 but Debian's chromium is not installed "
            "(no `chromium` on PATH, nothing at /usr/bin/chromium): apt-get install chromium",
            pytrace=False,
        )
    pytest.skip("Debian's chromium is not installed: apt-get install chromium")


@pytest.fixture(scope="session")
def playwright(chromium_path):
    """Playwright's synchronous API keeps an asyncio loop running in the test thread, which
    Django takes for an async context; the ORM calls made by the tests (loading the demo
    data, flushing the database) are synchronous, so its guard is lifted while it runs."""
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as driver:
            yield driver


@pytest.fixture(scope="session")
def browser(playwright, chromium_path):
    browser = playwright.chromium.launch(
        executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def demo_data(transactional_db):
    """The demo data, loaded again for every test.

    The live server needs a transactional database, which is flushed after each test and
    with it the vocabulary the taxonomy migration loads (goals, themes, funding sources),
    so that is loaded again first. A serialized rollback would restore it too, but Django
    keeps the serialized copy on a connection object that Playwright's event loop hides
    from the test once the database was set up before the browser started.
    """
    vocabulary = import_module(
        "villagehub.taxonomy.migrations.0002_goals_themes_and_funding_sources"
    )
    vocabulary.load(apps, schema_editor=None)
    call_command("demo", no_migrate=True, stdout=io.StringIO())


@pytest.fixture
def site(live_server, demo_data):
    """The base URL of a live server that serves the demo data."""
    # As gunicorn does before forking (gunicorn_conf.when_ready): the first search would
    # otherwise load the lemmatiser's dictionaries (seconds) within a page's time-out. Once
    # per process; the live server's thread shares them.
    query_groups("village")
    return live_server.url


@pytest.fixture
def javascript():
    """Whether the page runs JavaScript; journeys parametrize it to run both ways."""
    return True


@pytest.fixture
def context(browser, site, javascript):
    context = browser.new_context(
        base_url=site,
        java_script_enabled=javascript,
        locale="en-GB",
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(5_000)
    origin = urlsplit(site)[:2]
    blocked = []

    def only_the_live_server(route):
        if urlsplit(route.request.url)[:2] == origin:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_live_server)
    yield context
    context.close()
    assert not blocked, f"The pages asked for resources outside the hub: {blocked}"


@pytest.fixture
def page(context):
    return context.new_page()
