import pytest
from django.core import mail

from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.contributions.services import role_request_create, submission_save
from villagehub.news.tests.factories import network_with_community
from villagehub.notices.models import Kind, Notice, NoticePreference
from villagehub.notices.services import notice_preferences_set, notices_create
from villagehub.notices.tasks import notices_daily_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    network, town = network_with_community()
    other_network, _other_town = network_with_community()
    return {
        "network": network,
        "town": town,
        "coordinator": person("coordinator", coordinator=network),
        "other": person("other", coordinator=other_network),
        "editor": person("editor", community_editor=town),
        "visitor": person("visitor"),
    }


def test_a_request_to_edit_tells_the_networks_coordinators_at_once(
    world, settings, django_capture_on_commit_callbacks
):
    settings.HUB_NAME = "Smart Rural Hub"
    with django_capture_on_commit_callbacks(execute=True):
        role_request_create(user=world["visitor"], community=world["town"])
    (notice,) = Notice.objects.all()
    assert (notice.user, notice.kind, notice.subject, notice.path) == (
        world["coordinator"],
        "role_request",
        world["town"].name,
        "/contribute/",
    )
    (message,) = mail.outbox
    assert message.to == ["coordinator@example.org"]
    assert message.subject == "Smart Rural Hub: 1 thing waits for you"
    assert "In Smart Rural Hub, this waits for you:" in message.body
    assert "https://hub.example.org/contribute/" in message.body
    assert "https://hub.example.org/contribute/notices/" in message.body


def test_a_submitted_practice_is_a_notice_with_the_review_link(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_save(
            author=world["editor"],
            community=world["town"],
            data={"title": "Sauna", "summary": "A sauna.", "language": "fi", "themes": []},
            submit=True,
        )
    (notice,) = Notice.objects.all()
    assert notice.kind == "submission"
    assert notice.path == f"/contribute/review/{submission.pk}/"
    assert len(mail.outbox) == 1


def test_daily_and_never_are_not_mailed_at_once_and_daily_comes_in_one_summary(
    world, django_capture_on_commit_callbacks
):
    notice_preferences_set(
        user=world["coordinator"],
        frequencies={"role_request": "daily", "dataset": "never"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        for subject in ("Torup", "Raudanmaa"):
            notices_create(
                networks=[world["network"]], kind="role_request", subject=subject, path="/x/"
            )
        notices_create(networks=[world["network"]], kind="dataset", subject="D", path="/d/")
    assert Notice.objects.count() == 3
    assert mail.outbox == []
    assert notices_daily_summary.call() == 1
    (summary,) = mail.outbox
    assert summary.subject == "Village Hub: 2 things wait for you"
    assert "Torup" in summary.body and "Raudanmaa" in summary.body and "D\n" not in summary.body
    assert notices_daily_summary.call() == 0


def test_the_inbox_lists_notices_and_saves_preferences(client, world):
    notices_create(networks=[world["network"]], kind="dataset", subject="Broadband", path="/d/")
    sign_in(client, world["coordinator"])
    assert "Your notices: 1 new" in client.get("/contribute/").content.decode()
    page = client.get("/contribute/notices/").content.decode()
    assert '<a href="/d/">Broadband</a>' in page
    client.post("/contribute/notices/", {"read": "1"})
    assert Notice.objects.get().read_at is not None
    chosen = dict.fromkeys(Kind.values, "at_once") | {
        "role_request": "never",
        "event_full": "daily",
    }
    client.post("/contribute/notices/", {"preferences": "1", **chosen})
    assert (
        dict(
            NoticePreference.objects.filter(user=world["coordinator"]).values_list(
                "kind", "frequency"
            )
        )
        == chosen
    )
    sign_in(client, world["other"])
    assert "Broadband" not in client.get("/contribute/notices/").content.decode()
