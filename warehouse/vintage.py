"""Vintages: the edition (publication date) of a source file, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.

Vintages are compared as dates, never as text: `2026-3` is not a vintage (months and days are
two digits), and `vintage_sort_key` gives the canonical 'YYYY-MM-DD' of the first day the label
covers (`2026` → '2026-01-01', `2026-03` → '2026-03-01'), so sorting the keys sorts the dates.
"""

from __future__ import annotations

import datetime as dt
import re

_VINTAGE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
FORMAT_HELP = "expected YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2026, 2026-03, 2026-03-15)"


class VintageError(ValueError):
    """A vintage label that is not YYYY, YYYY-MM or YYYY-MM-DD, or not a real date."""


def parse_vintage(s: object) -> dt.date:
    """The first day a vintage label covers; VintageError if it is malformed or not a date."""
    text = str(s).strip() if s is not None else ""
    m = _VINTAGE.match(text)
    if not m:
        raise VintageError(f"invalid vintage {s!r}: {FORMAT_HELP}")
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        d = dt.date(year, month, day)
    except ValueError as exc:
        raise VintageError(f"invalid vintage {s!r}: {exc}") from None
    if year < 1949:
        raise VintageError(f"invalid vintage {s!r}: before 1949")
    return d


def validate_vintage(s: object, *, not_after: dt.date | None = None) -> str:
    """The label itself (stripped) if it is a valid vintage, else VintageError. A label dated
    in the future is allowed (an edition announced ahead) unless `not_after` is given."""
    d = parse_vintage(s)
    if not_after is not None and d > not_after:
        raise VintageError(f"invalid vintage {s!r}: after {not_after.isoformat()}")
    return str(s).strip()


def vintage_sort_key(s: object) -> str:
    """'YYYY-MM-DD' of the vintage (string order = date order); '' for a missing vintage, so
    an undated file ranks below every dated one."""
    if s is None or str(s).strip() == "":
        return ""
    return parse_vintage(s).isoformat()


def default_vintage(today: dt.date | None = None) -> str:
    """This month, YYYY-MM (the vintage of a file added without --vintage)."""
    return (today or dt.date.today()).isoformat()[:7]
