"""Notifications over MQTT, against the real broker (Mosquitto on 127.0.0.1:1883)."""

import json
import os
import queue
import socket
import uuid

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from villagehub.ngsi.models import Notification, Subscription

from .test_entities import ERRORS
from .test_subscriptions import SENSOR, subscription

pytestmark = pytest.mark.django_db

BROKER = ("127.0.0.1", 1883)


def broker_reachable() -> bool:
    try:
        socket.create_connection(BROKER, timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def topic():
    """A fresh topic on the broker and the messages published to it."""
    if not broker_reachable():
        if os.environ.get("VILLAGEHUB_REQUIRE_MQTT") == "1":
            pytest.fail("VILLAGEHUB_REQUIRE_MQTT=1 but no MQTT broker at 127.0.0.1:1883")
        pytest.skip("no MQTT broker at 127.0.0.1:1883")
    name = f"villagehub-test/{uuid.uuid4().hex}"
    received: queue.Queue = queue.Queue()
    subscribed = queue.Queue()
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2)
    client.on_message = lambda _c, _u, msg: received.put(msg)
    client.on_subscribe = lambda *_args: subscribed.put(True)
    client.on_connect = lambda c, *_args: c.subscribe(name, qos=2)
    client.connect(*BROKER)
    client.loop_start()
    subscribed.get(timeout=5)
    yield name, received
    client.disconnect()
    client.loop_stop()


def mqtt_subscription(uri, notifier_info=None, receiver_info=None):
    body = subscription(uri)
    endpoint = body["notification"]["endpoint"]
    if notifier_info:
        endpoint["notifierInfo"] = [{"key": k, "value": v} for k, v in notifier_info.items()]
    if receiver_info:
        endpoint["receiverInfo"] = [{"key": k, "value": v} for k, v in receiver_info.items()]
    return body


@pytest.mark.parametrize(
    ("notifier_info", "qos"),
    [
        (None, 0),
        ({"MQTT-QoS": "1"}, 1),
        ({"MQTT-QoS": "2", "MQTT-Version": "mqtt5.0"}, 2),
    ],
)
def test_a_notification_is_published_on_the_endpoints_topic(
    api, topic, django_capture_on_commit_callbacks, notifier_info, qos
):
    name, received = topic
    uri = f"mqtt://127.0.0.1:1883/{name}"
    body = mqtt_subscription(uri, notifier_info, {"X-Village": "torup"})
    assert api.post("/subscriptions", body).status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/entities", {**SENSOR, "temperature": 40})
    msg = received.get(timeout=10)
    assert msg.topic == name
    assert msg.qos == qos
    published = json.loads(msg.payload)
    assert published["metadata"]["Content-Type"] == "application/json"
    assert "ngsi-ld-core-context" in published["metadata"]["Link"]
    assert published["metadata"]["X-Village"] == "torup"
    assert published["body"]["type"] == "Notification"
    assert published["body"]["subscriptionId"] == "urn:ngsi-ld:Subscription:hot"
    assert published["body"]["data"] == [
        {
            "id": "urn:ngsi-ld:Sensor:1",
            "type": "Sensor",
            "temperature": {"type": "Property", "value": 40},
        }
    ]
    shown = api.get("/subscriptions/urn:ngsi-ld:Subscription:hot").json()
    assert shown["notification"]["timesSent"] == 1
    assert shown["notification"]["status"] == "ok"
    assert Notification.objects.get().state == "sent"
    assert received.empty()


def test_an_unreachable_broker_is_a_failure_counted(api, django_capture_on_commit_callbacks):
    # Port 9 (discard) has no broker: the connection is refused at once.
    api.post("/subscriptions", mqtt_subscription("mqtt://127.0.0.1:9/nobody"))
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/entities", {**SENSOR, "temperature": 40})
    notification = Notification.objects.get()
    assert notification.state == "failed"
    assert "MQTT broker" in notification.last_error
    shown = api.get("/subscriptions/urn:ngsi-ld:Subscription:hot").json()
    assert shown["notification"]["timesFailed"] == 1
    assert shown["notification"]["status"] == "failed"


@pytest.mark.parametrize(
    ("uri", "notifier_info"),
    [
        ("mqtt://127.0.0.1:1883/", None),
        ("mqtt://127.0.0.1:1883/a/#", None),
        ("mqtt://127.0.0.1:1883/t", {"MQTT-QoS": "3"}),
        ("mqtt://127.0.0.1:1883/t", {"MQTT-Version": "mqtt4"}),
    ],
)
def test_bad_mqtt_endpoints_are_refused(api, uri, notifier_info):
    response = api.post("/subscriptions", mqtt_subscription(uri, notifier_info))
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert "notification.endpoint" in response.json()["detail"]
    assert Subscription.objects.count() == 0


def test_notifier_info_must_be_key_value_pairs(api):
    body = mqtt_subscription("mqtt://127.0.0.1:1883/t")
    body["notification"]["endpoint"]["notifierInfo"] = {"MQTT-QoS": "1"}
    response = api.post("/subscriptions", body)
    assert response.status_code == 400
    assert "notifierInfo" in response.json()["detail"]
