"""Each person hears of what waits for them in their own language: the notice's text, the
e-mail at once or in the daily summary (subject, both parts, links under the language's
prefix), and the inbox."""

from email import message_from_bytes
from email.policy import default as email_policy

import pytest
from django.core import mail

from villagehub.accounts.services import account_language_set
from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.contact.services import contact_message_create
from villagehub.news.tests.factories import network_with_community
from villagehub.notices.models import Notice
from villagehub.notices.services import notice_preferences_set
from villagehub.notices.tasks import notices_daily_summary

pytestmark = pytest.mark.django_db

HUB = "https://hub.example.org"


@pytest.fixture
def world():
    network, town = network_with_community()
    town.country = "SE"
    town.save()
    swede = person("astrid", coordinator=network)
    latvian = person("ilze", coordinator=network)
    account_language_set(user=swede, language="sv")
    account_language_set(user=latvian, language="lv")
    return {"network": network, "swede": swede, "latvian": latvian}


def _contact(country="SE"):
    return contact_message_create(
        name="Aino",
        email="aino@example.org",
        body="Can our village join?",
        language="fi",
        consent=True,
        country=country,
    )


def _parsed(to):
    """The message sent to this address as a mail client reads it: subject, text, HTML."""
    (sent,) = [m for m in mail.outbox if m.to == [to]]
    parsed = message_from_bytes(sent.message().as_bytes(), policy=email_policy)
    # The template's last line break and the part's own: compared without them.
    text = parsed.get_body(preferencelist=("plain",)).get_content().rstrip("\n")
    html = parsed.get_body(preferencelist=("html",)).get_content()
    return str(parsed["Subject"]), text, html


SWEDISH = {
    "subject": "Village Hub: {n} väntar på dig",
    "intro": "I Village Hub väntar detta på dig:",
    "item": "Ett meddelande via kontaktformuläret: "
    "Ett meddelande via kontaktformuläret för Sverige",
    "choose": "Välj hur du får veta det, per typ:",
    "prefix": "/sv",
}
LATVIAN = {
    "subject": "Village Hub: jūs gaida {n}",
    "intro": "Village Hub jūs gaida:",
    "item": "Ziņojums, izmantojot saziņas veidlapu: "
    "Ziņojums, izmantojot saziņas veidlapu: Zviedrija",
    "choose": "Izvēlieties, kā jūs informēt, katram veidam:",
    "prefix": "/lv",
}


def test_two_coordinators_hear_of_the_same_message_each_in_their_language(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = _contact()
    stored = dict(Notice.objects.values_list("user__username", "subject"))
    assert stored == {
        "astrid": "Ett meddelande via kontaktformuläret för Sverige",
        "ilze": "Ziņojums, izmantojot saziņas veidlapu: Zviedrija",
    }
    assert len(mail.outbox) == 2
    for user, words, count in (
        (world["swede"], SWEDISH, "1 sak"),
        (world["latvian"], LATVIAN, "1 lieta"),
    ):
        subject, text, html = _parsed(user.email)
        link = f"{HUB}{words['prefix']}/contact/messages/{message.pk}/"
        inbox = f"{HUB}{words['prefix']}/contribute/notices/"
        assert subject == words["subject"].format(n=count)
        assert text == (
            f"{words['intro']}\n\n* {words['item']}\n  {link}\n\n{words['choose']} {inbox}"
        )
        assert f"<p>{words['intro']}</p>" in html
        assert f'<a href="{link}" style="color:#0b5394;">' in html
        assert f'{words["choose"]} <a href="{inbox}"' in html
        assert "/contact/messages/" not in html.replace(link, "")


def test_the_daily_summary_is_written_in_each_readers_language(
    world, django_capture_on_commit_callbacks
):
    for user in (world["swede"], world["latvian"]):
        notice_preferences_set(user=user, frequencies={"contact": "daily"})
    with django_capture_on_commit_callbacks(execute=True):
        first, second = _contact(), _contact()
    assert mail.outbox == []
    assert notices_daily_summary.call() == 2
    for user, words, count in (
        (world["swede"], SWEDISH, "2 saker"),
        (world["latvian"], LATVIAN, "2 lietas"),
    ):
        subject, text, html = _parsed(user.email)
        links = [f"{HUB}{words['prefix']}/contact/messages/{m.pk}/" for m in (second, first)]
        assert subject == words["subject"].format(n=count)
        assert text == (
            f"{words['intro']}\n\n"
            f"* {words['item']}\n  {links[0]}\n\n* {words['item']}\n  {links[1]}\n\n"
            f"{words['choose']} {HUB}{words['prefix']}/contribute/notices/"
        )
        assert [f'<a href="{link}"' in html for link in links] == [True, True]


def test_the_summary_follows_a_language_changed_after_the_notice(
    world, django_capture_on_commit_callbacks
):
    notice_preferences_set(user=world["swede"], frequencies={"contact": "daily"})
    with django_capture_on_commit_callbacks(execute=True):
        message = _contact()
    account_language_set(user=world["swede"], language="en")
    mail.outbox.clear()
    notices_daily_summary.call()
    subject, text, _html = _parsed(world["swede"].email)
    assert subject == "Village Hub: 1 thing waits for you"
    assert f"{HUB}/contact/messages/{message.pk}/\n" in text
    assert "In Village Hub, this waits for you:" in text


def test_without_a_chosen_language_a_notice_is_in_the_hubs(
    world, django_capture_on_commit_callbacks
):
    stranger = person("stranger", coordinator=world["network"])
    with django_capture_on_commit_callbacks(execute=True):
        _contact()
    assert Notice.objects.get(user=stranger).language == "en"
    subject, text, _html = _parsed(stranger.email)
    assert subject == "Village Hub: 1 thing waits for you"
    assert "A message through the contact form of Sweden" in text


def test_the_inbox_links_to_the_pages_in_the_language_it_is_read_in(client, world):
    message = _contact()
    sign_in(client, world["latvian"])
    page = client.get("/lv/contribute/notices/").content.decode()
    assert (
        f'<a href="/lv/contact/messages/{message.pk}/">'
        "Ziņojums, izmantojot saziņas veidlapu: Zviedrija</a>"
    ) in page
    english = client.get("/contribute/notices/").content.decode()
    assert f'<a href="/contact/messages/{message.pk}/">' in english
