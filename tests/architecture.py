"""The import contract of the house (docs/DEVELOPING.md, "Layers"): imports run only downward.

Layers, top to bottom; a module may import its own layer and the layers below it, never one
above. Every `import`/`from … import` is read from the source (including imports inside
functions), so a hidden edge counts like any other. Besides the order:
- `measures` (pure maths) imports no other project package except the base layer;
- the base layer imports no other project package;
- no two project modules import each other in a loop (a circle).

`python tests/architecture.py [ROOT]` prints each violation as `file:line: …` and exits 1 when
there is any (`make lint` runs it); tests/test_architecture.py runs it on the tree and on a
deliberately broken one.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

# (layer name, module prefixes) from the top down; the longest matching prefix decides.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cli", ("cbec.cli", "cbec.commands", "cbec.__main__", "cbec.api")),
    ("flows", ("flows",)),
    ("tasks", ("tasks",)),
    ("services", ("cbec.report", "expectations")),
    ("transforms", ("transforms",)),
    ("warehouse", ("warehouse",)),
    ("measures", ("measures",)),
    ("base", ("cbec",)),  # cbec.errors, cbec.paths, cbec.settings, cbec.params, …
)
PACKAGES = ("cbec", "flows", "tasks", "expectations", "transforms", "warehouse", "measures")


@dataclass(frozen=True)
class Edge:
    """One import of a project module by another, with where it is written."""

    source: str
    target: str
    file: str
    line: int


def layer_of(module: str) -> int | None:
    """Index in LAYERS (0 = top) of a project module, None for a module outside the house."""
    best: tuple[int, int] | None = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (index, len(prefix))
    return None if best is None else best[0]


def module_name(root: Path, file: Path) -> str:
    parts = list(file.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module a relative `from . import x` names."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def edges(root: Path) -> list[Edge]:
    """Every import between project modules under `root`."""
    known = {module_name(root, f) for p in PACKAGES for f in (root / p).rglob("*.py")}
    found: list[Edge] = []
    for package in PACKAGES:
        for file in sorted((root / package).rglob("*.py")):
            source = module_name(root, file)
            tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
            for node in ast.walk(tree):
                for target in _targets(source, file.name == "__init__.py", node, known):
                    if target != source and target.split(".")[0] in PACKAGES:
                        rel = str(file.relative_to(root))
                        found.append(Edge(source, target, rel, node.lineno))
    return found


def _targets(source: str, is_package: bool, node: ast.AST, known: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = _resolve(source, is_package, node)
    # `from pkg import submodule` imports the submodule; `from pkg import name` imports pkg
    subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
    return subs or [base]


def violations(root: Path) -> list[str]:
    """Every broken rule of the contract, one line each (empty: the house is in order)."""
    found = edges(root)
    out: list[str] = []
    for e in found:
        mine, theirs = layer_of(e.source), layer_of(e.target)
        if mine is None or theirs is None:
            continue
        name = LAYERS[mine][0]
        if theirs < mine:
            out.append(
                f"{e.file}:{e.line}: upward import: {e.source} ({name}) imports {e.target} "
                f"({LAYERS[theirs][0]})"
            )
        elif name in ("measures", "base") and theirs != len(LAYERS) - 1 and theirs != mine:
            out.append(f"{e.file}:{e.line}: {e.source} ({name}) may import only the base layer")
    out.extend(_circles(found))
    return out


def _circles(found: list[Edge]) -> list[str]:
    """Strongly connected components of more than one module (Tarjan), as readable lines."""
    graph: dict[str, set[str]] = {}
    for e in found:
        graph.setdefault(e.source, set()).add(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [f"import circle: {' <-> '.join(c)}" for c in sorted(circles)]


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    problems = violations(root)
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} import-contract violation(s); see tests/architecture.py")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
