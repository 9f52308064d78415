import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.ngsi.models import Notification, Subscription

from .conftest import Api, editor_of
from .test_entities import ERRORS

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    """A real HTTP server on 127.0.0.1 that records what it is sent."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"headers": dict(self.headers), "body": json.loads(body)})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/notify", received
    server.shutdown()
    server.server_close()


def subscription(uri, **extra):
    return {
        "id": "urn:ngsi-ld:Subscription:hot",
        "type": "Subscription",
        "entities": [{"type": "Sensor"}],
        "watchedAttributes": ["temperature"],
        "q": "temperature>30",
        "notification": {
            "endpoint": {"uri": uri, "accept": "application/json"},
            "attributes": ["temperature"],
        },
        **extra,
    }


SENSOR = {
    "id": "urn:ngsi-ld:Sensor:1",
    "type": "Sensor",
    "temperature": {"type": "Property", "value": 20},
    "name": "S",
}


def test_a_matching_change_is_notified_over_http_and_counted(
    api, receiver, django_capture_on_commit_callbacks
):
    uri, received = receiver
    assert api.post("/subscriptions", subscription(uri)).status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/entities", SENSOR)
    assert received == []
    with django_capture_on_commit_callbacks(execute=True):
        api.patch("/entities/urn:ngsi-ld:Sensor:1/attrs/name", {"value": "other"})
    assert received == []
    with django_capture_on_commit_callbacks(execute=True):
        api.patch("/entities/urn:ngsi-ld:Sensor:1/attrs/temperature", {"value": 35})
    assert len(received) == 1
    body = received[0]["body"]
    assert body["type"] == "Notification"
    assert body["subscriptionId"] == "urn:ngsi-ld:Subscription:hot"
    assert body["data"] == [
        {
            "id": "urn:ngsi-ld:Sensor:1",
            "type": "Sensor",
            "temperature": {"type": "Property", "value": 35},
        }
    ]
    assert received[0]["headers"]["Content-Type"] == "application/json"
    shown = api.get("/subscriptions/urn:ngsi-ld:Subscription:hot").json()
    assert shown["status"] == "active"
    assert shown["notification"]["timesSent"] == 1
    assert shown["notification"]["timesFailed"] == 0
    assert shown["notification"]["status"] == "ok"
    assert "lastSuccess" in shown["notification"]
    assert Notification.objects.get().state == "sent"


def test_a_simplified_notification_with_system_attributes(
    api, receiver, django_capture_on_commit_callbacks
):
    uri, received = receiver
    body = subscription(uri)
    body["notification"] = {**body["notification"], "format": "simplified", "sysAttrs": True}
    assert api.post("/subscriptions", body).status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/entities", {**SENSOR, "temperature": 40})
    [entity] = received[0]["body"]["data"]
    assert entity["temperature"] == 40
    assert set(entity) == {"id", "type", "temperature", "createdAt", "modifiedAt"}


def test_a_failed_notification_is_counted(api, django_capture_on_commit_callbacks):
    api.post("/subscriptions", subscription("http://127.0.0.1:9/closed"))
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/entities", {**SENSOR, "temperature": 40})
    shown = api.get("/subscriptions/urn:ngsi-ld:Subscription:hot").json()
    assert shown["notification"]["timesFailed"] == 1
    assert shown["notification"]["status"] == "failed"
    assert Notification.objects.get().state == "failed"


def test_a_sent_notification_is_not_sent_twice(api, receiver, django_capture_on_commit_callbacks):
    from villagehub.ngsi import services

    uri, received = receiver
    api.post("/subscriptions", subscription(uri))
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/entities", {**SENSOR, "temperature": 40})
    services.notification_deliver(notification_id=Notification.objects.get().pk)
    assert len(received) == 1


def test_paused_and_expired_subscriptions_notify_nothing(
    api, receiver, django_capture_on_commit_callbacks
):
    uri, received = receiver
    api.post("/subscriptions", subscription(uri, isActive=False))
    made = api.post(
        "/subscriptions",
        subscription(uri, id="urn:ngsi-ld:Subscription:old", expiresAt="2099-01-01T00:00:00Z"),
    )
    assert made.status_code == 201
    # Time passes: the expiry, in the future when it was made, is now behind.
    Subscription.objects.filter(subscription_id="urn:ngsi-ld:Subscription:old").update(
        expires_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    assert (
        api.patch("/subscriptions/urn:ngsi-ld:Subscription:old", {"throttling": 1}).status_code
        == 204
    )
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/entities", {**SENSOR, "temperature": 40})
    assert received == []
    assert api.get("/subscriptions/urn:ngsi-ld:Subscription:hot").json()["status"] == "paused"
    assert api.get("/subscriptions/urn:ngsi-ld:Subscription:old").json()["status"] == "expired"


def test_update_list_and_delete(api):
    api.post("/subscriptions", subscription("http://127.0.0.1:9/x"))
    assert (
        api.patch(
            "/subscriptions/urn:ngsi-ld:Subscription:hot", {"isActive": False, "throttling": 5}
        ).status_code
        == 204
    )
    listed = api.get("/subscriptions").json()
    assert [item["id"] for item in listed] == ["urn:ngsi-ld:Subscription:hot"]
    assert listed[0]["isActive"] is False
    assert listed[0]["throttling"] == 5
    assert api.delete("/subscriptions/urn:ngsi-ld:Subscription:hot").status_code == 204
    assert api.get("/subscriptions/urn:ngsi-ld:Subscription:hot").status_code == 404


@pytest.mark.parametrize(
    ("change", "status", "kind"),
    [
        ({"type": "Nope"}, 400, "BadRequestData"),
        ({"entities": None, "watchedAttributes": None}, 400, "BadRequestData"),
        ({"q": "temperature>"}, 400, "BadRequestData"),
        ({"notification": {"endpoint": {}}}, 400, "BadRequestData"),
        (
            {"notification": {"endpoint": {"uri": "ftp://127.0.0.1/t"}}},
            422,
            "OperationNotSupported",
        ),
        ({"notificationTrigger": ["never"]}, 400, "BadRequestData"),
        ({"expiresAt": "2020-01-01T00:00:00Z"}, 400, "BadRequestData"),
        (
            {"notification": {"endpoint": {"uri": "http://x/"}, "format": "x"}},
            400,
            "BadRequestData",
        ),
        (
            {"notification": {"endpoint": {"uri": "http://x/"}, "showChanges": "yes"}},
            400,
            "BadRequestData",
        ),
        ({"watchedAttributes": None, "timeInterval": 60, "throttling": 5}, 400, "BadRequestData"),
    ],
)
def test_bad_subscriptions_are_refused(api, change, status, kind):
    body = {
        key: value
        for key, value in {**subscription("http://127.0.0.1:9/x"), **change}.items()
        if value is not None
    }
    response = api.post("/subscriptions", body)
    assert response.status_code == status
    assert response.json()["type"] == ERRORS + kind
    assert Subscription.objects.count() == 0


def test_a_subscription_twice_is_already_exists(api):
    api.post("/subscriptions", subscription("http://127.0.0.1:9/x"))
    assert api.post("/subscriptions", subscription("http://127.0.0.1:9/x")).status_code == 409


def test_someone_elses_subscription_is_not_found(api, client):
    api.post("/subscriptions", subscription("http://127.0.0.1:9/x"))
    _user, key = editor_of("other", CommunityFactory(slug="other"))
    other = Api(client, key)
    assert other.get("/subscriptions/urn:ngsi-ld:Subscription:hot").status_code == 404
    assert other.delete("/subscriptions/urn:ngsi-ld:Subscription:hot").status_code == 404
    assert other.get("/subscriptions").json() == []


def test_append_and_delete_notify_the_triggers_asked_for(
    api, receiver, django_capture_on_commit_callbacks
):
    uri, received = receiver
    body = subscription(uri, notificationTrigger=["attributeCreated", "entityDeleted"])
    del body["q"]
    api.post("/subscriptions", body)
    api.post(
        "/entities", {"id": "urn:ngsi-ld:Sensor:2", "type": "Sensor", "name": "no temperature"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/entities/urn:ngsi-ld:Sensor:2/attrs", {"temperature": 5})
    with django_capture_on_commit_callbacks(execute=True):
        api.patch("/entities/urn:ngsi-ld:Sensor:2/attrs", {"temperature": 6})
    with django_capture_on_commit_callbacks(execute=True):
        api.delete("/entities/urn:ngsi-ld:Sensor:2")
    # A deleted entity's attributes are notified as deleted (CIM 009: urn:ngsi-ld:null).
    values = [item["body"]["data"][0]["temperature"]["value"] for item in received]
    assert values == [5, "urn:ngsi-ld:null"]


def test_a_notification_left_by_a_dead_worker_is_sent_again_once(
    api, receiver, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from villagehub.ngsi import services

    uri, received = receiver
    api.post("/subscriptions", subscription(uri))
    api.post("/entities", {**SENSOR, "temperature": 40})
    notification = Notification.objects.get()
    long_ago = timezone.now() - timedelta(minutes=5)
    Notification.objects.filter(pk=notification.pk).update(claimed_at=timezone.now())
    services.notification_deliver(notification_id=notification.pk)
    assert received == []
    assert services.notifications_requeue() == 0
    Notification.objects.filter(pk=notification.pk).update(claimed_at=long_ago, created_at=long_ago)
    assert services.notifications_requeue() == 1
    assert len(received) == 1
    assert services.notifications_requeue() == 0
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == ("sent", 1)


def sensors(*numbers, temperature=40):
    return [
        {**SENSOR, "id": f"urn:ngsi-ld:Sensor:{n}", "temperature": temperature} for n in numbers
    ]


def test_the_notifications_of_one_commit_are_sent_by_one_sender_each_once(
    api, receiver, django_capture_on_commit_callbacks
):
    uri, received = receiver
    api.post("/subscriptions", subscription(uri))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert api.post("/entityOperations/upsert", sensors(1, 2, 3)).status_code == 201
    # One sender asked for, not one per notification (each asking is a query).
    assert [callback.__name__ for callback in callbacks] == ["notifications_send_soon"]
    assert sorted(item["body"]["data"][0]["id"] for item in received) == [
        "urn:ngsi-ld:Sensor:1",
        "urn:ngsi-ld:Sensor:2",
        "urn:ngsi-ld:Sensor:3",
    ]
    assert len({item["body"]["id"] for item in received}) == 3
    assert list(Notification.objects.values_list("state", "attempts")) == [("sent", 1)] * 3
    shown = api.get("/subscriptions/urn:ngsi-ld:Subscription:hot").json()
    assert shown["notification"]["timesSent"] == 3


def test_a_sender_sends_the_new_notifications_in_order_until_none_is_left(api, receiver):
    from villagehub.ngsi import services

    uri, received = receiver
    api.post("/subscriptions", subscription(uri))
    api.post("/entityOperations/upsert", sensors(1, 2, 3, 4, 5))
    assert Notification.objects.filter(state="pending").count() == 5
    assert services.notifications_deliver_new() == 5
    assert services.notifications_deliver_new() == 0
    assert [item["body"]["data"][0]["id"][-1] for item in received] == ["1", "2", "3", "4", "5"]
    assert list(Notification.objects.values_list("state", "attempts")) == [("sent", 1)] * 5


def test_a_sender_holds_one_claim_and_records_each_sent_as_it_claims_the_next(api, receiver):
    from villagehub.ngsi import services

    uri, received = receiver
    api.post("/subscriptions", subscription(uri))
    api.post("/entityOperations/upsert", sensors(1, 2, 3))
    first, second, third = Notification.objects.select_related("subscription")
    assert services.notification_claim_next() == first.pk
    first.refresh_from_db()
    assert list(Notification.objects.values_list("claimed_at", flat=True)) == [
        first.claimed_at,
        None,
        None,
    ]
    moment = datetime(2026, 1, 2, tzinfo=UTC)
    assert services.notification_claim_next(sent=(first, moment)) == second.pk
    assert list(Notification.objects.values_list("state", "sent_at", "attempts")) == [
        ("sent", moment, 1),
        ("pending", None, 1),
        ("pending", None, 0),
    ]
    # Another sender takes the next one not claimed.
    assert services.notification_claim_next() == third.pk
    assert services.notification_claim_next() is None
    assert received == []
    shown = api.get("/subscriptions/urn:ngsi-ld:Subscription:hot").json()["notification"]
    assert (shown["timesSent"], shown["lastSuccess"], shown["lastNotification"]) == (
        1,
        "2026-01-02T00:00:00.000Z",
        "2026-01-02T00:00:00.000Z",
    )


def test_a_worker_killed_between_a_send_and_its_record_leaves_only_that_one_to_send_again(
    api, receiver
):
    from datetime import timedelta

    from django.utils import timezone

    from villagehub.ngsi import services

    uri, received = receiver
    api.post("/subscriptions", subscription(uri))
    api.post("/entityOperations/upsert", sensors(1, 2, 3))
    # A worker sends the first and records it with its claim of the second, sends the second
    # and is killed before the commit that would record it.
    first, second, _third = Notification.objects.select_related("subscription")
    assert services.notification_claim_next() == first.pk
    assert services._send_once(first) is None
    assert services.notification_claim_next(sent=(first, timezone.now())) == second.pk
    assert services._send_once(second) is None
    # Another sender takes the third only; the second waits for its claim to run out.
    assert services.notifications_deliver_new() == 1
    assert services.notifications_requeue() == 0
    Notification.objects.filter(state="pending").update(
        claimed_at=timezone.now() - timedelta(minutes=5)
    )
    assert services.notifications_requeue() == 1
    assert services.notifications_requeue() == 0
    assert [item["body"]["data"][0]["id"][-1] for item in received] == ["1", "2", "3", "2"]
    assert list(Notification.objects.values_list("state", "attempts")) == [
        ("sent", 1),
        ("sent", 2),
        ("sent", 1),
    ]
    assert (
        api.get("/subscriptions/urn:ngsi-ld:Subscription:hot").json()["notification"]["timesSent"]
        == 3
    )


def test_a_lingering_sender_takes_what_comes_while_it_waits_and_ends_when_none_does(
    api, receiver, monkeypatch
):
    from villagehub.ngsi import services

    uri, received = receiver
    api.post("/subscriptions", subscription(uri))
    polls = []

    def sleep(seconds):
        # The first look finds the queue empty; a change comes while the sender waits.
        polls.append(seconds)
        if len(polls) == 1:
            api.post("/entities", sensors(7)[0])

    monkeypatch.setattr(services.time, "sleep", sleep)
    assert services.notifications_deliver_new(linger=0.2, poll=0.01) == 1
    assert [item["body"]["data"][0]["id"] for item in received] == ["urn:ngsi-ld:Sensor:7"]
    assert polls and set(polls) == {0.01}
    assert Notification.objects.get().state == "sent"


def test_a_sender_ends_after_its_span_and_leaves_the_rest_unclaimed(api, receiver):
    from villagehub.ngsi import services

    uri, received = receiver
    api.post("/subscriptions", subscription(uri))
    api.post("/entityOperations/upsert", sensors(1, 2))
    assert services.notifications_deliver_new(span=0) == 1
    assert list(Notification.objects.values_list("state", "claimed_at")) == [
        ("sent", Notification.objects.first().claimed_at),
        ("pending", None),
    ]
    assert services.notifications_deliver_new() == 1
    assert [item["body"]["data"][0]["id"][-1] for item in received] == ["1", "2"]


def test_a_failed_notification_in_a_batch_waits_for_its_retry(api, settings, receiver):
    from django_tasks_db.models import DBTaskResult

    from villagehub.ngsi import services

    uri, received = receiver
    api.post("/subscriptions", subscription(uri))
    api.post("/subscriptions", subscription("http://127.0.0.1:9/closed", id="urn:x:closed"))
    api.post("/entities", sensors(1)[0])
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert services.notifications_deliver_new() == 1
    failed = Notification.objects.get(subscription__subscription_id="urn:x:closed")
    assert (failed.state, failed.attempts, failed.claimed_at) == ("pending", 1, None)
    retry = DBTaskResult.objects.get(task_path__endswith=".notification_send")
    assert retry.args_kwargs["args"] == [failed.pk]
    # Another sender leaves it to its retry, two seconds later.
    assert services.notifications_deliver_new() == 0
    assert len(received) == 1


def test_a_sender_is_queued_only_when_none_waits(settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from villagehub.ngsi import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    tasks.notifications_send_soon()
    tasks.notifications_send_soon()
    senders = DBTaskResult.objects.filter(task_path__endswith=".notifications_send")
    assert senders.count() == 1
    senders.update(status="RUNNING")
    tasks.notifications_send_soon()
    assert senders.filter(status="READY").count() == 1


def test_throttling_counts_from_the_last_notification_queued(api):
    api.post("/subscriptions", subscription("http://127.0.0.1:9/closed", throttling=60))
    api.post("/entities", sensors(1)[0])
    api.post("/entities", sensors(2)[0])
    assert Notification.objects.count() == 1
    assert Subscription.objects.get().last_notification is not None


def test_a_change_does_not_write_its_subscription_row_unless_it_throttles(api, receiver):
    from villagehub.ngsi import services

    uri, _received = receiver
    api.post("/subscriptions", subscription(uri))
    api.post("/entities", sensors(1)[0])
    api.post("/entities", sensors(2)[0])
    assert Notification.objects.count() == 2
    assert Subscription.objects.get().last_notification is None
    assert services.notifications_deliver_new() == 2
    sent_at = Notification.objects.order_by("pk").last().sent_at
    assert Subscription.objects.get().last_notification == sent_at


@pytest.mark.parametrize(("others", "linger"), [(0, 1.0), (1, 0)])
def test_only_a_sender_running_alone_waits_for_more(settings, monkeypatch, others, linger):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from villagehub.ngsi import services, tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for _ in range(others + 1):
        tasks.notifications_send.enqueue()
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())
    # A dead worker's sender, long ago, does not count.
    tasks.notifications_send.enqueue()
    DBTaskResult.objects.filter(status="READY").update(
        status="RUNNING", started_at=timezone.now() - timedelta(minutes=1)
    )
    asked = []
    monkeypatch.setattr(services, "notifications_deliver_new", lambda **kw: asked.append(kw))
    tasks.notifications_send.call()
    assert asked == [{"linger": linger}]
