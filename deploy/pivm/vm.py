"""Boots a copy-on-write overlay of the Pi image under qemu-system-aarch64 and reaches it over SSH."""

from __future__ import annotations

import configparser
import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from deploy.pivm.image import Image, PiVmError

MEMORY_MB = 2048
CPUS = 2
SSH_TIMEOUT_S = 300  # boot to SSH took about a minute emulated on 2 x86 cores
HOST_FROM_VM = "10.0.2.2"  # qemu's user network: the host, as the VM sees it
HOST_CA_DIR = Path("/usr/local/share/ca-certificates")  # the host's CAs beyond Debian's own
PIP_KEYS = ("index-url", "extra-index-url", "trusted-host", "timeout", "proxy", "retries")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Vm:
    """A running emulated Pi: `pi` over SSH on a loopback port."""

    process: subprocess.Popen
    port: int
    key: Path
    known_hosts: Path
    console_log: Path
    user: str = "pi"
    boot_seconds: float = 0.0  # start of qemu to the first SSH login

    @property
    def target(self) -> str:
        return f"{self.user}@127.0.0.1:{self.port}"

    def ssh_options(self) -> list[str]:
        return ["-i", str(self.key), "-p", str(self.port), "-o", "IdentitiesOnly=yes",
                "-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "StrictHostKeyChecking=accept-new",
                "-o", "ConnectTimeout=10", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"]

    def ssh_hint(self) -> str:
        return f"ssh {' '.join(self.ssh_options())} {self.user}@127.0.0.1"

    def ssh(self, command: str, timeout: float = 600, check: bool = False,
            input: str | None = None) -> subprocess.CompletedProcess:
        """Runs a shell command on the VM as `pi`; stdout and stderr as text."""
        proc = subprocess.run(["ssh", *self.ssh_options(), f"{self.user}@127.0.0.1", command],
                              capture_output=True, text=True, timeout=timeout, input=input)
        if check and proc.returncode != 0:
            raise PiVmError(f"on the VM, `{command}` failed (exit {proc.returncode}): {proc.stderr.strip()[-800:]}")
        return proc

    def ansible_env(self) -> dict[str, str]:
        """Environment for a plain `make deploy PI=pi@127.0.0.1:PORT`: the throwaway key, its own known_hosts."""
        return {**os.environ, "ANSIBLE_PRIVATE_KEY_FILE": str(self.key),
                "ANSIBLE_SSH_COMMON_ARGS": f"-o UserKnownHostsFile={self.known_hosts} -o IdentitiesOnly=yes"}

    def running(self) -> bool:
        return self.process.poll() is None

    def console_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.console_log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no console output)"

    def qemu_errors(self) -> str:
        """What qemu printed on stderr (it says why it would not start there, not on the console)."""
        path = self.console_log.with_name("qemu.stderr")
        text = path.read_text(errors="replace").strip() if path.exists() else ""
        return text[-800:] or "(qemu printed nothing)"

    def wait_for_ssh(self, timeout: float = SSH_TIMEOUT_S) -> float:
        """Seconds until `pi` could log in; PiVmError with the console's last lines on a timeout."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if not self.running():
                raise PiVmError(f"qemu exited (code {self.process.returncode}) before SSH came up: "
                                f"{self.qemu_errors()}; console:\n{self.console_tail()}")
            try:
                if self.ssh("true", timeout=30).returncode == 0:
                    return time.perf_counter() - start
            except subprocess.TimeoutExpired:
                pass
            time.sleep(2)
        raise PiVmError(f"the emulated Pi did not answer SSH on 127.0.0.1:{self.port} within {timeout:.0f} s; "
                        f"console ({self.console_log}):\n{self.console_tail()}")


def qemu_command(image: Image, overlay: Path, port: int, console_log: Path) -> list[str]:
    """A Pi 4-like machine: Cortex-A72, 2 cores, 2 GiB; the only network is user mode with SSH forwarded.

    The network card boots no option ROM (romfile=): the kernel is given directly, and without it qemu
    needs Debian's ipxe-qemu, which a qemu installed without its recommended packages lacks.
    """
    return ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a72", "-smp", str(CPUS), "-m", str(MEMORY_MB),
            "-kernel", str(image.kernel), "-initrd", str(image.initrd),
            "-append", "root=/dev/vda rw console=ttyAMA0 systemd.show_status=0",
            "-drive", f"file={overlay},if=none,id=root,format=qcow2", "-device", "virtio-blk-pci,drive=root",
            "-netdev", f"user,id=net0,hostfwd=tcp:127.0.0.1:{port}-:22", "-device", "virtio-net-pci,netdev=net0,romfile=",
            "-device", "virtio-rng-pci", "-display", "none", "-monitor", "none",
            "-serial", f"file:{console_log}"]


def make_overlay(image: Image, overlay: Path) -> None:
    """A copy-on-write disk over the cached image: the image itself is never written."""
    proc = subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", str(image.disk),
                           str(overlay)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise PiVmError(f"qemu-img could not create the overlay: {proc.stderr.strip()}")


@contextlib.contextmanager
def boot_vm(image: Image, work_dir: Path, log: Callable[[str], None] = print,
            timeout: float = SSH_TIMEOUT_S) -> Iterator[Vm]:
    """Boots the image, waits for SSH, brings in the host's CAs and pip settings; powers off on exit."""
    if not shutil.which("qemu-system-aarch64"):
        raise PiVmError("qemu-system-aarch64 is not installed (apt-get install qemu-system-arm): "
                        "the emulated Pi cannot start")
    work_dir.mkdir(parents=True, exist_ok=True)
    overlay, console_log = work_dir / "overlay.qcow2", work_dir / "console.log"
    make_overlay(image, overlay)
    port = _free_port()
    cmd = qemu_command(image, overlay, port, console_log)
    log("pi-vm: " + " ".join(cmd))
    process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=open(work_dir / "qemu.stderr", "w"))
    vm = Vm(process, port, image.key, work_dir / "known_hosts", console_log)
    try:
        boot_s = vm.wait_for_ssh(timeout)
        log(f"pi-vm: SSH up after {boot_s:.0f} s on 127.0.0.1:{port}")
        vm.boot_seconds = boot_s
        bring_in_host_trust(vm, log)
        yield vm
    finally:
        power_off(vm)


def power_off(vm: Vm, timeout: float = 60) -> None:
    if not vm.running():
        return
    with contextlib.suppress(subprocess.TimeoutExpired, OSError):
        vm.ssh("sudo systemctl poweroff", timeout=15)
    try:
        vm.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        vm.process.kill()
        vm.process.wait()


def host_pip_settings() -> dict[str, str]:
    """This machine's pip settings that matter inside the VM (index, trusted hosts, proxy, timeout).

    Read from pip's own configuration files and PIP_* variables; a local address becomes the
    host as the VM sees it. Certificates are not copied as a path: the VM trusts the same CAs.
    """
    settings: dict[str, str] = {}
    files = [Path("/etc/pip.conf"), Path("/etc/xdg/pip/pip.conf"), Path.home() / ".config/pip/pip.conf",
             Path.home() / ".pip/pip.conf"]
    if os.environ.get("PIP_CONFIG_FILE"):
        files.append(Path(os.environ["PIP_CONFIG_FILE"]))
    for path in files:
        parser = configparser.ConfigParser()
        with contextlib.suppress(OSError, configparser.Error):
            parser.read(path)
            for section in ("global", "install"):
                if parser.has_section(section):
                    settings.update({k: v for k, v in parser.items(section) if k in PIP_KEYS})
    for key in (*PIP_KEYS, "default-timeout"):  # pip takes --default-timeout for --timeout
        value = os.environ.get("PIP_" + key.upper().replace("-", "_"))
        if value:
            settings[key.replace("default-", "")] = value
    proxy = os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy")
    if proxy and "proxy" not in settings:
        settings["proxy"] = proxy
    for key in ("index-url", "extra-index-url"):  # a file:// index is a folder of this machine only
        if key in settings:
            settings[key] = " ".join(url for url in settings[key].split() if not url.startswith("file:"))
    local = r"(?<![\w.-])(127\.0\.0\.1|localhost|\[::1\])(?![\w.-])"
    return {k: re.sub(local, HOST_FROM_VM, v) for k, v in settings.items() if v}


def bring_in_host_trust(vm: Vm, log: Callable[[str], None] = print) -> None:
    """The host's extra CAs into the VM's trust store, and its pip settings into /etc/pip.conf.

    The package registries may be reached through a proxy whose certificate only this machine's
    system trust store holds; pip in the VM must trust it too.
    """
    certificates = sorted(HOST_CA_DIR.rglob("*.crt")) if HOST_CA_DIR.is_dir() else []
    # Kept in /usr/local/share/ca-certificates for a later update-ca-certificates, and appended to
    # the bundle now: update-ca-certificates itself takes minutes on an emulated CPU.
    for i, cert in enumerate(certificates):
        name = f"/usr/local/share/ca-certificates/host-{i}-{cert.name}"
        vm.ssh(f"sudo tee {name} >/dev/null && sudo sh -c 'cat {name} >> /etc/ssl/certs/ca-certificates.crt'",
               check=True, input=cert.read_text(), timeout=60)
    pip_conf = "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n" + "".join(
        f"{k} = {v}\n" for k, v in sorted(host_pip_settings().items()))
    vm.ssh("sudo tee /etc/pip.conf >/dev/null", check=True, input=pip_conf, timeout=60)
    log(f"pi-vm: {len(certificates)} host CA certificate(s) trusted in the VM; /etc/pip.conf:\n{pip_conf.strip()}")
