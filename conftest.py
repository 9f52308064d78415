import pytest
from django.conf import settings
from django.utils import translation

# The browser fixtures (Debian's chromium through Playwright, a live server with the demo
# data) serve the browser tests of every app.
pytest_plugins = ["villagehub.core.tests.browser_fixtures"]


def pytest_configure(config):
    """Tests hash passwords with a fast hasher: the real one is slow on purpose, and tests that
    sign people up or in would spend most of their time in it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    """Browser tests form one group: run in parallel (`make test`: pytest-xdist with
    `--dist loadgroup`), they all go to the same worker, one after another, sharing its browser
    and live server, while the other workers take the rest of the suite."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run when enqueued (after the commit), so tests see their effects;
    tests of the worker itself switch to the database backend."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.HUB_URL = "https://hub.example.org"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and kept pages live in caches: every test starts with none."""
    from django.core.cache import caches

    for alias in ("default", "pages"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _interface_language_reset():
    """A request to /sv/... leaves Swedish active in the thread; the next test starts in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
