"""Steps that the browser journeys of every app share: signing in, signing up, registering
for an event, and the accessibility scan. The fixtures they run in (browser, live server,
demo data, JavaScript on or off) are in `browser_fixtures.py`."""

import re
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from villagehub.accounts.tests.helpers import sign_in

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def signed_in_as(context: BrowserContext, site: str, user) -> None:
    """Give the browser the session of `user` signed in as the hub's login signs in (password
    and, with an authenticator, the second factor): the journeys of signed-in people start
    there, and the sign-in form has journeys of its own."""
    client = Client()
    sign_in(client, user)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": site}])


def signed_up(page: Page, *, email: str, password: str) -> None:
    """Sign up through the form and confirm the address with the link of the e-mail."""
    page.goto("/accounts/signup/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:", exact=True).fill(password)
    page.get_by_label("Password (again):").fill(password)
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Sign Up").click()
    body = str(mail.outbox[-1].body)
    confirm = re.search(r"https?://\S+", body)
    assert confirm, body
    page.goto(urlsplit(confirm.group(0)).path)
    page.get_by_role("button", name="Confirm").click()


def registration_send(page: Page, *, name: str, email: str, consents: tuple[str, ...] = ()) -> None:
    """On an event's registration form: name, e-mail, the consents named by their labels and
    the privacy notice, then Register; the page then says where the link was sent. Other
    questions of the form are answered before."""
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="E-mail").fill(email)
    for consent in consents:
        page.get_by_label(consent).check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"The link to your registration is on its way to {email}."
    )


def described_violations(violations) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(map(str, node["target"]))
            lines.append(f"    at {target}: {node['html'][:120]}")
        lines.append(f"    see {violation['helpUrl']}")
    return "\n".join(lines)


def assert_accessible(page: Page, where: str = "") -> None:
    """Run axe on the page as it is now: no violation of WCAG 2.1 A and AA or of best
    practice."""
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, (
        f"axe found problems on {where or page.url}:\n"
        + described_violations(results.response["violations"])
    )
