"""Report sections. Each builder looks for its result tables in the run; a missing table gives
a sentence saying so, never an error. Only aggregation for charts happens here (means,
geometric means, sums, shares); every number comes from the warehouse, every column name from
the table contracts (cbec/report/columns.py). The builders live in lineage.py, dea.py,
structure.py and generic.py; this module gathers them."""

from __future__ import annotations

from cbec.report.coevolution import causality, coevolution  # noqa: F401
from cbec.report.common import (  # noqa: F401
    D_LEVELS,
    LAG_COLORS,
    Loader,
    geo_mean,
    numeric_cols,
    province_heatmap,
    province_label,
    region_groups,
    series_over_time,
    time_col,
)  # fmt: skip
from cbec.report.dea import efficiency, production, productivity  # noqa: F401
from cbec.report.generic import generic, others  # noqa: F401
from cbec.report.lineage import lineage  # noqa: F401
from cbec.report.structure import composite, coupling, inequality, synergy  # noqa: F401
