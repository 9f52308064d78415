"""A practice told as a case study, in a real browser: every part fits a phone and a desktop
in the languages with the longest words, and axe finds nothing."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from villagehub.core.tests.browser import (
    AXE_OPTIONS,
    described_violations,
)
from villagehub.core.tests.test_browser import OVERFLOWING
from villagehub.practices.models import Practice
from villagehub.practices.services import practice_update
from villagehub.taxonomy.models import FundingSource

pytestmark = pytest.mark.browser


def test_a_case_study_fits_every_width_and_passes_axe(page, site):
    practice = Practice.objects.get(slug="torup-ting")
    practice_update(
        practice=practice,
        challenge="Few villagers came to the yearly meeting of the village association.",
        approach="Since 2019 the village meets twice a year at the village hall.",
        involved="The village association, the local school and the municipality.",
        results="Around 120 villagers take part in each Ting.",
        lessons="Serve a meal and keep the agenda short.",
        budget_range="under-10k",
        funding_sources=[FundingSource.objects.get(slug="community")],
        volunteers=15,
        contact_role="Chair of the village association",
        contact_email="ting@example.org",
        contact_consent=True,
    )
    problems = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844})
        for prefix in ("", "/lv"):
            page.goto(f"{prefix}/practices/torup-ting/")
            assert page.locator("main h2").count() >= 8
            if overflowing := page.evaluate(OVERFLOWING):
                problems.append(f"{prefix} at {width}: {overflowing}")
            if page.evaluate("document.documentElement.scrollWidth") > width:
                problems.append(f"{prefix} at {width}: the page scrolls sideways")
            results = Axe().run(page, options=AXE_OPTIONS)
            if results.violations_count:
                problems.append(
                    f"{prefix} at {width}:\n" + described_violations(results.response["violations"])
                )
    assert not problems, "\n".join(problems)
