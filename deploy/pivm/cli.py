"""`python -m deploy.pivm`: build the emulated Pi's image, or boot it to try things by hand."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from deploy.pivm.image import DEFAULT_CACHE, PiVmError, build_image


def _say(message: str) -> None:
    click.echo(message, err=True)


def _stop_as_interrupt() -> None:
    """Ctrl-C, a kill and a closed terminal all raise KeyboardInterrupt, once: a second one must not
    cut short what the first started (a power-off, the removal of a half-built image)."""
    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def interrupt(signum, frame):
        for stop in stops:
            signal.signal(stop, signal.SIG_IGN)
        raise KeyboardInterrupt

    for stop in stops:
        signal.signal(stop, interrupt)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """An emulated 64-bit Raspberry Pi (Debian 12 arm64, qemu) for the Pi tests."""


@main.command()
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CACHE,
              envvar="PI_VM_CACHE", show_default=True,
              help="Where the image is kept between runs ($PI_VM_CACHE, as for the Pi tests).")
@click.option("--force", is_flag=True, help="Rebuild even when the cached image is complete and current.")
def build(cache: Path, force: bool) -> None:
    """Build the image once; later runs reuse it until its recipe changes."""
    # A kill (CI stopping a build it started in the background) removes the half-built folder, as
    # Ctrl-C does, instead of leaving it with the chroot's /proc and /sys mounted.
    _stop_as_interrupt()
    try:
        build_image(cache, log=_say, force=force)
    except PiVmError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CACHE,
              envvar="PI_VM_CACHE", show_default=True,
              help="Where the image is kept between runs ($PI_VM_CACHE, as for the Pi tests).")
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the overlay disk and the console log (default: a temporary one).")
def boot(cache: Path, work_dir: Path | None) -> None:
    """Boot a throwaway copy of the image and wait; Ctrl-C, a kill or a closed terminal powers it off."""
    import contextlib
    import tempfile
    import time

    from deploy.pivm.vm import boot_vm

    # A kill or a closed terminal must power the VM off too, not leave qemu running alone.
    _stop_as_interrupt()
    try:
        image = build_image(cache, log=_say)
        with tempfile.TemporaryDirectory(prefix="pi-vm-") as tmp, boot_vm(image, work_dir or Path(tmp),
                                                                            log=_say) as vm:
            _say(f"up: {vm.ssh_hint()}  (make deploy PI={vm.target}; Ctrl-C powers it off)")
            while vm.running():
                time.sleep(1)
    except PiVmError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        with contextlib.suppress(OSError):  # the terminal may be gone (SIGHUP)
            _say("powered off")
