from datetime import timedelta
from email import message_from_bytes

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from villagehub.accounts.services import account_language_set
from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.contact import services
from villagehub.contact.models import ContactMessage, ContactReply
from villagehub.contact.tasks import contact_reply_mail, contact_retention_run
from villagehub.news.tests.factories import network_with_community
from villagehub.notices.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.HUB_NAME = "Smart Villages Hub"
    cache.clear()
    network, town = network_with_community()
    town.country = "LV"
    town.save()
    other, _ = network_with_community()
    return {
        "network": network,
        "other": other,
        "coordinator": person("coordinator", coordinator=network),
        "stranger": person("stranger", coordinator=other),
    }


FORM = {
    "name": "Ilze Bērziņa",
    "email": "Ilze@Example.LV",
    "body": "We would like to join the network.",
    "consent": "on",
}


def test_a_visitor_writes_to_a_network_and_its_coordinators_are_told(
    client, world, django_capture_on_commit_callbacks
):
    page = client.get(world["network"].get_absolute_url()).content.decode()
    assert "Want to get involved? Contact us" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/contact/network/{world['network'].slug}/", FORM)
    assert "The coordinators of" in response.content.decode()
    message = ContactMessage.objects.get()
    assert (message.name, message.email, message.network) == (
        "Ilze Bērziņa", "ilze@example.lv", world["network"]
    )  # fmt: skip
    assert message.consent_at is not None and message.consent_notice_version
    (notice,) = Notice.objects.all()
    assert notice.user == world["coordinator"]
    assert notice.kind == "contact"
    assert notice.path == f"/contact/messages/{message.pk}/"
    # The notice names the page, not the sender (notices are not erased with her).
    assert "Ilze" not in notice.subject and world["network"].name in notice.subject
    (email,) = mail.outbox
    assert email.to == ["coordinator@example.org"]
    assert "Smart Villages Hub" in email.subject
    assert f"/contact/messages/{message.pk}/" in email.body


def test_a_country_page_reaches_the_networks_with_communities_there(
    client, world, django_capture_on_commit_callbacks
):
    assert "Contact us" in client.get("/countries/lv/").content.decode()
    assert "Contact us" not in client.get("/countries/ee/").content.decode()
    assert client.get("/contact/country/ee/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/contact/country/lv/", FORM)
    assert ContactMessage.objects.get().country == "LV"
    assert [n.user for n in Notice.objects.all()] == [world["coordinator"]]


def test_without_consent_nothing_is_kept_and_the_text_stays(client, world):
    response = client.post(f"/contact/network/{world['network'].slug}/", {**FORM, "consent": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Agree that the hub keeps your message" in page
    assert "We would like to join the network." in page
    assert not ContactMessage.objects.exists()


def test_the_contact_form_is_rate_limited(client, world, settings):
    url = f"/contact/network/{world['network'].slug}/"
    for _n in range(settings.CONTACT_RATE_LIMIT):
        assert client.post(url, FORM).status_code == 200
    assert client.post(url, FORM).status_code == 429
    assert ContactMessage.objects.count() == settings.CONTACT_RATE_LIMIT


def _message(world):
    return services.contact_message_create(
        network=world["network"], language="lv", consent=True, **{
            k: v for k, v in FORM.items() if k != "consent"
        }
    )  # fmt: skip


def test_a_coordinator_replies_and_the_sender_gets_it_by_email(
    client, world, django_capture_on_commit_callbacks
):
    message = _message(world)
    mail.outbox.clear()
    sign_in(client, world["coordinator"])
    page = client.get(f"/contact/messages/{message.pk}/").content.decode()
    assert "We would like to join the network." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/contact/messages/{message.pk}/", {"body": "Welcome! Let us meet on Monday."}
        )
    assert response.status_code == 302
    (email,) = mail.outbox
    assert email.to == ["ilze@example.lv"]
    assert email.extra_headers["Reply-To"] == "coordinator@example.org"
    parsed = message_from_bytes(email.message().as_bytes())
    text, html = (part.get_payload(decode=True).decode() for part in parsed.walk()
                  if part.get_content_type() in ("text/plain", "text/html"))  # fmt: skip
    # In the sender's language (Latvian), naming the hub and the network.
    assert email.subject == f"Smart Villages Hub: atbilde no {world['network'].name}"
    assert "Welcome! Let us meet on Monday." in text and "Welcome! Let us meet on Monday." in html
    assert "We would like to join the network." in text
    assert "Smart Villages Hub" in text
    reply = ContactReply.objects.get()
    assert reply.emailed_at is not None
    # A second run of the task mails nothing.
    assert contact_reply_mail.call(reply.pk) is False
    assert len(mail.outbox) == 1


def test_a_sender_with_an_account_gets_the_answer_in_the_language_they_chose(
    client, world, django_capture_on_commit_callbacks
):
    sender = person("ilze")
    sender.emailaddress_set.create(email="ilze@example.lv", verified=True)
    account_language_set(user=sender, language="sv")
    message = _message(world)  # written from a Latvian page
    mail.outbox.clear()
    sign_in(client, world["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/contact/messages/{message.pk}/", {"body": "Welcome!"})
    (email,) = mail.outbox
    assert email.subject == f"Smart Villages Hub: ett svar från {world['network'].name}"


def test_other_coordinators_cannot_read_or_answer(client, world):
    message = _message(world)
    sign_in(client, world["stranger"])
    assert client.get(f"/contact/messages/{message.pk}/").status_code == 404
    assert client.post(f"/contact/messages/{message.pk}/", {"body": "Hi"}).status_code == 404
    assert "Ilze" not in client.get("/contact/messages/").content.decode()
    sign_in(client, person("nobody"))
    assert client.get("/contact/messages/").status_code == 404
    assert not ContactReply.objects.exists()


def test_retention_deletes_old_messages_with_their_replies(world, settings):
    old, recent = _message(world), _message(world)
    services_reply = ContactReply.objects.create(message=old, by=world["coordinator"], body="Hi")
    ContactMessage.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.CONTACT_RETENTION_DAYS + 1)
    )
    assert contact_retention_run.call() == 1
    assert list(ContactMessage.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not ContactReply.objects.filter(pk=services_reply.pk).exists()


def test_retention_task_queues_its_next_run(world, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    contact_retention_run.call()
    (next_run,) = DBTaskResult.objects.filter(task_path__endswith="contact_retention_run")
    assert next_run.run_after > timezone.now() + timedelta(hours=23)


def test_erasing_a_person_by_email_removes_their_messages(world):
    from villagehub.accounts.services import person_erase

    _message(world)
    kept = services.contact_message_create(
        network=world["network"], name="Other", email="other@example.org", body="Hello",
        language="en", consent=True,
    )  # fmt: skip
    person_erase(email="ILZE@example.lv")
    assert list(ContactMessage.objects.all()) == [kept]


def test_a_network_nobody_coordinates_shows_no_form(client, world):
    lonely = CommunityFactory().networks.create(slug="lonely", name="Lonely", kind="national")
    assert "Contact us" not in client.get(lonely.get_absolute_url()).content.decode()
    assert client.get("/contact/network/lonely/").status_code == 404
