"""Publishing readings to an MQTT broker (paho-mqtt 2.x), with Home Assistant discovery."""

from __future__ import annotations

import json
import re
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}
KEEPALIVE_S = 30
RECONNECT_MIN_S, RECONNECT_MAX_S = 1, 60
# Messages paho may hold while a connection is being lost; the latest state is sent again on
# reconnect, so nothing older is worth keeping.
MAX_QUEUED_MESSAGES = 32
STATS_INTERVAL_S = 10.0
# Topic levels and Home Assistant object ids: letters, digits, _ and -.
DEVICE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = None

    def describe(self) -> str:
        """The address without the password, for logs."""
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{host}:{self.port}"


def parse_broker_url(url: str) -> BrokerAddress:
    """mqtt[s]://[user:pass@]host[:port] -> BrokerAddress.

    Raises:
      ValueError: the URL is not of that form, naming what is wrong.
    """
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError(f"--mqtt {url!r}: give mqtt://host[:port] or mqtts://host[:port] "
                         "(user:password@ before the host when the broker asks for them)")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as exc:  # a port out of range or not a number
        raise ValueError(f"--mqtt {url!r}: {exc}") from exc
    if not parts.hostname:
        raise ValueError(f"--mqtt {url!r}: no broker host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"--mqtt {url!r}: only scheme, credentials, host and port are used")
    return BrokerAddress(parts.hostname, port, parts.scheme == "mqtts",
                         unquote(parts.username) if parts.username is not None else None,
                         unquote(parts.password) if parts.password is not None else None)


def check_device_id(device_id: str) -> str:
    """A device id usable as a topic level and a Home Assistant id, else ValueError."""
    if not DEVICE_ID_PATTERN.match(device_id):
        raise ValueError(f"device id {device_id!r}: use 1 to 64 letters, digits, '_' or '-' "
                         "(it becomes an MQTT topic level and a Home Assistant id)")
    return device_id


def default_device_id(hostname: str) -> str:
    """The host name with anything a topic level may not hold replaced by '-'."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", hostname.split(".")[0])[:64].strip("-")
    return cleaned or "digit-edge"


@dataclass(frozen=True)
class Topics:
    prefix: str
    device_id: str
    ha_prefix: str | None  # None: no Home Assistant discovery

    @property
    def base(self) -> str:
        return f"{self.prefix}/{self.device_id}"

    @property
    def reading(self) -> str:
        return f"{self.base}/reading"

    @property
    def availability(self) -> str:
        return f"{self.base}/availability"

    @property
    def stats(self) -> str:
        return f"{self.base}/stats"

    @property
    def ha_status(self) -> str | None:
        return f"{self.ha_prefix}/status" if self.ha_prefix else None

    def discovery(self, sw_version: str, model: str) -> dict[str, dict]:
        """Home Assistant MQTT discovery: config topic -> payload, for the reading and its confidence."""
        if not self.ha_prefix:
            return {}
        uid = f"digit_edge_{self.device_id}"
        device = {"identifiers": [uid], "name": f"digit-edge {self.device_id}", "manufacturer": "digit-edge",
                  "model": model, "sw_version": sw_version}
        common = {"state_topic": self.reading, "availability_topic": self.availability,
                  "payload_available": "online", "payload_not_available": "offline", "device": device}
        return {
            f"{self.ha_prefix}/sensor/{uid}/reading/config": {
                **common, "name": "Reading", "unique_id": f"{uid}_reading", "icon": "mdi:numeric", "value_template": "{{ value_json.text }}",
                "json_attributes_topic": self.reading},
            f"{self.ha_prefix}/sensor/{uid}/confidence/config": {
                **common, "name": "Confidence", "unique_id": f"{uid}_confidence", "unit_of_measurement": "%", "state_class": "measurement",
                "icon": "mdi:percent",
                "value_template": "{{ (value_json.confidence * 100) | round(1) if value_json.confidence "
                                  "is not none else none }}"},
        }


def reading_payload(record: dict) -> dict:
    """The published reading: the smoothed text, its digits and the weakest digit's confidence.

    The digits are those of the frame that shows the smoothed text (none when the newest frame
    reads otherwise).
    """
    digits = record.get("digits", []) if record.get("raw_text") == record.get("text") else []
    confidences = [d["confidence"] for d in digits]
    return {"text": record.get("text", ""),
            "digits": [{"label": d["label"], "confidence": d["confidence"]} for d in digits],
            "confidence": min(confidences) if confidences else None,
            "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds")}


class MqttPublisher:
    """Keeps the broker told: availability, discovery, the reading when it changes, stats now and then.

    paho's network thread connects, and reconnects with backoff (1 s up to 60 s) when the broker
    goes away. Nothing is queued while disconnected: on every connect the latest state is published
    again (retained), so a broker that comes back has the current reading, not a backlog.
    """

    def __init__(self, address: BrokerAddress, topics: Topics, say: Callable[[str], None],
                 sw_version: str = "", model: str = "") -> None:
        import paho.mqtt.client as mqtt
        self.address, self.topics, self.say = address, topics, say
        self.sw_version, self.model = sw_version, model
        self._lock = threading.Lock()
        self._latest: dict | None = None
        self.connected = False
        self.published_total = 0
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"digit-edge-{topics.device_id}",
                                  protocol=mqtt.MQTTv311)
        if address.username is not None:
            self.client.username_pw_set(address.username, address.password)
        if address.tls:
            self.client.tls_set_context(ssl.create_default_context())
        self.client.will_set(topics.availability, "offline", qos=1, retain=True)
        self.client.reconnect_delay_set(RECONNECT_MIN_S, RECONNECT_MAX_S)
        self.client.max_queued_messages_set(MAX_QUEUED_MESSAGES)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_connect_fail = self._on_connect_fail
        self._said_unreachable = False

    def start(self) -> None:
        """Connects in the background; a broker that is down now is retried, never fatal."""
        self.client.connect_async(self.address.host, self.address.port, KEEPALIVE_S)
        self.client.loop_start()

    def stop(self) -> None:
        """Says offline (retained) and disconnects cleanly; the last will is for unclean ends."""
        if self.connected:
            info = self.client.publish(self.topics.availability, "offline", qos=1, retain=True)
            info.wait_for_publish(timeout=2.0)
        self.client.disconnect()
        self.client.loop_stop()

    def publish_reading(self, record: dict) -> None:
        """The smoothed reading changed: remember it, and publish it if connected."""
        payload = reading_payload(record)
        with self._lock:
            self._latest = payload
        if self.connected:
            self._publish(self.topics.reading, payload, retain=True)

    def publish_stats(self, stats: dict) -> None:
        if self.connected:
            self._publish(self.topics.stats, stats, retain=False)

    # QoS 0: paho would resend an unacknowledged QoS 1 message after a reconnect, behind the
    # fresh state on_connect publishes, and a stale reading or "offline" would end up retained.
    # Every connect publishes the whole state again instead.
    def _publish(self, topic: str, payload: dict | str, retain: bool, qos: int = 0) -> None:
        data = payload if isinstance(payload, str) else json.dumps(payload)
        info = self.client.publish(topic, data, qos=qos, retain=retain)
        if info.rc == 0:
            self.published_total += 1

    def _publish_state(self) -> None:
        self._publish(self.topics.availability, "online", retain=True)
        self._publish_discovery()
        with self._lock:
            latest = self._latest
        if latest is not None:
            self._publish(self.topics.reading, latest, retain=True)

    def _publish_discovery(self) -> None:
        for topic, config in self.topics.discovery(self.sw_version, self.model).items():
            self._publish(topic, config, retain=True)

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self.say(f"MQTT {self.address.describe()} refused the connection: {reason_code}")
            return
        self.connected = True
        self._said_unreachable = False
        self.say(f"MQTT connected to {self.address.describe()}, publishing to {self.topics.base}/")
        if self.topics.ha_status:
            client.subscribe(self.topics.ha_status, qos=1)
        self._publish_state()

    def _on_connect_fail(self, client, userdata) -> None:
        if not self._said_unreachable:  # once, not at every retry
            self._said_unreachable = True
            self.say(f"MQTT {self.address.describe()} cannot be reached; retrying with backoff, reading meanwhile")

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        if self.connected:
            self.say(f"MQTT {self.address.describe()} lost ({reason_code}); reconnecting with backoff")
        self.connected = False

    def _on_message(self, client, userdata, message) -> None:
        # Home Assistant announces itself online after a restart: it needs the configs again.
        if message.topic == self.topics.ha_status and message.payload == b"online":
            self._publish_discovery()
            with self._lock:
                latest = self._latest
            if latest is not None:
                self._publish(self.topics.reading, latest, retain=True)


def stats_payload(state) -> dict:
    """Per-interval numbers for `<prefix>/<device>/stats`."""
    health = state.health()
    return {"fps": round(state.fps, 2), "frames": state.frames_total, "frame_errors": state.frame_errors_total,
            "readings": state.readings_total, "source": health.status,
            "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"), "uptime_s": round(
                time.monotonic() - state.started_at, 1)}
