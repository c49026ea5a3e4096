"""Entry point of `python -m train`."""

import os

# TensorFlow's C++ start-up lines (oneDNN, CPU features, CUDA stubs) name nothing of ours: its
# errors only, unless the user asks for more.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from edge.entry import run_main  # noqa: E402
from train.cli import main  # noqa: E402

run_main(main, "python -m train")
