"""The CLI's helpers for `edge serve` (edge.cli): what its options make, the token of its routes (--token,
--token-file) and its MQTT publisher (--mqtt, --ha-discovery), a bad option refused in click's words."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

import click

if TYPE_CHECKING:  # imported where used: the CLI starts without the MQTT module
    from edge.serve.mqtt import MqttPublisher


def web_token(token: str | None, token_file: Path | None) -> str | None:
    """The token every route asks for: --token, or what --token-file holds; None for none."""
    if token is not None and token_file is not None:
        raise click.UsageError("give --token or --token-file, not both")
    if token_file is not None:
        from edge.files import read_small_text
        try:
            token = read_small_text(token_file, max_bytes=4096).strip()
        except OSError as exc:
            raise click.ClickException(f"--token-file {token_file}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise click.ClickException(f"--token-file {token_file} {exc}") from None
    if token is not None and not token.strip():
        raise click.UsageError("the token is empty")
    if token is not None and any(ch.isspace() for ch in token):
        # A query string loses the spaces around it, and a Bearer header holds one line.
        raise click.UsageError("the token has a space or a line break in it: give one word")
    return token


def mqtt_publisher(url: str | None, prefix: str, device_id: str | None, ha_prefix: str | None, model: Path,
                   say: Callable[[str], None]) -> MqttPublisher | None:
    """The MQTT publisher of --mqtt (None without it), announcing to Home Assistant under `ha_prefix`
    when given; `say` reports the broker's comings and goings."""
    if url is None:
        if ha_prefix is not None:
            raise click.UsageError("--ha-discovery announces sensors over MQTT: add --mqtt mqtt://broker")
        return None
    import socket
    from edge.serve.mqtt import MqttPublisher, Topics, check_device_id, default_device_id, parse_broker_url
    try:
        address = parse_broker_url(url)
        device = (check_device_id(device_id) if device_id is not None
                  else default_device_id(socket.gethostname()))
        for name, value in (("--mqtt-prefix", prefix), ("--ha-prefix", ha_prefix or "homeassistant")):
            if not value or any(ch in value for ch in "+#") or value.startswith("/") or value.endswith("/"):
                raise ValueError(f"{name} {value!r}: a topic prefix without +, # or a leading or trailing /")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    from importlib.metadata import PackageNotFoundError, version
    try:
        sw_version = version("digit-edge")
    except PackageNotFoundError:
        sw_version = "dev"
    return MqttPublisher(address, Topics(prefix, device, ha_prefix), say, sw_version, model.name)
