"""measures/ is pure: solving DEA LPs prints nothing on stdout (HiGHS 1.16 writes its banner to
fd 1 from the C++ constructor of the first Highs of a process, before any option such as
output_flag can be set; measures.dea._highs hides exactly that one construction)."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import numpy as np
from measures.dea import radial_efficiency
X = np.array([[2.0, 3.0], [4.0, 1.0], [3.0, 3.0]]); Y = np.ones((3, 1))
r = radial_efficiency(X, Y)
assert r.status.tolist() == ["optimal"] * 3
"""


def test_dea_solves_print_nothing():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    assert out.stdout == ""
    assert "HiGHS" not in out.stderr
