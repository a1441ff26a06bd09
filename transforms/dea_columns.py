"""Named result columns of a radial DEA (METHODS §9.1), shared by the pipeline's efficiency
table (transforms/efficiency.py) and `cbec dea` — kept apart so that the command imports no
pipeline parameters."""

from __future__ import annotations

from typing import Any


def slack_target_columns(result: Any, inputs: list[str], outputs: list[str]) -> dict[str, Any]:
    """slack_<variable> and target_<variable> columns of a radial DEA result (METHODS §9.1),
    inputs then outputs — shared by the pipeline's table and `cbec dea`."""
    cols: dict[str, Any] = {}
    for kind, ins, outs in (("slack", result.slack_in, result.slack_out),
                            ("target", result.target_in, result.target_out)):  # fmt: skip
        for k, v in enumerate(inputs):
            cols[f"{kind}_{v}"] = ins[:, k]
        for k, v in enumerate(outputs):
            cols[f"{kind}_{v}"] = outs[:, k]
    return cols
