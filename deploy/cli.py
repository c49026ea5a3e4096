"""`python -m deploy`: push the edge runner to one Pi or a fleet, or roll back."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import click

from deploy.bundle import REPO, BundleError, build_bundle, pack_bundle
from edge.clicktypes import NonEmptyPath

DEPLOY_DIR = REPO / "deploy"
# user@host[:port], the host a name, an IPv4 address or a bracketed IPv6 one: pi@[::1]:22
TARGET = re.compile(r"^(?:(?P<user>[^@\s]+)@)?(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[^:@\s\[\]]+))"
                    r"(?::(?P<port>\d+))?$")


def inventory_for(pi: str | None, hosts: Path | None, workdir: Path) -> Path:
    """An Ansible inventory: HOSTS as given, or a one-host file for PI=user@host[:port]."""
    if bool(pi) == bool(hosts):
        raise click.UsageError("give exactly one of PI=user@host (one device) or HOSTS=inventory.ini (a fleet)")
    if hosts:
        if not (hosts.is_file() or hosts.is_dir()):  # a file, or a folder of them as Ansible allows
            raise click.UsageError(f"inventory {hosts} not found" if not hosts.exists() else
                                   f"inventory {hosts} is not a file or a folder (a pipe or a device)")
        return hosts
    match = TARGET.match(pi)
    if not match:
        raise click.UsageError(f"PI={pi!r} is not user@host or user@host:port")
    host = match["ipv6"] or match["host"]
    if host.startswith("-"):  # ssh would take it for an option
        raise click.UsageError(f"PI={pi!r}: a host name cannot start with '-'")
    if match["port"] and not 1 <= int(match["port"]) <= 65535:
        raise click.UsageError(f"PI={pi!r}: port {match['port']} is not between 1 and 65535")
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", host)  # an INI host name cannot hold colons
    line = f"{name} ansible_host={host}"
    if match["user"]:
        line += f" ansible_user={match['user']}"
    if match["port"]:
        line += f" ansible_port={match['port']}"
    path = workdir / "inventory.ini"
    path.write_text(f"[pis]\n{line}\n")
    return path


def _ansible_env() -> dict[str, str]:
    return {**os.environ, "ANSIBLE_CONFIG": str(DEPLOY_DIR / "ansible.cfg")}


def _ansible(tool: str) -> str:
    binary = shutil.which(tool) or str(Path(os.sys.executable).parent / tool)
    if not Path(binary).exists():
        raise click.ClickException(f"{tool} not found: `make deploy` installs ansible-core into .venv")
    return binary


def inventory_hosts(inventory: Path) -> list[str]:
    """The hosts an inventory names; an inventory Ansible cannot parse names none.

    ansible-playbook exits 0 having done nothing when no host matches, so the
    inventory is checked first.
    """
    try:
        proc = subprocess.run([_ansible("ansible-inventory"), "-i", str(inventory), "--list"],
                              env=_ansible_env(), capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise click.ClickException(f"ansible-inventory did not finish reading {inventory} in 120 s") from None
    try:
        listed = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return []
    return sorted(listed.get("_meta", {}).get("hostvars", {}))


def require_hosts(inventory: Path) -> Path:
    if not inventory_hosts(inventory):
        raise click.ClickException(f"inventory {inventory} names no host, or Ansible cannot parse it "
                                   "(check it with: ansible-inventory -i INVENTORY --list)")
    return inventory


def run_playbook(playbook: str, inventory: Path, extra: dict, ansible_args: tuple[str, ...]) -> int:
    cmd = [_ansible("ansible-playbook"), "-i", str(inventory), str(DEPLOY_DIR / playbook), "-e", json.dumps(extra),
           *ansible_args]
    return subprocess.call(cmd, env=_ansible_env())


def _finish(rc: int, action: str) -> None:
    if rc != 0:
        reason = {2: "a task failed on some host", 4: "some host was unreachable"}.get(rc, f"exit code {rc}")
        raise click.ClickException(f"{action} did not complete everywhere ({reason}): each host's message "
                                   "is above, the PLAY RECAP lists which hosts succeeded")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Deploy the digit reader to Raspberry Pis with Ansible."""


def _target_options(func):
    for option in reversed([
        click.option("--pi", default=None, help="One device: user@host or user@host:port."),
        click.option("--hosts", type=NonEmptyPath(path_type=Path), default=None,
                     help="A standard Ansible inventory for a fleet."),
        click.option("--prefix", default=None, help="Install root on the device (default /opt/digit-edge)."),
        click.option("--no-service", is_flag=True, help="Do not install the systemd service."),
    ]):
        func = option(func)
    return func


def _host_vars(prefix: str | None, no_service: bool) -> dict:
    extra = {}
    if prefix:
        extra["digit_edge_prefix"] = prefix
    if no_service:
        extra["digit_edge_service"] = False
    return extra


@main.command()
@_target_options
@click.option("--models-dir", type=NonEmptyPath(file_okay=False, path_type=Path), default=Path("models"),
              show_default=True, help="Where `make convert` put the int8 model and the sample.")
@click.option("--source", default=None, help="Camera source for the service (default 0; 'picamera2' on a Pi camera).")
@click.option("--runtime", type=click.Choice(["litert", "tflite-runtime"]), default="litert", show_default=True,
              help="TFLite runtime to install; tflite-runtime is the fallback (numpy < 2, Python <= 3.11).")
@click.option("--serve", is_flag=True,
              help="The service runs `edge serve`: a web page and API on --port, guarded by a token "
                   "the deploy creates on the device and prints.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True,
              help="The web page's port with --serve.")
@click.option("--mqtt", "mqtt_url", default=None,
              help="Publish readings to this broker, mqtt[s]://[user:pass@]host[:port] (implies --serve).")
@click.option("--ha-discovery", is_flag=True, help="Announce the reading to Home Assistant (with --mqtt).")
@click.argument("ansible_args", nargs=-1, type=click.UNPROCESSED)
def push(pi, hosts, prefix, no_service, models_dir, source, runtime, serve, port, mqtt_url, ha_discovery,
         ansible_args) -> None:
    """Ship edge/ and the int8 model, install, smoke-test, switch, (re)start the service."""
    serve_vars = _serve_vars(serve, port, mqtt_url, ha_discovery)
    with tempfile.TemporaryDirectory(prefix="digit-edge-deploy-") as work:
        work = Path(work)
        inventory = require_hosts(inventory_for(pi, hosts, work))
        try:
            release = build_bundle(models_dir, work / "bundle")
        except BundleError as exc:
            raise click.ClickException(str(exc)) from exc
        archive = pack_bundle(work / "bundle", work / f"digit-edge-{release}.tar.gz")
        extra = {"digit_edge_release": release, "digit_edge_bundle": str(work / "bundle"),
                 "digit_edge_archive": str(archive),
                 **_host_vars(prefix, no_service), **serve_vars}
        if source:
            extra["digit_edge_source"] = source
        if runtime != "litert":
            extra["digit_edge_runtime"] = runtime
        click.echo(f"deploying release {release}", err=True)
        _finish(run_playbook("site.yml", inventory, extra, ansible_args), "deploy")


def _serve_vars(serve: bool, port: int, mqtt_url: str | None, ha_discovery: bool) -> dict:
    """The playbook's variables for a service that runs `edge serve`; {} for `edge run`."""
    if ha_discovery and not mqtt_url:
        raise click.UsageError("--ha-discovery announces the reading over MQTT: add --mqtt mqtt://broker")
    if not (serve or mqtt_url):
        return {}
    found = {"digit_edge_serve": True, "digit_edge_serve_port": port,
             "digit_edge_serve_args": ["--ha-discovery"] if ha_discovery else []}
    if mqtt_url:
        from edge.serve.mqtt import parse_broker_url
        try:
            parse_broker_url(mqtt_url)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--mqtt") from exc
        # Not on the command line: the unit file and the process list are readable by every user.
        found["digit_edge_mqtt_url"] = mqtt_url
    return found


@main.command()
@_target_options
@click.argument("ansible_args", nargs=-1, type=click.UNPROCESSED)
def rollback(pi, hosts, prefix, no_service, ansible_args) -> None:
    """Return each host to the release it ran before the last deploy."""
    with tempfile.TemporaryDirectory(prefix="digit-edge-rollback-") as work:
        inventory = require_hosts(inventory_for(pi, hosts, Path(work)))
        _finish(run_playbook("rollback.yml", inventory, _host_vars(prefix, no_service), ansible_args), "rollback")
