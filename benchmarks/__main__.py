"""Entry point of `python -m benchmarks`."""

from edge.entry import run_main
from benchmarks.cli import main

run_main(main, "python -m benchmarks")
