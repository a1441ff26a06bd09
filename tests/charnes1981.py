"""The Charnes, Cooper & Rhodes (1981) Program Follow Through data shipped in
tests/fixtures/charnes1981 (see its PROVENANCE.md), for the reference tests."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent / "fixtures" / "charnes1981"


def load() -> tuple[np.ndarray, np.ndarray]:
    """(X, Y): the 70 sites' inputs x1..x5 and outputs y1..y3, in file order."""
    with open(HERE / "charnes1981.csv", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    X = np.array([[float(r[f"x{k}"]) for k in range(1, 6)] for r in rows])
    Y = np.array([[float(r[f"y{k}"]) for k in range(1, 4)] for r in rows])
    return X, Y
