"""Periodic subscriptions (timeInterval), with the clock given to the service."""

from datetime import timedelta

import pytest
from django.utils import timezone

from villagehub.ngsi import services
from villagehub.ngsi.models import Notification, Subscription

from .test_entities import ERRORS
from .test_subscriptions import SENSOR

pytestmark = pytest.mark.django_db


def periodic(uri="http://127.0.0.1:9/x", **extra):
    return {
        "id": "urn:ngsi-ld:Subscription:every",
        "type": "Subscription",
        "entities": [{"type": "Sensor"}],
        "q": "temperature>30",
        "timeInterval": 60,
        "notification": {"endpoint": {"uri": uri}, "attributes": ["temperature"]},
        **extra,
    }


def sent_ids(notification):
    return [item["id"] for item in notification.payload["data"]]


def test_matching_entities_are_notified_every_interval_and_not_on_change(api):
    api.post("/entities", {**SENSOR, "temperature": 40})
    api.post("/entities", {**SENSOR, "id": "urn:ngsi-ld:Sensor:2", "temperature": 10})
    api.post("/entities", {**SENSOR, "id": "urn:ngsi-ld:Sensor:3", "temperature": 31})
    assert api.post("/subscriptions", periodic()).status_code == 201
    start = timezone.now()
    assert services.subscriptions_periodic_notify(now=start) == 1
    first = Notification.objects.get()
    assert sent_ids(first) == ["urn:ngsi-ld:Sensor:1", "urn:ngsi-ld:Sensor:3"]
    assert first.payload["data"][0] == {
        "id": "urn:ngsi-ld:Sensor:1",
        "type": "Sensor",
        "temperature": {"type": "Property", "value": 40},
    }
    # A change is not notified: the subscription speaks only when its interval runs out.
    api.patch("/entities/urn:ngsi-ld:Sensor:2/attrs/temperature", {"value": 50})
    assert Notification.objects.count() == 1
    assert services.subscriptions_periodic_notify(now=start + timedelta(seconds=59)) == 0
    assert services.subscriptions_periodic_next(now=start + timedelta(seconds=59)) == (
        start + timedelta(seconds=60)
    )
    assert services.subscriptions_periodic_notify(now=start + timedelta(seconds=60)) == 1
    latest = Notification.objects.last()
    assert sent_ids(latest) == [
        "urn:ngsi-ld:Sensor:1",
        "urn:ngsi-ld:Sensor:2",
        "urn:ngsi-ld:Sensor:3",
    ]
    assert Notification.objects.count() == 2


def test_paused_and_expired_periodic_subscriptions_send_nothing(api):
    api.post("/entities", {**SENSOR, "temperature": 40})
    api.post("/subscriptions", periodic(isActive=False))
    api.post(
        "/subscriptions",
        periodic(id="urn:ngsi-ld:Subscription:old", expiresAt="2020-01-01T00:00:00Z"),
    )
    assert services.subscriptions_periodic_notify() == 0
    assert services.subscriptions_periodic_next() is None
    assert Notification.objects.count() == 0


def test_a_period_without_matching_entities_sends_nothing_but_counts(api):
    api.post("/entities", {**SENSOR, "temperature": 20})
    api.post("/subscriptions", periodic())
    start = timezone.now()
    assert services.subscriptions_periodic_notify(now=start) == 0
    assert Subscription.objects.get().last_notification == start
    assert services.subscriptions_periodic_next(now=start) == start + timedelta(seconds=60)


def test_creating_a_periodic_subscription_runs_the_periodic_task(
    api, django_capture_on_commit_callbacks
):
    api.post("/entities", {**SENSOR, "temperature": 40})
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post("/subscriptions", periodic()).status_code == 201
    notification = Notification.objects.get()
    assert sent_ids(notification) == ["urn:ngsi-ld:Sensor:1"]
    # Delivered (and failed: nothing listens on port 9), counted like any notification.
    shown = api.get("/subscriptions/urn:ngsi-ld:Subscription:every").json()
    assert shown["timeInterval"] == 60
    assert shown["notification"]["timesFailed"] == 1


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"watchedAttributes": ["temperature"]}, "watchedAttributes"),
        ({"timeInterval": 0}, "timeInterval"),
        ({"timeInterval": "60"}, "timeInterval"),
        ({"entities": None, "watchedAttributes": ["temperature"]}, "watchedAttributes"),
    ],
)
def test_bad_periodic_subscriptions_are_refused(api, change, needle):
    body = {key: value for key, value in {**periodic(), **change}.items() if value is not None}
    response = api.post("/subscriptions", body)
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert needle in response.json()["detail"]
    assert Subscription.objects.count() == 0


def test_watched_attributes_cannot_be_added_to_a_periodic_subscription(api):
    api.post("/subscriptions", periodic())
    response = api.patch(
        "/subscriptions/urn:ngsi-ld:Subscription:every", {"watchedAttributes": ["temperature"]}
    )
    assert response.status_code == 400
    assert Subscription.objects.get().watched == []


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_when_due_and_defers_the_next_run(api, settings):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    api.post("/entities", {**SENSOR, "temperature": 40})
    before = timezone.now()
    assert api.post("/subscriptions", periodic()).status_code == 201
    runs = DBTaskResult.objects.filter(task_path__endswith="subscriptions_periodic_run")
    assert runs.count() == 1
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert sent_ids(Notification.objects.get()) == ["urn:ngsi-ld:Sensor:1"]
    # The chain waits for the next period (60 s), not less, not a minute more.
    waiting = runs.filter(status="READY").get()
    assert before + timedelta(seconds=59) < waiting.run_after
    assert waiting.run_after < timezone.now() + timedelta(seconds=61)
    # Running again before then sends nothing more.
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert Notification.objects.count() == 1
