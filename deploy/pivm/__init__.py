"""An emulated 64-bit Raspberry Pi (Debian 12 arm64 under qemu) to deploy to in tests."""
