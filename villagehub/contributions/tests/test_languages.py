"""A decision on a request and an invitation reach their reader in the language that person
chose for their account (`accounts.Profile`), not in the one the request or the invitation
was written in; a newcomer without an account reads the invitation in the language of the
page it was sent from."""

from email import message_from_bytes
from email.policy import default as email_policy

import pytest
from django.core import mail

from villagehub.accounts.services import account_language_set
from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.contributions.models import Invitation, RoleRequest

pytestmark = pytest.mark.django_db

HUB = "https://hub.example.org"


def _parsed(to):
    """The message sent to this address as a mail client reads it: subject, text, HTML."""
    (sent,) = [m for m in mail.outbox if m.to == [to]]
    parsed = message_from_bytes(sent.message().as_bytes(), policy=email_policy)
    text = parsed.get_body(preferencelist=("plain",)).get_content().strip()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    # Python folds a long first encoded word onto a line of its own; clients drop the blank.
    return str(parsed["Subject"]).strip(), text, html


def test_role_request_decisions_are_written_in_each_requesters_chosen_language(
    client, world, django_capture_on_commit_callbacks
):
    town = world["town_a"]
    swede, latvian = person("astrid"), person("ilze")
    account_language_set(user=swede, language="sv")
    account_language_set(user=latvian, language="lv")
    # Both ask from the English pages: the request is written in English.
    for user in (swede, latvian):
        client.force_login(user)
        client.post(f"/contribute/communities/{town.slug}/request/", {"message": "Hello"})
    assert set(RoleRequest.objects.values_list("language", flat=True)) == {"en"}

    sign_in(client, world["coordinator_a"])
    with django_capture_on_commit_callbacks(execute=True):
        for user, action in ((swede, "approve"), (latvian, "decline")):
            request = RoleRequest.objects.get(user=user)
            client.post(f"/contribute/requests/{request.pk}/", {"action": action})

    subject, text, html = _parsed(swede.email)
    assert subject == f"Du kan nu redigera {town.name}"
    assert text == (
        f"Din förfrågan har godkänts: du kan nu föreslå goda exempel för {town.name}.\n\n"
        f"{HUB}/sv/contribute/"
    )
    assert f'<a href="{HUB}/sv/contribute/"' in html

    subject, text, html = _parsed(latvian.email)
    assert subject == f"Jūsu pieprasījums rediģēt kopienu {town.name}"
    assert text == (
        f"Koordinatori ir noraidījuši jūsu pieprasījumu rediģēt kopienu {town.name}.\n\n"
        f"{HUB}/lv/contribute/"
    )
    assert f'<a href="{HUB}/lv/contribute/"' in html


def test_an_invitation_reaches_an_account_holder_in_their_language_and_a_newcomer_in_the_pages(
    client, world, django_capture_on_commit_callbacks
):
    town = world["town_a"]
    latvian = person("ilze")
    latvian.emailaddress_set.create(email="ilze@example.org", verified=True)
    account_language_set(user=latvian, language="lv")
    # An address someone typed into a new account without proving it is not theirs to speak for.
    squatter = person("squatter")
    squatter.emailaddress_set.create(email="new@example.org", verified=False)
    account_language_set(user=squatter, language="lv")

    sign_in(client, world["coordinator_a"])
    with django_capture_on_commit_callbacks(execute=True):
        for address in ("Ilze@Example.org", "new@example.org"):
            client.post("/sv/contribute/invitations/", {"email": address, "community": town.pk})
    assert set(Invitation.objects.values_list("language", flat=True)) == {"sv"}

    subject, text, html = _parsed("ilze@example.org")
    assert subject == f"Uzaicinājums rediģēt kopienu {town.name}"
    intro, link = text.split("\n\n")
    assert intro == (
        f"Village Hub koordinatori aicina jūs ierosināt kopienas {town.name} prakses. Atveriet "
        "šo saiti, piesakieties vai izveidojiet kontu ar šo e-pasta adresi un pieņemiet "
        "uzaicinājumu:"
    )
    assert link.startswith(f"{HUB}/lv/contribute/") and f'href="{link}"' in html

    subject, text, html = _parsed("new@example.org")
    assert subject == f"Du är inbjuden att redigera {town.name}"
    intro, link = text.split("\n\n")
    assert intro.startswith("Samordnarna för Village Hub bjuder in dig")
    assert link.startswith(f"{HUB}/sv/contribute/") and f'href="{link}"' in html
