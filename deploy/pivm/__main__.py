"""Entry point of `python -m deploy.pivm`."""

from deploy.pivm.cli import main
from edge.entry import run_main

run_main(main, "python -m deploy.pivm")
