"""The device side runs without TensorFlow, Keras, train or convert."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

FORBIDDEN = ("tensorflow", "keras", "train", "convert", "matplotlib")


def test_importing_edge_loads_no_tensorflow():
    code = ("import sys, edge, edge.runtime, edge.spec, edge.files; "
            f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_edge_sources_never_import_the_training_side():
    import re
    pattern = re.compile(r"^\s*(import|from)\s+(tensorflow|keras|train|convert)\b", re.M)
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "edge").rglob("*.py")
                 if pattern.search(p.read_text())]
    assert offenders == []
