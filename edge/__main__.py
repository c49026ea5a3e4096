"""Entry point of `python -m edge`."""

from edge.cli import main
from edge.entry import run_main

run_main(main, "python -m edge")
