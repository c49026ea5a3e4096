"""The device the Pi tests deploy to: the emulated Pi booted from `make pi-vm`, or a real one (PI=user@host)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO, _mnist_dir

MODELS = Path(os.environ.get("MODELS", REPO / "models"))
VIDEO_ON_DEVICE = "/srv/digit-edge-test/digits.avi"
VIDEO_DIGITS = 5
VIDEO_FRAMES = 120
# The frames drawn are played this many times over in the video: the service reads it for minutes
# between restarts (an emulated Pi on a fast host read 120 frames in seconds, and a service that
# is between two runs has no process for kill -9 or systemctl stop to meet).
VIDEO_REPEATS = 10
FIGURES: dict[str, object] = {}  # what the checks measured, printed at the end of the run


@dataclass
class Device:
    """Where `make deploy PI=...` goes, and a shell on it as the deploying user."""

    target: str  # user@host[:port], as PI= takes it
    ssh_args: list[str]
    env: dict[str, str]
    vm: object | None = None  # deploy.pivm.vm.Vm when emulated

    def ssh(self, command: str, timeout: float = 600, input: str | bytes | None = None
            ) -> subprocess.CompletedProcess:
        text = not isinstance(input, bytes)
        proc = subprocess.run(["ssh", *self.ssh_args, command], capture_output=True, text=text,
                              timeout=timeout, input=input)
        if not text:
            proc.stdout, proc.stderr = proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
        return proc

    def make(self, target: str, *variables: str, timeout: float = 1800, pi: bool = True
             ) -> subprocess.CompletedProcess:
        """`make TARGET PI=... VARIABLES` in the repository, as a user would type it; the time is kept."""
        env = {k: v for k, v in self.env.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
        start = time.perf_counter()
        target_var = [f"PI={self.target}"] if pi else []
        proc = subprocess.run(["make", "--no-print-directory", target, *target_var, *variables],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
        proc.seconds = time.perf_counter() - start
        return proc

    def journal(self, since: str | None = None) -> list[str]:
        since_arg = f" --since '{since}'" if since else ""
        return self.ssh(f"journalctl -u digit-edge --no-pager -o cat{since_arg}").stdout.splitlines()

    def clock(self) -> str:
        """The device's time now, in the form journalctl --since takes."""
        return self.ssh("date '+%Y-%m-%d %H:%M:%S'").stdout.strip()

    def show(self, *properties: str) -> dict[str, str]:
        out = self.ssh(f"systemctl show digit-edge -p {','.join(properties)}").stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def readings(lines: list[str]) -> list[dict]:
    """The service's JSON reading lines among the journal's lines."""
    out = []
    for line in lines:
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


def wait_for(predicate, timeout: float, interval: float = 3.0):
    """predicate()'s first truthy value within timeout seconds, else None."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > end:
            return value
        time.sleep(interval)


def _real_device(target: str) -> Device:
    match = re.match(r"^(?:(?P<user>[^@]+)@)?(?P<host>[^:]+)(?::(?P<port>\d+))?$", target)
    if not match:
        pytest.fail(f"PI={target!r} is not user@host or user@host:port", pytrace=False)
    args = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=15"]
    if match["port"]:
        args += ["-p", match["port"]]
    args.append(f"{match['user']}@{match['host']}" if match["user"] else match["host"])
    return Device(target, args, dict(os.environ))


@pytest.fixture(scope="session")
def device(tmp_path_factory):
    """A real Pi when PI is set; else the emulated one, booted for this session and powered off after."""
    if os.environ.get("PI"):
        dev = _real_device(os.environ["PI"])
        if dev.ssh("true", timeout=60).returncode != 0:
            pytest.fail(f"cannot log in to {dev.target} with ssh (key login, no password)", pytrace=False)
        yield dev
        return
    from deploy.pivm.image import DEFAULT_CACHE, PiVmError, Recipe, cached_image, debian_mirror
    from deploy.pivm.vm import boot_vm

    cache = Path(os.environ.get("PI_VM_CACHE", DEFAULT_CACHE))
    try:
        image = cached_image(cache, Recipe(mirror=debian_mirror()))
        if image is None:
            pytest.fail(f"no complete emulated-Pi image in {cache}: run `make pi-vm` first "
                        "(`make test-pi` does)", pytrace=False)
        messages = []
        with boot_vm(image, tmp_path_factory.mktemp("pi-vm"), log=messages.append) as vm:
            dev = Device(vm.target, [*vm.ssh_options(), "pi@127.0.0.1"], vm.ansible_env(), vm=vm)
            FIGURES["boot to SSH"] = round(vm.boot_seconds, 1)
            print("\n".join(messages))
            yield dev
    except PiVmError as exc:
        pytest.fail(f"the emulated Pi cannot start: {exc}", pytrace=False)


def _draw_video(path: Path, rng_seed: int = 3) -> str:
    """A short MJPG video of one row of MNIST test digits on paper; returns the digits it shows.

    The row is one the int8 model reads right on this machine in every frame, so a device
    that reads differently is the device's fault.
    """
    from edge.reader import DigitReader
    from edge.runtime import Classifier
    from edge.synth import draw_digits, write_video
    from train.data import load_mnist

    mnist = _mnist_dir()
    if mnist is None:
        pytest.fail("the Pi tests draw their video from MNIST digits: set MNIST_DIR", pytrace=False)
    test = load_mnist(mnist).test
    reader = DigitReader(Classifier(MODELS / "digits_int8.tflite"))
    rng = np.random.default_rng(rng_seed)
    for attempt in range(20):
        idx = rng.choice(len(test.images), VIDEO_DIGITS, replace=False)
        truth = "".join(str(d) for d in test.labels[idx])
        frames = [draw_digits(test.images[idx], size=(240, 320), digit_height_px=40, seed=1000 * attempt + k)
                  for k in range(VIDEO_FRAMES)]
        if all(reader.read(frame).text == truth for frame in frames[:10]):
            write_video(frames * VIDEO_REPEATS, str(path), fps=10.0)
            return truth
    pytest.fail("no row of MNIST digits the model reads right in 20 tries: is models/ the trained model?")


@pytest.fixture(scope="session")
def video(device, tmp_path_factory) -> str:
    """The test's video, on the device at VIDEO_ON_DEVICE; returns the digits it shows."""
    if not (MODELS / "digits_int8.tflite").is_file():
        pytest.fail(f"no model in {MODELS}: run `make train convert` first", pytrace=False)
    path = tmp_path_factory.mktemp("video") / "digits.avi"
    digits = _draw_video(path)
    folder = os.path.dirname(VIDEO_ON_DEVICE)
    put = device.ssh(f"sudo mkdir -p {folder} && sudo tee {VIDEO_ON_DEVICE} >/dev/null && "
                     f"sudo chmod 0644 {VIDEO_ON_DEVICE}", input=path.read_bytes())
    assert put.returncode == 0, f"could not put the video on the device: {put.stderr}"
    return digits


def pytest_terminal_summary(terminalreporter):
    """The figures measured on the device: emulated, they are not a Pi's speed."""
    if FIGURES:
        terminalreporter.write_sep("-", "Pi figures (seconds unless named; an emulated CPU is not a Pi's speed)")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")
