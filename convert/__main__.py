"""Entry point of `python -m convert`."""

from edge.entry import run_main
from convert.cli import main

run_main(main, "python -m convert")
