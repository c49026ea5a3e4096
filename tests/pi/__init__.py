"""Deploys to a Pi (emulated or real) and proves the service lives: `make test-pi`."""
