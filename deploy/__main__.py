"""Entry point of `python -m deploy`."""

from edge.entry import run_main
from deploy.cli import main

run_main(main, "python -m deploy")
