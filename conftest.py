import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _interface_language_reset():
    """A request to /sv/... leaves Swedish active in the thread; the next test starts in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
