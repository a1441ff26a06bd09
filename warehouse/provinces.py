"""Province names in any common form → GB/T 2260 two-digit codes.

Accepted: full Chinese names (北京市, 内蒙古自治区), short names (北京, 内蒙古), names with
full-width or ASCII spaces (北  京), Hanyu Pinyin as in CHNCapitalStock (neimenggu, shaanxi), English
names (Beijing, Inner Mongolia, Tibet), and codes in 2, 6 or 12 digits (11, 110000, 110000000000).
"""

from __future__ import annotations

import functools
import re

# code, full name, short name, pinyin (lower, no tones, as used by common datasets), English
PROVINCES: list[tuple[str, str, str, str, str]] = [
    ("11", "北京市", "北京", "beijing", "Beijing"),
    ("12", "天津市", "天津", "tianjin", "Tianjin"),
    ("13", "河北省", "河北", "hebei", "Hebei"),
    ("14", "山西省", "山西", "shanxi", "Shanxi"),
    ("15", "内蒙古自治区", "内蒙古", "neimenggu", "Inner Mongolia"),
    ("21", "辽宁省", "辽宁", "liaoning", "Liaoning"),
    ("22", "吉林省", "吉林", "jilin", "Jilin"),
    ("23", "黑龙江省", "黑龙江", "heilongjiang", "Heilongjiang"),
    ("31", "上海市", "上海", "shanghai", "Shanghai"),
    ("32", "江苏省", "江苏", "jiangsu", "Jiangsu"),
    ("33", "浙江省", "浙江", "zhejiang", "Zhejiang"),
    ("34", "安徽省", "安徽", "anhui", "Anhui"),
    ("35", "福建省", "福建", "fujian", "Fujian"),
    ("36", "江西省", "江西", "jiangxi", "Jiangxi"),
    ("37", "山东省", "山东", "shandong", "Shandong"),
    ("41", "河南省", "河南", "henan", "Henan"),
    ("42", "湖北省", "湖北", "hubei", "Hubei"),
    ("43", "湖南省", "湖南", "hunan", "Hunan"),
    ("44", "广东省", "广东", "guangdong", "Guangdong"),
    ("45", "广西壮族自治区", "广西", "guangxi", "Guangxi"),
    ("46", "海南省", "海南", "hainan", "Hainan"),
    ("50", "重庆市", "重庆", "chongqing", "Chongqing"),
    ("51", "四川省", "四川", "sichuan", "Sichuan"),
    ("52", "贵州省", "贵州", "guizhou", "Guizhou"),
    ("53", "云南省", "云南", "yunnan", "Yunnan"),
    ("54", "西藏自治区", "西藏", "xizang", "Tibet"),
    ("61", "陕西省", "陕西", "shaanxi", "Shaanxi"),
    ("62", "甘肃省", "甘肃", "gansu", "Gansu"),
    ("63", "青海省", "青海", "qinghai", "Qinghai"),
    ("64", "宁夏回族自治区", "宁夏", "ningxia", "Ningxia"),
    ("65", "新疆维吾尔自治区", "新疆", "xinjiang", "Xinjiang"),
]

CODES: tuple[str, ...] = tuple(p[0] for p in PROVINCES)
NAME_ZH: dict[str, str] = {p[0]: p[2] for p in PROVINCES}
NAME_EN: dict[str, str] = {p[0]: p[4] for p in PROVINCES}

# Names that stand for the nation or aggregates: rows a reader skips, not errors.
NATIONAL = {"全国", "全国合计", "合计", "总计", "中国", "china", "national", "total", "全  国"}

_EXTRA = {
    "内蒙": "15",
    "innermongolia": "15",
    "neimongol": "15",
    "xizangautonomousregion": "54",
    "guangxizhuang": "45",
    "ningxiahui": "64",
    "xinjianguygur": "65",
    "xinjianguyghur": "65",
    "shaanxiprovince": "61",
    "shanxiprovince": "14",
}


_SPACE = re.compile(r"[\s\u3000\u00a0]+")


@functools.lru_cache(maxsize=65536)
def _key(name: str) -> str:
    """The lookup key of a name (no spaces, quotes, dashes; lower case); cached: readers ask
    for the same few hundred names hundreds of thousands of times."""
    s = _SPACE.sub("", str(name)).strip().lower()
    return s.replace("'", "").replace("-", "").replace("_", "")


_LOOKUP: dict[str, str] = {}
for _code, _full, _short, _pinyin, _en in PROVINCES:
    for _n in (_full, _short, _pinyin, _en):
        _LOOKUP[_key(_n)] = _code
    _LOOKUP[_code] = _code
    _LOOKUP[_code + "0000"] = _code
    _LOOKUP[_code + "0000000000"] = _code
for _n, _c in _EXTRA.items():
    _LOOKUP[_key(_n)] = _c


_NATIONAL_KEYS = frozenset(_key(n) for n in NATIONAL)


def is_national(name: str) -> bool:
    return _key(name) in _NATIONAL_KEYS


def province_code(name: object) -> str | None:
    """The two-digit GB/T 2260 code of a province name/code, or None if unknown."""
    if name is None:
        return None
    if isinstance(name, int | float):
        name = str(int(name))
    k = _key(str(name))
    if k.endswith(".0") and k[:-2].isdigit():
        k = k[:-2]
    code = _LOOKUP.get(k)
    if (
        code is None
        and k.isdigit()
        and len(k) in (6, 12)
        and k[:2] in CODES
        and set(k[2:]) == {"0"}
    ):
        code = k[:2]
    return code
