"""Entry point of `python -m train`."""

from edge.entry import run_main
from train.cli import main

run_main(main, "python -m train")
