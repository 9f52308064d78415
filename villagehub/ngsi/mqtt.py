"""NGSI-LD notifications over MQTT (ETSI GS CIM 009, MQTT binding): one connection per
notification, published to the topic the endpoint's path names, as `{metadata, body}`."""

import json
import ssl
import threading
import uuid
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

SCHEMES = {"mqtt": 1883, "mqtts": 8883}
VERSIONS = {"mqtt3.1.1": MQTTProtocolVersion.MQTTv311, "mqtt5.0": MQTTProtocolVersion.MQTTv5}
DEFAULT_VERSION = "mqtt3.1.1"


class MqttError(OSError):
    """The broker could not be reached, refused us, or did not take the message in time."""


def endpoint_check(uri: str, notifier_info: dict[str, str]) -> str | None:
    """What is wrong with an MQTT endpoint and its notifierInfo, or None."""
    parts = urlsplit(uri)
    if parts.scheme not in SCHEMES or not parts.hostname:
        return "an MQTT endpoint is mqtt://host[:port]/topic or mqtts://…"
    try:
        parts.port  # noqa: B018 (raises on a port out of range)
    except ValueError:
        return "the port of the MQTT endpoint is not a number from 1 to 65535"
    topic = unquote(parts.path[1:])
    if not topic or "+" in topic or "#" in uri or parts.query:
        return (
            "the MQTT endpoint names a topic (its path) without the wildcards + and #, and no query"
        )
    if notifier_info.get("MQTT-QoS", "0") not in ("0", "1", "2"):
        return "notifierInfo MQTT-QoS is 0, 1 or 2"
    if notifier_info.get("MQTT-Version", DEFAULT_VERSION) not in VERSIONS:
        return "notifierInfo MQTT-Version is mqtt3.1.1 or mqtt5.0"
    return None


def message(payload: dict, headers: dict[str, str]) -> bytes:
    """The spec's MQTT notification: the HTTP headers as `metadata`, the notification as
    `body` (MQTT 3.1.1 has no headers of its own)."""
    return json.dumps({"metadata": headers, "body": payload}).encode()


def publish(uri: str, data: bytes, *, notifier_info: dict[str, str], timeout: float) -> None:
    """Publish once and wait for the broker to take it (PUBACK/PUBCOMP for QoS 1 and 2);
    raises MqttError on any failure so that the notification is retried."""
    parts = urlsplit(uri)
    version = notifier_info.get("MQTT-Version", DEFAULT_VERSION)
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=f"villagehub-{uuid.uuid4().hex[:12]}",
        protocol=VERSIONS[version],
        reconnect_on_failure=False,
    )
    client.connect_timeout = timeout
    if parts.username:
        client.username_pw_set(unquote(parts.username), unquote(parts.password or "") or None)
    if parts.scheme == "mqtts":
        client.tls_set_context(ssl.create_default_context())
    connected = threading.Event()
    outcome: dict[str, Any] = {}

    def on_connect(_client, _userdata, _flags, reason_code, _properties):
        outcome["reason"] = reason_code
        connected.set()

    client.on_connect = on_connect
    try:
        client.connect(parts.hostname, parts.port or SCHEMES[parts.scheme], keepalive=30)
    except (OSError, ValueError) as exc:
        raise MqttError(f"cannot reach the MQTT broker: {exc}") from exc
    client.loop_start()
    try:
        if not connected.wait(timeout):
            raise MqttError("the MQTT broker did not answer the connection in time")
        if outcome["reason"].is_failure:
            raise MqttError(f"the MQTT broker refused the connection: {outcome['reason']}")
        info = client.publish(
            unquote(parts.path[1:]), data, qos=int(notifier_info.get("MQTT-QoS", "0"))
        )
        try:
            info.wait_for_publish(timeout)
        except (RuntimeError, ValueError) as exc:
            raise MqttError(str(exc)) from exc
        if not info.is_published():
            raise MqttError("the MQTT broker did not acknowledge the notification in time")
    finally:
        client.disconnect()
        client.loop_stop()
