"""The model description of CFA/SEM (METHODS §10.4): a lavaan-syntax model parsed into
`ModelSpec` (measurement blocks, observed variables, labels, '#! efa' blocks)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NAME = r"[A-Za-z_][A-Za-z0-9_.]*"


@dataclass
class ModelSpec:
    """A lavaan-syntax model: the text semopy receives plus what we need to read its output."""

    text: str
    measurement: dict[str, list[str]]  # latent → indicators, in file order
    observed: list[str]  # observed variables, in first-mention order
    labels: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (lhs, op, rhs) → label
    efa_blocks: dict[str, list[str]] = field(default_factory=dict)  # from '#! efa NAME: items'

    @property
    def latents(self) -> list[str]:
        return list(self.measurement)


def _terms(rhs: str) -> list[tuple[str | None, str]]:
    out = []
    for term in rhs.split("+"):
        term = term.strip()
        if not term:
            continue
        if "*" in term:
            mod, var = (s.strip() for s in term.rsplit("*", 1))
        else:
            mod, var = None, term
        out.append((mod, var))
    return out


def _expand_items(spec: str) -> list[str]:
    """'C1-C13 C20' → [C1 … C13, C20] (ranges of a common prefix and integer suffix)."""
    items: list[str] = []
    for tok in re.split(r"[\s,]+", spec.strip()):
        if not tok:
            continue
        m = re.fullmatch(r"([A-Za-z_]+)(\d+)-\1?(\d+)", tok)
        if m:
            pre, a, b = m.group(1), int(m.group(2)), int(m.group(3))
            items += [f"{pre}{i}" for i in range(a, b + 1)]
        else:
            items.append(tok)
    return items


def parse_model(text: str) -> ModelSpec:
    """Parse lavaan syntax (`=~`, `~`, `~~`, labels `name*var`, fixed values `1*var`).

    Comments start with '#'. Directive lines '#! efa NAME: C1-C13' declare the item blocks
    (sub-scales) on which EFA and KMO/Bartlett are run; they are ignored by the model."""
    measurement: dict[str, list[str]] = {}
    labels: dict[tuple[str, str, str], str] = {}
    blocks: dict[str, list[str]] = {}
    names: list[str] = []
    clean: list[str] = []
    for raw in text.splitlines():
        d = re.match(r"^\s*#!\s*efa\s+([^:]+):(.*)$", raw)
        if d:
            blocks[d.group(1).strip()] = _expand_items(d.group(2))
            continue
        line = raw.split("#", 1)[0].strip()
        for stmt in (s.strip() for s in line.split(";")):
            if not stmt:
                continue
            m = re.match(rf"^({_NAME})\s*(=~|~~|~)\s*(.+)$", stmt)
            if not m:
                raise ValueError(f"cannot parse model line: {stmt!r}")
            lhs, op, rhs = m.groups()
            if lhs not in names:
                names.append(lhs)
            for mod, var in _terms(rhs):
                if not re.fullmatch(_NAME, var):
                    raise ValueError(f"bad variable name {var!r} in: {stmt!r}")
                if var not in names:
                    names.append(var)
                if op == "=~":
                    measurement.setdefault(lhs, []).append(var)
                if mod is not None and not _is_number(mod) and mod != "NA":
                    labels[(lhs, op, var)] = mod
            clean.append(stmt)
    if not clean:
        raise ValueError("the model description is empty")
    observed = [n for n in names if n not in measurement]
    return ModelSpec("\n".join(clean), measurement, observed, labels, blocks)


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False
