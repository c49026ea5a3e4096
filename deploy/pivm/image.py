"""Builds the emulated Pi's disk image once: debootstrap arm64, a `pi` user, the kernel and initrd.

The image lives in ~/.cache/digit-edge/pi-vm/ ($PI_VM_CACHE overrides). It is built into a
temporary folder beside it and renamed into place; a file holding the recipe's hash is written
last, so a folder without it (a build that died) is never used and is rebuilt.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETUP_SCRIPT = HERE / "setup-image.sh"
DEFAULT_CACHE = Path.home() / ".cache" / "digit-edge" / "pi-vm"
COMPLETE_MARKER = "recipe.sha256"  # written last: its presence and content mean a whole image
DISK_SIZE = "6G"  # sparse; two venvs and a few releases fit
APT_SOURCES = ["/etc/apt/sources.list", *sorted(glob.glob("/etc/apt/sources.list.d/*"))]

# Debian package -> the command that proves it is installed on this (x86) machine.
HOST_TOOLS = {"debootstrap": "debootstrap", "qemu-user-static": "qemu-aarch64-static",
              "qemu-system-arm": "qemu-system-aarch64", "qemu-utils": "qemu-img", "e2fsprogs": "mkfs.ext4",
              "binfmt-support": "update-binfmts", "openssh-client": "ssh"}


class PiVmError(RuntimeError):
    """The emulated Pi cannot be built or started here; the message says why and what to do."""


@dataclass(frozen=True)
class Recipe:
    """Everything that decides the image's content: a change to any of it rebuilds the image."""

    mirror: str
    suite: str = "bookworm"
    arch: str = "arm64"
    packages: tuple[str, ...] = (
        "systemd", "systemd-sysv", "udev", "dbus", "libpam-systemd", "openssh-server", "sudo", "python3",
        "python3-venv", "ca-certificates", "linux-image-arm64", "iproute2", "procps", "kmod")
    setup_script: str = field(default_factory=lambda: SETUP_SCRIPT.read_text())
    # The initrd holds only what mounts the virtio disk: generating one with every module
    # (MODULES=most) runs modinfo on each, emulated, for minutes, and twice during debootstrap.
    initrd_modules: tuple[str, ...] = ("virtio_pci", "virtio_blk", "virtio_net", "ext4", "crc32c_generic")
    disk_size: str = DISK_SIZE

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Image:
    """A complete image folder: what `qemu-system-aarch64` boots and the key `pi` logs in with."""

    folder: Path

    disk = property(lambda self: self.folder / "disk.qcow2")
    kernel = property(lambda self: self.folder / "vmlinuz")
    initrd = property(lambda self: self.folder / "initrd.img")
    key = property(lambda self: self.folder / "id_ed25519")

    def files(self) -> list[Path]:
        return [self.disk, self.kernel, self.initrd, self.key, self.folder / COMPLETE_MARKER]


def debian_mirror(sources: list[str] = APT_SOURCES, suite: str = "bookworm") -> str:
    """The Debian archive this machine's apt uses for SUITE (one-line or deb822 sources)."""
    for path in sources:
        try:
            text = Path(path).read_text()
        except (OSError, UnicodeDecodeError):
            continue
        if path.endswith(".sources"):
            for stanza in re.split(r"\n\s*\n", text):
                fields = dict(re.findall(r"^([A-Za-z-]+):\s*(.+)$", stanza, re.MULTILINE))
                if suite in fields.get("Suites", "").split() and "deb" in fields.get("Types", "").split():
                    return fields["URIs"].split()[0].rstrip("/")
        else:
            for line in text.splitlines():
                match = re.match(r"^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line)
                if match and match[2] == suite:
                    return match[1].rstrip("/")
    raise PiVmError(f"no Debian {suite} archive in this machine's apt sources ({', '.join(sources)}): "
                    "the image is built from the same mirror apt uses here")


def _run(cmd: list[str], log: Callable[[str], None], **kwargs) -> None:
    log("$ " + " ".join(map(str, cmd)))
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    if proc.returncode != 0:
        raise PiVmError(f"{cmd[0]} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}")


def unmount_under(folder: Path) -> None:
    """Unmounts what a chroot left mounted below folder (debootstrap mounts /proc and /sys), deepest first.

    Removing or imaging the tree with them mounted would reach into the host's own /proc and /sys.
    """
    prefix = str(folder.resolve()) + "/"
    with open("/proc/mounts") as mounts:
        points = [line.split()[1].replace("\\040", " ") for line in mounts]
    for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
        subprocess.run(_as_root(["umount", "-l", point]), capture_output=True)


def _remove_build(folder: Path) -> None:
    unmount_under(folder)
    shutil.rmtree(folder, ignore_errors=True)


def _as_root(cmd: list[str]) -> list[str]:
    return cmd if os.geteuid() == 0 else ["sudo", "-n", *cmd]


def ensure_host_tools(log: Callable[[str], None]) -> None:
    """Installs the Debian packages the build and the VM need, when missing, and turns on binfmt."""
    missing = [pkg for pkg, tool in HOST_TOOLS.items()
               if not shutil.which(tool) and not Path("/usr/sbin", tool).exists()]
    if missing:
        log(f"installing {' '.join(missing)} (needed to build and boot the emulated Pi)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                                                   *missing]):
            proc = subprocess.run(_as_root(cmd), capture_output=True, text=True, env=env)
            if proc.returncode != 0:
                raise PiVmError(f"the emulated Pi needs {' '.join(missing)}, which could not be installed "
                                f"({' '.join(cmd[:2])}: {proc.stderr.strip()[-500:]}); "
                                f"install them with: sudo apt-get install {' '.join(missing)}")
    ensure_binfmt(log)


def ensure_binfmt(log: Callable[[str], None]) -> None:
    """arm64 programs must run here (debootstrap's second stage): qemu-user-static through binfmt_misc."""
    entry = Path("/proc/sys/fs/binfmt_misc/qemu-aarch64")
    if not entry.exists():
        if not Path("/proc/sys/fs/binfmt_misc/register").exists():
            subprocess.run(_as_root(["mount", "-t", "binfmt_misc", "binfmt_misc", "/proc/sys/fs/binfmt_misc"]),
                           capture_output=True)
        subprocess.run(_as_root(["update-binfmts", "--enable", "qemu-aarch64"]), capture_output=True)
    if not entry.exists() or "enabled" not in entry.read_text():
        raise PiVmError("this machine cannot run arm64 programs (no binfmt_misc entry for qemu-aarch64): "
                        "the image cannot be built. On Debian: apt-get install qemu-user-static binfmt-support, "
                        "then update-binfmts --enable qemu-aarch64 (a container needs the host to allow binfmt_misc)")


def cached_image(cache: Path, recipe: Recipe) -> Image | None:
    """The cached image when it is complete and built from this very recipe, else None."""
    image = Image(cache)
    marker = cache / COMPLETE_MARKER
    if not all(p.is_file() for p in image.files()) or marker.read_text().strip() != recipe.digest():
        return None
    return image


def build_image(cache: Path = DEFAULT_CACHE, recipe: Recipe | None = None,
                log: Callable[[str], None] = print, force: bool = False) -> Image:
    """The image for the recipe, from the cache when complete and current, else built anew."""
    recipe = recipe or Recipe(mirror=debian_mirror())
    if not force and (image := cached_image(cache, recipe)):
        log(f"pi-vm: using the cached image in {cache}")
        return image
    why = "forced" if force else ("the recipe changed" if (cache / COMPLETE_MARKER).exists()
                                  else "incomplete or absent")
    log(f"pi-vm: building the image into {cache} ({why}; about 10 minutes)")
    ensure_host_tools(log)
    if os.geteuid() != 0:
        raise PiVmError("building the image needs root (debootstrap, chroot): run `sudo make pi-vm` once")
    cache.parent.mkdir(parents=True, exist_ok=True)
    for stale in cache.parent.glob(cache.name + ".tmp-*"):  # builds that died half-way
        _remove_build(stale)
    work = Path(tempfile.mkdtemp(prefix=cache.name + ".tmp-", dir=cache.parent))
    start = time.perf_counter()
    try:
        _build_into(work, recipe, log)
        (work / COMPLETE_MARKER).write_text(recipe.digest() + "\n")
        old = cache.with_name(cache.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if cache.exists():
            cache.rename(old)
        work.rename(cache)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        _remove_build(work)
        raise
    log(f"pi-vm: image built in {time.perf_counter() - start:.0f} s")
    return Image(cache)


def _build_into(work: Path, recipe: Recipe, log: Callable[[str], None]) -> None:
    root = work / "rootfs"
    t0 = time.perf_counter()
    _run(["debootstrap", "--arch", recipe.arch, "--foreign", "--variant=minbase",
          "--include=" + ",".join(recipe.packages), recipe.suite, str(root), recipe.mirror], log)
    log(f"pi-vm: first stage {time.perf_counter() - t0:.0f} s; second stage runs arm64 code emulated")
    # Read when the kernel package is configured in the second stage (dpkg keeps these: --force-confold).
    (root / "etc/initramfs-tools/conf.d").mkdir(parents=True, exist_ok=True)
    (root / "etc/initramfs-tools/conf.d/pi-vm.conf").write_text("MODULES=list\nCOMPRESS=gzip\n")
    (root / "etc/initramfs-tools/modules").write_text("\n".join(recipe.initrd_modules) + "\n")
    _run(["chroot", str(root), "/debootstrap/debootstrap", "--second-stage"], log)
    (root / "etc/apt/sources.list").write_text(f"deb {recipe.mirror} {recipe.suite} main\n")
    _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "digit-edge pi-vm (throwaway)",
          "-f", str(work / "id_ed25519")], log)
    shutil.copy(work / "id_ed25519.pub", root / "tmp/authorized_keys")
    shutil.copy(SETUP_SCRIPT, root / "tmp/setup-image.sh")
    _run(["chroot", str(root), "/bin/sh", "/tmp/setup-image.sh"], log)
    (root / "tmp/setup-image.sh").unlink()
    unmount_under(root)
    kernels = sorted((root / "boot").glob("vmlinuz-*"))
    initrds = sorted((root / "boot").glob("initrd.img-*"))
    if not kernels or not initrds:
        raise PiVmError(f"linux-image-arm64 left no kernel and initrd in {root / 'boot'}")
    shutil.copy(kernels[-1], work / "vmlinuz")
    shutil.copy(initrds[-1], work / "initrd.img")
    # mke2fs copies the tree with owners and modes: no loop device, no mount needed.
    _run(["mkfs.ext4", "-q", "-L", "pi-root", "-d", str(root), str(work / "disk.raw"), recipe.disk_size], log)
    _run(["qemu-img", "convert", "-O", "qcow2", str(work / "disk.raw"), str(work / "disk.qcow2")], log)
    (work / "disk.raw").unlink()
    shutil.rmtree(root)
