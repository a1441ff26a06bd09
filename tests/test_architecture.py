"""The import contract (tests/architecture.py) holds on the tree, and the checker catches a
deliberate upward import, a pure-maths module importing the warehouse, and a circle."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.architecture import PACKAGES, layer_of, main, violations

ROOT = Path(__file__).resolve().parent.parent


def test_the_house_imports_only_downward() -> None:
    assert violations(ROOT) == []


def _copy_tree(dest: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, dest / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return dest


def test_a_deliberate_upward_import_fails(tmp_path: Path, capsys) -> None:
    root = _copy_tree(tmp_path)
    target = root / "warehouse" / "provinces.py"
    target.write_text(
        target.read_text() + "\n\ndef _bad():\n    from flows.refresh import refresh\n"
    )
    found = violations(root)
    assert any(
        "warehouse/provinces.py" in v and "upward import" in v and "flows.refresh" in v
        for v in found
    ), found
    assert main(["architecture", str(root)]) == 1
    assert (
        "upward import: warehouse.provinces (warehouse) imports flows.refresh"
        in capsys.readouterr().out
    )


def test_measures_may_not_reach_into_the_warehouse(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    target = root / "measures" / "periods.py"
    target.write_text(target.read_text() + "\nimport warehouse.provinces  # noqa\n")
    assert any("measures.periods" in v and "upward import" in v for v in violations(root))


def test_a_circle_is_found(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    (root / "transforms" / "loop_a.py").write_text("from transforms import loop_b\n")
    (root / "transforms" / "loop_b.py").write_text("from transforms.loop_a import x\n")
    assert "import circle: transforms.loop_a <-> transforms.loop_b" in violations(root)


def test_layers_are_read_by_the_longest_prefix() -> None:
    assert layer_of("cbec.commands.dea") == 0
    assert layer_of("cbec.report.page") < layer_of("transforms.labour") < layer_of("cbec.errors")
    assert layer_of("numpy") is None
