"""`edge serve --mqtt` against Debian's Mosquitto, started by the test on a free loopback port."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field

import pytest

from tests.conftest import free_port
from tests.serve.conftest import start_serve, wait_for

pytestmark = pytest.mark.slow
MOSQUITTO = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None)



class Broker:
    """A Mosquitto process on 127.0.0.1:port, stoppable and restartable on the same port."""

    def __init__(self, tmp_path, extra_config: str = "") -> None:
        if MOSQUITTO is None:
            message = "mosquitto is not installed (apt-get install mosquitto; .ci/run does it)"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        self.port = free_port()
        self.config = tmp_path / "mosquitto.conf"
        # As root, mosquitto drops to the user `mosquitto`, who cannot read the test's private files.
        stay = "user root\n" if os.geteuid() == 0 else ""
        self.config.write_text(f"listener {self.port} 127.0.0.1\npersistence false\n{stay}"
                               + (extra_config or "allow_anonymous true\n"))
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)

        def accepting() -> bool:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False
        wait_for(accepting, 10, "mosquitto to listen")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"


@dataclass
class Subscriber:
    """Everything published under the given topics, in order: (topic, payload text, retained)."""

    port: int
    topics: tuple[str, ...] = ("digit-edge/#", "homeassistant/#")
    messages: list[tuple[str, str, bool]] = field(default_factory=list)
    auth: tuple[str, str] | None = None  # (user, password) for a broker that wants them

    def __post_init__(self) -> None:
        import paho.mqtt.client as mqtt
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        if self.auth:
            self.client.username_pw_set(*self.auth)
        self.client.on_connect = lambda client, *args: [client.subscribe(t, qos=1) for t in self.topics]
        self.client.on_message = lambda client, userdata, m: self.messages.append(
            (m.topic, m.payload.decode(), bool(m.retain)))
        self.client.reconnect_delay_set(0.2, 1)
        self.client.connect_async("127.0.0.1", self.port)
        self.client.loop_start()

    def on(self, suffix: str) -> list[tuple[str, str, bool]]:
        return [m for m in list(self.messages) if m[0].endswith(suffix)]

    def readings(self) -> list[str]:
        return [json.loads(payload)["text"] for _, payload, _ in self.on("/reading")]

    def publish(self, topic: str, payload: str) -> None:
        self.client.publish(topic, payload, qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def broker(tmp_path):
    broker = Broker(tmp_path)
    yield broker
    if broker.process.poll() is None:
        broker.stop()


def _serve(tiny_models, demo_video, broker, *extra):
    return start_serve("--source", demo_video.path, "--smooth", "3", "--min-confidence", "0",
                       "--model", tiny_models / "digits_int8.tflite", "--mqtt", broker.url,
                       "--device-id", "bench-1", *extra)


def test_discovery_availability_and_readings_in_order(tiny_models, demo_video, broker):
    subscriber = Subscriber(broker.port)
    wait_for(lambda: subscriber.client.is_connected(), 10, "the subscriber")
    server = _serve(tiny_models, demo_video, broker, "--ha-discovery")
    try:
        wait_for(lambda: len(subscriber.readings()) >= len(demo_video.texts), 60, "a reading of every scene")
        configs = {topic: json.loads(payload) for topic, payload, _ in subscriber.messages
                   if topic.startswith("homeassistant/")}
        reading_config = configs["homeassistant/sensor/digit_edge_bench-1/reading/config"]
        confidence_config = configs["homeassistant/sensor/digit_edge_bench-1/confidence/config"]
        assert reading_config["state_topic"] == "digit-edge/bench-1/reading"
        assert reading_config["availability_topic"] == "digit-edge/bench-1/availability"
        assert reading_config["unique_id"] != confidence_config["unique_id"]
        assert reading_config["device"]["identifiers"] == confidence_config["device"]["identifiers"]
        assert confidence_config["unit_of_measurement"] == "%"
        assert subscriber.on("/availability")[0][1] == "online"
        assert subscriber.readings()[:len(demo_video.texts)] == demo_video.texts
        payload = json.loads(subscriber.on("/reading")[0][1])
        assert len(payload["digits"]) == len(payload["text"]) and 0 < payload["confidence"] <= 1
        assert payload["timestamp"].endswith("+00:00")

        # Home Assistant restarts and says so: the configs are sent again.
        before = len(subscriber.on("/reading/config"))
        subscriber.publish("homeassistant/status", "online")
        wait_for(lambda: len(subscriber.on("/reading/config")) > before, 10, "discovery sent again")
    finally:
        assert server.stop() == 0
        wait_for(lambda: subscriber.on("/availability")[-1][1] == "offline", 10, "offline on a clean stop")
        subscriber.close()


def test_the_reader_comes_back_when_the_broker_does(tiny_models, demo_video, broker):
    server = _serve(tiny_models, demo_video, broker, "--loop")
    try:
        wait_for(lambda: server.said("MQTT connected"), 30, "a first connection")
        broker.stop()
        wait_for(lambda: server.said("lost"), 30, "the reader to notice the broker went away")
        frames = server.metric("digit_edge_frames_total")
        time.sleep(2)
        assert server.metric("digit_edge_frames_total") > frames, "reading stopped while the broker was down"
        assert server.metric("digit_edge_mqtt_connected") == 0
        broker.start()  # with no persistence: every retained message is gone
        wait_for(lambda: server.metric("digit_edge_mqtt_connected") == 1, 90, "the reader to reconnect")
        fresh = Subscriber(broker.port)
        try:
            # A subscriber that arrives later gets the current state, republished and retained.
            wait_for(lambda: fresh.on("/availability") and fresh.on("/reading"), 20, "the retained state")
            assert fresh.on("/availability")[0][1:] == ("online", True)
            assert json.loads(fresh.on("/reading")[0][1])["text"] in demo_video.texts
        finally:
            fresh.close()
    finally:
        server.stop()


def test_the_last_will_says_offline_when_the_reader_is_killed(tiny_models, demo_video, broker):
    subscriber = Subscriber(broker.port)
    server = _serve(tiny_models, demo_video, broker, "--loop")
    try:
        wait_for(lambda: subscriber.on("/availability"), 30, "online")
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        wait_for(lambda: subscriber.on("/availability")[-1][1] == "offline", 30, "the last will")
    finally:
        server.stop()
        subscriber.close()


def test_a_broker_that_is_down_at_start_is_waited_for(tiny_models, demo_video, broker):
    broker.stop()
    server = _serve(tiny_models, demo_video, broker, "--loop")
    try:
        wait_for(lambda: server.json("/healthz")[0] == 200, 30, "reading without a broker")
        broker.start()
        wait_for(lambda: server.said("MQTT connected"), 90, "the first connection once the broker is up")
    finally:
        server.stop()


def _tls_files(folder) -> dict[str, str]:
    """A throwaway CA and a certificate for localhost signed by it."""
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=digit-edge test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=localhost")
    (folder / "san.ext").write_text("subjectAltName=DNS:localhost\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    return {name: str(folder / f"{name}.pem") for name in ("ca", "server")} | {"key": str(folder / "server.key")}


def test_tls_and_credentials(tiny_models, demo_video, tmp_path):
    if not (shutil.which("openssl") and shutil.which("mosquitto_passwd")):
        pytest.skip("openssl or mosquitto_passwd is missing")
    files = _tls_files(tmp_path)
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(tmp_path / "passwords"), "reader", "s3cret:%$"],
                   check=True, capture_output=True)
    broker = Broker(tmp_path, f"cafile {files['ca']}\ncertfile {files['server']}\nkeyfile {files['key']}\n"
                              f"allow_anonymous false\npassword_file {tmp_path / 'passwords'}\n")
    trust = {"SSL_CERT_FILE": files["ca"]}  # the test CA, as a system trust store would hold it
    model = tiny_models / "digits_int8.tflite"
    try:
        good = start_serve("--source", demo_video.path, "--loop", "--model", model, "--device-id", "tls-1",
                           "--mqtt", f"mqtts://reader:s3cret%3A%25%24@localhost:{broker.port}", env=trust)
        try:
            wait_for(lambda: good.said("MQTT connected to mqtts://reader@localhost"), 30, "a TLS connection")
            assert good.metric("digit_edge_mqtt_connected") == 1
            assert not good.said("s3cret")  # the password is never printed
        finally:
            good.stop()
        wrong = start_serve("--source", demo_video.path, "--loop", "--model", model, "--device-id", "tls-2",
                            "--mqtt", f"mqtts://reader:wrong@localhost:{broker.port}", env=trust)
        try:
            wait_for(lambda: wrong.said("refused the connection"), 30, "the refusal to be said")
            # Healthy while refused, once a frame is read (the refusal may come before the first frame).
            wait_for(lambda: wrong.json("/healthz")[0] == 200, 30, "a frame read while refused")
            assert wrong.metric("digit_edge_mqtt_connected") == 0
        finally:
            wrong.stop()
        untrusted = start_serve("--source", demo_video.path, "--loop", "--model", model, "--device-id", "tls-3",
                                "--mqtt", f"mqtts://reader:s3cret%3A%25%24@localhost:{broker.port}")
        try:
            wait_for(lambda: untrusted.said("cannot be reached"), 30, "a certificate it does not trust refused")
            assert untrusted.metric("digit_edge_mqtt_connected") == 0
        finally:
            untrusted.stop()
    finally:
        broker.stop()


def test_the_reading_payload_and_broker_urls():
    from edge.serve.mqtt import default_device_id, parse_broker_url, reading_payload
    address = parse_broker_url("mqtts://user:p%40ss@broker.local")
    assert (address.host, address.port, address.tls, address.username, address.password) == \
        ("broker.local", 8883, True, "user", "p@ss")
    assert "p@ss" not in address.describe()
    assert parse_broker_url("mqtt://[::1]:1884").describe() == "mqtt://[::1]:1884"
    for bad in ("broker", "http://broker", "mqtt://", "mqtt://b:0x1", "mqtt://b/topic"):
        with pytest.raises(ValueError):
            parse_broker_url(bad)
    assert default_device_id("pi-kitchen.local") == "pi-kitchen"
    assert default_device_id("weird host!") == "weird-host"
    record = {"text": "42", "raw_text": "42", "digits": [{"label": "4", "confidence": 0.9, "box": [0, 0, 1, 1]},
                                                         {"label": "2", "confidence": 0.6, "box": [2, 0, 1, 1]}]}
    payload = reading_payload(record)
    assert payload["text"] == "42" and payload["confidence"] == 0.6 and "box" not in payload["digits"][0]
    assert reading_payload({**record, "raw_text": "47"})["digits"] == []
