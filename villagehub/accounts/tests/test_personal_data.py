import json
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.utils import timezone

from villagehub.accounts import overview, services
from villagehub.accounts.models import Role
from villagehub.accounts.tests.helpers import sign_in
from villagehub.communities.tests.factories import NetworkFactory
from villagehub.core.models import OutboxMessage, Revision
from villagehub.events import services as event_services
from villagehub.events.models import Event, Feedback, Registration
from villagehub.events.selectors import feedback_summary
from villagehub.events.tests.factories import event_hold, event_make, register

pytestmark = pytest.mark.django_db

NAME, EMAIL = "Aino Unforgettable", "aino.unforgettable@example.org"


def _as_text(value) -> str:
    if isinstance(value, memoryview | bytes):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    if "\\u" in text:  # JSON kept as text with its non-ASCII letters escaped
        text += " " + text.encode("ascii", "backslashreplace").decode("unicode_escape")
    return text


def columns_naming(*traces: str) -> list[str]:
    """Every column of every table (read generically, so that a new table is covered
    without changing this test) that holds one of these words, in any case:
    "table.column: word"."""
    found = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = _as_text(value).casefold()
                    found |= {f"{table}.{column}: {t}" for t in traces if t.casefold() in text}
    return sorted(found)


def everything_in_the_database() -> str:
    """The text of every row of every table."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            parts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(parts)


@pytest.fixture
def aino(settings, django_capture_on_commit_callbacks):
    """A person with an account, a role, a submitted community proposal, two registrations
    (one for a café that took place, attended, with feedback; one holding the last place of
    a café still to come, with someone waiting), the e-mail the hub sent them (kept in the
    development outbox), and the traces the back office and the hub's logs keep of them."""
    settings.EMAIL_BACKEND = "villagehub.core.mail.OutboxBackend"
    user = User.objects.create_user("aino", email=EMAIL, password="a long password 42")
    user.first_name, user.last_name = NAME.split()
    user.save()
    user.emailaddress_set.create(email=EMAIL, verified=True, primary=True)
    network = NetworkFactory()
    services.role_grant(user=user, kind=Role.Kind.COORDINATOR, target=network)
    from villagehub.communities.tests.factories import CommunityFactory
    from villagehub.contributions.models import Invitation, Submission

    community = CommunityFactory()
    Invitation.objects.create(email=EMAIL, community=community)
    Submission.objects.create(
        author=user,
        kind=Submission.Kind.NEW_COMMUNITY,
        status=Submission.Status.SUBMITTED,
        network=network,
        data={"name": "Raudanmaa", "description": f"Proposed by {NAME} ({EMAIL})."},
    )
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = register(event_make(title="Café one"), 1, name=NAME, email=EMAIL,
                            organisation="Unforgettable Cooperative")  # fmt: skip
        two = event_make(title="Café two", capacity=1)
        register(two, 2, name=NAME, email=EMAIL)
        register(two, "waiting")
    event_hold(Event.objects.get(title="Café one"))
    event_services.attendance_set(registration=first, attended=True)
    event_services.feedback_create(
        registration=first,
        would_attend_again=True,
        recommend=10,
        satisfaction=5,
        most_useful=f"Meeting people; signed {NAME}",
    )
    # The back office's change log: about her account, her registration, in free text.
    officer = User.objects.create_user("officer", email="officer@example.org")
    for obj, message in [
        (user, '[{"changed": {"fields": ["First name"]}}]'),
        (first, ""),
        (community, f"Wrote to {EMAIL} about {NAME}"),
    ]:
        LogEntry.objects.create(
            user=officer,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            action_flag=CHANGE,
            change_message=message,
        )
    # A record's history: an earlier text that named her.
    Revision.objects.create(
        content_type=ContentType.objects.get_for_model(community),
        object_id=str(community.pk),
        via="back office",
        changes={"description": [f"Contact: {NAME}, {EMAIL}", "Contact the town hall."]},
    )
    OutboxMessage.objects.create(
        to="organiser@example.org", subject="New registration", body=f"{NAME} registered."
    )
    # A comment she wrote, answered by someone who names her; one she reported; a message
    # she sent through a network's contact form.
    from villagehub.comments.services import comment_create, comment_report
    from villagehub.contact.services import contact_message_create
    from villagehub.news.tests.factories import NewsItemFactory

    news = NewsItemFactory(network=network)
    mine = comment_create(item=news, author=user, body=f"Signed {NAME}", language="fi")
    comment_create(item=news, author=officer, body="Thank you, Aino!", language="en", parent=mine)
    theirs = comment_create(item=news, author=officer, body="A question", language="en")
    comment_report(comment=theirs, by=user, reason=f"{NAME} finds it off topic")
    contact_message_create(
        network=network, name=NAME, email=EMAIL, body="Count me in.", language="fi", consent=True
    )
    return user


def test_export_holds_everything_about_the_person(aino):
    data = overview.person_data(email=EMAIL, user=aino)
    assert data["account"]["email"] == EMAIL
    assert data["account"]["roles"][0].startswith("Coordinator of a network")
    assert [r["event"] for r in data["event_registrations"]] == ["Café one", "Café two"]
    first = data["event_registrations"][0]
    assert first["organisation"] == "Unforgettable Cooperative"
    assert first["privacy_notice_version"] == "2026-11-23"
    assert first["feedback"]["recommend"] == 10
    assert [e["kind"] for e in first["emails_sent"]] == ["confirmation"]
    assert len(data["emails_in_outbox"]) == 2
    assert [i["email"] for i in data["invitations"]] == [EMAIL]
    assert [c["text"] for c in data["comments"]] == [f"Signed {NAME}"]
    assert [r["reason"] for r in data["comment_reports"]] == [f"{NAME} finds it off topic"]
    assert [(m["name"], m["message"]) for m in data["contact_messages"]] == [(NAME, "Count me in.")]
    json.dumps(data)  # machine-readable as it is


def test_my_data_download_and_delete_through_the_pages(client, aino):
    client.post("/accounts/login/", {"login": EMAIL, "password": "a long password 42"})
    download = client.get("/accounts/my-data/download.json")
    assert download["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert json.loads(download.content)["account"]["email"] == EMAIL
    # Deleting asks for the password again first.
    asked = client.post("/accounts/my-data/delete/", {"confirm": "on"})
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    assert User.objects.filter(pk=aino.pk).exists()
    client.post("/accounts/reauthenticate/", {"password": "a long password 42"})
    refused = client.post("/accounts/my-data/delete/", {})
    assert refused.status_code == 400
    assert User.objects.filter(pk=aino.pk).exists()
    client.post("/accounts/my-data/delete/", {"confirm": "on"})
    assert not User.objects.filter(pk=aino.pk).exists()
    assert "_auth_user_id" not in client.session


def test_erasure_leaves_no_trace_of_the_person_but_keeps_the_totals(
    aino, django_capture_on_commit_callbacks
):
    event = Event.objects.get(title="Café one")
    before = feedback_summary(Event.objects.filter(pk=event.pk))
    traces = [EMAIL, NAME, "Unforgettable", "aino@", "Aino"]
    found = {column.split(".")[0] for column in columns_naming(*traces)}
    # The test sees every kind of trace the fixture left.
    assert {
        "auth_user", "account_emailaddress", "contributions_invitation",
        "contributions_submission", "core_outboxmessage", "core_revision", "django_admin_log",
        "events_feedback", "events_registration", "comments_comment", "comments_commentreport",
        "contact_contactmessage",
    } <= found  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        erased = services.person_erase(email=EMAIL, user=aino)

    assert erased == 2
    assert columns_naming(*traces) == []
    for trace in traces:
        assert trace not in everything_in_the_database(), trace
    # The totals stay: attendance and the survey of the café that took place.
    assert feedback_summary(Event.objects.filter(pk=event.pk)) == before
    assert Registration.objects.filter(event=event, attended=True).count() == 1
    assert Registration.objects.get(event=event, attended=True).status == "confirmed"
    assert Feedback.objects.get().registration is None
    # The place she held at the café to come goes to the person waiting, who is told.
    two = Event.objects.get(title="Café two")
    assert sorted(two.registrations.values_list("name", "status")) == [
        ("Person waiting", "confirmed"),
        ("—", "cancelled"),
    ]
    assert list(OutboxMessage.objects.order_by("pk").values_list("to", "subject")) == [
        ("personwaiting@example.org", "You are on the waiting list: Café two"),
        ("personwaiting@example.org", "A place is yours: Café two"),
    ]
    # The logs keep their rows, without her.
    assert LogEntry.objects.count() == 3
    assert LogEntry.objects.get(change_message__startswith="Wrote").change_message == (
        "Wrote to — about —"
    )
    assert Revision.objects.get().changes == {
        "description": ["Contact: —, —", "Contact the town hall."]
    }
    # Her comment is gone; the reply to it stays, in a thread whose first place is empty.
    from villagehub.comments.models import Comment

    assert sorted(Comment.objects.values_list("body", "author__username")) == [
        ("", None), ("A question", "officer"), ("Thank you, —!", "officer")
    ]  # fmt: skip


def test_coordinator_exports_and_erases_a_person_without_account(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    register(event_make(), 1, name=NAME, email=EMAIL)
    officer = User.objects.create_user("officer", email="o@example.org", password="x" * 20)
    officer.user_permissions.add(Permission.objects.get(codename="change_event"))
    TOTP.activate(officer, generate_totp_secret())
    sign_in(client, officer)
    page = client.get(f"/accounts/people/?email={EMAIL.upper()}")
    assert "Has no account." in page.content.decode()
    download = client.post("/accounts/people/", {"email": EMAIL, "action": "download"})
    assert json.loads(download.content)["event_registrations"][0]["name"] == NAME
    client.post("/accounts/people/", {"email": EMAIL, "action": "erase"})
    assert not Registration.objects.filter(email=EMAIL).exists()
    assert EMAIL not in everything_in_the_database()


def test_people_page_is_for_data_officers_with_two_factor(client):
    user = User.objects.create_user("someone", email="s@example.org", password="x" * 20)
    client.force_login(user)
    assert "/accounts/2fa/totp/activate" in client.get("/accounts/people/")["Location"]
    TOTP.activate(user, generate_totp_secret())
    assert client.get("/accounts/people/")["Location"] == (
        "/accounts/2fa/reauthenticate/?next=/accounts/people/"
    )
    sign_in(client, user)
    assert client.get("/accounts/people/").status_code == 403


def test_retention_anonymises_registrations_of_old_events_only(settings):
    long_ago = timezone.now() - timedelta(days=800)
    old = event_make(title="Old café")
    recent = event_make(title="Recent café")
    register(old, 1, name=NAME, email=EMAIL)
    register(recent, 2)
    Event.objects.filter(pk=old.pk).update(starts_at=long_ago, ends_at=long_ago)
    assert event_services.registrations_anonymise_expired(months=24) == 1
    assert event_services.registrations_anonymise_expired(months=24) == 0
    assert Registration.objects.get(event=old).name == "—"
    assert Registration.objects.get(event=recent).name == "Person 2"


def test_retention_task_runs_and_queues_its_next_run(settings):
    from django_tasks_db.models import DBTaskResult

    from villagehub.events.tasks import registrations_retention_run

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert registrations_retention_run.call() == 0
    (next_run,) = DBTaskResult.objects.filter(task_path__endswith="registrations_retention_run")
    assert next_run.run_after > timezone.now() + timedelta(hours=23)
    assert mail.outbox == []
