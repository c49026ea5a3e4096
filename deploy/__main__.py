"""Entry point of `python -m deploy`."""

from deploy.cli import main

main(prog_name="python -m deploy")
