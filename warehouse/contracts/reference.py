"""Contract of ref.regions: the 31 mainland provinces with names and NBS region, loaded by every
run from warehouse/provinces.py and measures/regions.py (METHODS §0)."""

from __future__ import annotations

from warehouse.contracts.base import Column, Table

REGIONS = Table(
    "ref", "regions",
    "The 31 mainland provinces: GB/T 2260 code, names and NBS four-region scheme; join any "
    "region_code to it", "§0",
    (
        Column("region_code", "VARCHAR", "", "GB/T 2260 two-digit province code (primary key)", key=True, not_null=True),
        Column("name_zh", "VARCHAR", "", "full Chinese name (e.g. 内蒙古自治区)", not_null=True),
        Column("short_zh", "VARCHAR", "", "short Chinese name (e.g. 内蒙古)", not_null=True),
        Column("name_en", "VARCHAR", "", "English name (e.g. Inner Mongolia)", not_null=True),
        Column("pinyin", "VARCHAR", "", "Hanyu Pinyin without tones, as in CHNCapitalStock", not_null=True),
        Column("nbs_region", "VARCHAR", "", "NBS four-region scheme (2011): East, Central, West or Northeast", not_null=True),
        Column("nbs_region_zh", "VARCHAR", "", "NBS region in Chinese: 东部, 中部, 西部, 东北", not_null=True),
    ),
    versioned=False, extra_sql="PRIMARY KEY (region_code)",
)  # fmt: skip


def region_rows() -> list[tuple[str, ...]]:
    """Rows of ref.regions, in code order."""
    from measures.regions import LABEL_ZH, NBS4
    from warehouse.provinces import PROVINCES

    return [
        (code, full, short, en, pinyin, NBS4[code], LABEL_ZH[NBS4[code]])
        for code, full, short, pinyin, en in PROVINCES
    ]


TABLES = (REGIONS,)
