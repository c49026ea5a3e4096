"""The emulated Pi's image cache and settings, without building or booting anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from deploy.pivm.image import COMPLETE_MARKER, Image, PiVmError, Recipe, cached_image, debian_mirror
from deploy.pivm.vm import host_pip_settings, qemu_command


def _complete_cache(folder: Path, recipe: Recipe) -> Path:
    folder.mkdir()
    for name in ("disk.qcow2", "vmlinuz", "initrd.img", "id_ed25519"):
        (folder / name).write_bytes(b"x")
    (folder / COMPLETE_MARKER).write_text(recipe.digest() + "\n")
    return folder


def test_a_complete_cache_of_this_recipe_is_used(tmp_path):
    recipe = Recipe(mirror="http://deb.example/debian")
    cache = _complete_cache(tmp_path / "pi-vm", recipe)
    assert cached_image(cache, recipe) == Image(cache)


def test_a_half_built_cache_is_not_used(tmp_path):
    """A build that died before writing its marker, or lost a file, is rebuilt, never half-used."""
    recipe = Recipe(mirror="http://deb.example/debian")
    cache = _complete_cache(tmp_path / "pi-vm", recipe)
    (cache / COMPLETE_MARKER).unlink()
    assert cached_image(cache, recipe) is None
    cache = _complete_cache(tmp_path / "pi-vm2", recipe)
    (cache / "initrd.img").unlink()
    assert cached_image(cache, recipe) is None
    assert cached_image(tmp_path / "absent", recipe) is None


def test_a_changed_recipe_rebuilds(tmp_path):
    recipe = Recipe(mirror="http://deb.example/debian")
    cache = _complete_cache(tmp_path / "pi-vm", recipe)
    assert cached_image(cache, Recipe(mirror="http://other.example/debian")) is None
    assert cached_image(cache, Recipe(mirror=recipe.mirror, packages=recipe.packages + ("vim",))) is None
    assert cached_image(cache, Recipe(mirror=recipe.mirror, setup_script=recipe.setup_script + "\n")) is None


def test_the_mirror_comes_from_apt_sources_in_either_format(tmp_path):
    deb822 = tmp_path / "debian.sources"
    deb822.write_text("Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n"
                      "Components: main\n\nTypes: deb\nURIs: http://mirror.example/debian/\n"
                      "Suites: bookworm bookworm-updates\nComponents: main\n")
    assert debian_mirror([str(deb822)]) == "http://mirror.example/debian"
    one_line = tmp_path / "sources.list"
    one_line.write_text("# a comment\ndeb [arch=amd64] http://old.example/debian bookworm main contrib\n")
    assert debian_mirror([str(tmp_path / "missing.list"), str(one_line)]) == "http://old.example/debian"
    other = tmp_path / "other.list"
    other.write_text("deb https://packages.example/apt cloud-sdk-bookworm main\n")
    with pytest.raises(PiVmError, match="no Debian bookworm archive"):
        debian_mirror([str(other)])


def test_local_pip_settings_point_at_the_host_as_the_vm_sees_it(monkeypatch, tmp_path):
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nindex-url = http://127.0.0.1:3141/simple\ncert = /host/only/ca.pem\n"
                    "extra-index-url = file:///opt/wheels/simple\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    monkeypatch.setenv("PIP_DEFAULT_TIMEOUT", "180")
    monkeypatch.setenv("PIP_TRUSTED_HOST", "localhost")
    settings = host_pip_settings()
    assert settings["index-url"] == "http://10.0.2.2:3141/simple"
    assert settings["timeout"] == "180" and settings["trusted-host"] == "10.0.2.2"
    assert "extra-index-url" not in settings  # a folder of this machine only
    assert "cert" not in settings  # a host path; the VM trusts the host's CAs through its own store


def test_the_vm_is_pi_shaped_with_only_user_networking(tmp_path):
    image = Image(tmp_path)
    cmd = " ".join(qemu_command(image, tmp_path / "overlay.qcow2", 40022, tmp_path / "console.log"))
    assert "-M virt -cpu cortex-a72 -smp 2 -m 2048" in cmd
    assert "hostfwd=tcp:127.0.0.1:40022-:22" in cmd and cmd.count("-netdev") == 1
    # No option ROM for the network card: qemu without Debian's ipxe-qemu refused to start for it.
    assert "virtio-net-pci,netdev=net0,romfile=" in cmd.split()


def test_help_of_every_pivm_command():
    from deploy.pivm.cli import main
    for command in ([], ["build"], ["boot"]):
        result = CliRunner().invoke(main, [*command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


@pytest.mark.parametrize("command", ["build", "boot"])
def test_the_cache_is_taken_from_pi_vm_cache_as_the_pi_tests_take_it(tmp_path, monkeypatch, command):
    from deploy.pivm import cli

    seen = []

    def refuse(cache, log=None, force=False):
        seen.append(cache)
        raise PiVmError("not building here")

    monkeypatch.setattr(cli, "build_image", refuse)
    monkeypatch.setattr(cli, "_stop_as_interrupt", lambda: None)
    result = CliRunner().invoke(cli.main, [command], env={"PI_VM_CACHE": str(tmp_path / "elsewhere")})
    assert result.exit_code == 1 and "not building here" in result.output
    assert seen == [tmp_path / "elsewhere"]
