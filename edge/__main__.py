"""Entry point of `python -m edge`."""

from edge.cli import main

main(prog_name="python -m edge")
