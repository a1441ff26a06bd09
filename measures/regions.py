"""Region schemes for group decompositions (METHODS §0, §5.3–5.4).

`NBS4` (DEFAULT `region_scheme = "nbs4"`): National Bureau of Statistics,
"东西中部和东北地区划分方法" (stats.gov.cn, 2011-06-13) — East 10, Central 6, West 12,
Northeast 3.

`THREE_BELT` (`"belt3"`): the older three economic belts 东/中/西 as used in the yearbooks
after the 2000 Western Development programme (Inner Mongolia and Guangxi in the West,
Liaoning in the East, Jilin and Heilongjiang in the Centre) — East 11, Central 8, West 12.
`THREE_BELT_1986` (`"belt3_1986"`): the original Seventh Five-Year Plan division (1986), in
which Guangxi belongs to the East and Inner Mongolia to the Centre (Chongqing, a province only
since 1997, is placed with Sichuan in the West).

The schemes must not be mixed (METHODS §0): every result row that depends on a scheme carries
its name. Keys are GB/T 2260 two-digit codes "11".."65" (31 mainland provinces).
"""

from __future__ import annotations

DEFAULT_SCHEME = "nbs4"

NBS4: dict[str, str] = {
    **dict.fromkeys(["11", "12", "13", "31", "32", "33", "35", "37", "44", "46"], "East"),
    **dict.fromkeys(["14", "34", "36", "41", "42", "43"], "Central"),
    **dict.fromkeys(
        ["15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"], "West"
    ),
    **dict.fromkeys(["21", "22", "23"], "Northeast"),
}

THREE_BELT: dict[str, str] = {
    **dict.fromkeys(["11", "12", "13", "21", "31", "32", "33", "35", "37", "44", "46"], "East"),
    **dict.fromkeys(["14", "22", "23", "34", "36", "41", "42", "43"], "Central"),
    **dict.fromkeys(
        ["15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"], "West"
    ),
}

THREE_BELT_1986: dict[str, str] = {
    **dict.fromkeys(
        ["11", "12", "13", "21", "31", "32", "33", "35", "37", "44", "45", "46"], "East"
    ),
    **dict.fromkeys(["14", "15", "22", "23", "34", "36", "41", "42", "43"], "Central"),
    **dict.fromkeys(["50", "51", "52", "53", "54", "61", "62", "63", "64", "65"], "West"),
}

#: Chinese names of the region labels.
LABEL_ZH = {"East": "东部", "Central": "中部", "West": "西部", "Northeast": "东北"}

_SCHEMES = {"nbs4": NBS4, "belt3": THREE_BELT, "belt3_1986": THREE_BELT_1986}
SCHEME_NAMES: tuple[str, ...] = tuple(_SCHEMES)


def region_mapping(scheme: str = DEFAULT_SCHEME) -> dict[str, str]:
    """Code → region label for a scheme name (`nbs4`, `belt3`, `belt3_1986`); a copy."""
    try:
        return dict(_SCHEMES[scheme])
    except KeyError:
        raise ValueError(
            f"unknown region scheme {scheme!r}; choose one of {', '.join(SCHEME_NAMES)}"
        ) from None


def regions_of(codes: list[str], scheme: str = DEFAULT_SCHEME) -> list[str]:
    """Region label of each code; raises on a code the scheme does not know."""
    m = _SCHEMES.get(scheme) or region_mapping(scheme)
    unknown = sorted({c for c in codes if c not in m})
    if unknown:
        raise ValueError(f"region scheme {scheme!r} has no province code(s) {unknown}")
    return [m[c] for c in codes]
