"""Benchmark of reading bounds (issue 16, deliver 1): `python -m bench.readers [MB]`.

Builds, in a temporary folder, files of about MB megabytes (default 200) and reads each with
`warehouse.readers.read_source` in a fresh process, reporting wall time and peak RSS
(`ru_maxrss` of the child) against the bound 4 × file size + 200 MB:

  * used-range CSV: the real NBS 2024 export (31 provinces × 14 indicators) where every row
    carries thousands of trailing empty cells and blank comma rows fill the rest, the way Excel
    saves a sheet with a formatted cell far right/below (the issue's case: 3.4 GB before);
  * dense long CSV: a 省份编码,省份,年份 table of real-looking numbers, far beyond any provincial
    table: refused by the per-file cell bound (2,000,000 cells) while streaming;
  * huge declared xlsx dimension: a 4-province workbook declaring A1:XFD1048576 (6 GB before).

The peer is the size bound itself; the baseline of the previous readers (whole-file decode,
`list(csv.reader)`, padded rows) is the issue's measurement: 3.4 GB for the 200 MB CSV.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPORT = ROOT / "data/nbs_exports_2016_2024/分省年度数据2024.csv"
CHILD = """
import resource, sys, time
from cbec.errors import InputError
from warehouse.readers import read_source
t = time.perf_counter()
try:
    n = read_source(sys.argv[1], reader=sys.argv[2] if len(sys.argv) > 2 else None).records.height
    what = f"{n} cells read"
except InputError as exc:
    what = "refused: " + str(exc).split(": ", 1)[-1][:70]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{time.perf_counter() - t:.1f}|{peak:.0f}|{what}")
"""


def used_range_csv(path: Path, mb: int) -> None:
    lines = EXPORT.read_bytes().decode("utf-8-sig").split("\n")
    pad = "," * 16_000  # to column XFD
    with open(path, "w", encoding="utf-8") as fh:
        for line in lines[:-1]:
            fh.write(line + (pad if "\t," in line else "") + "\n")
        blank = pad + "\n"
        for _ in range(mb * 2**20 // len(blank)):
            fh.write(blank)
        fh.write(lines[-1])


def dense_long_csv(path: Path, mb: int) -> None:
    from warehouse.provinces import NAME_ZH

    codes = [c for c in sorted(NAME_ZH) if len(c) == 2 and c != "00"][:31]
    cols = [f"指标{k}(亿元)" for k in range(40)]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("省份编码,省份,年份," + ",".join(cols) + "\n")
        row = ",".join(f"{1000 + k}.{k % 10}" for k in range(40))
        size, year = 0, 1949
        while size < mb * 2**20:
            for c in codes:
                line = f"{c},{NAME_ZH[c]},{year},{row}\n"
                fh.write(line)
                size += len(line.encode())
            year = year + 1 if year < 2024 else 1949


def huge_dimension_xlsx(path: Path) -> None:
    from tests.bad_inputs.make_xlsx import huge_declared_dimension

    huge_declared_dimension(path)


def measure(path: Path, reader: str | None) -> tuple[float, float, str]:
    """(seconds, peak RSS MB of the reading process, outcome)."""
    args = [sys.executable, "-c", CHILD, str(path)] + ([reader] if reader else [])
    r = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True)
    secs, peak, what = r.stdout.strip().splitlines()[-1].split("|", 2)
    return float(secs), float(peak), what


def main() -> None:
    mb = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    print("reading bounds: limit = 4 × file size + 200 MB (peak RSS of a fresh process)\n")
    print(f"{'file':<32} {'size MB':>8} {'read s':>7} {'peak MB':>8} {'limit MB':>9}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        cases = [
            ("huge declared xlsx dimension", Path(tmp) / "dim.xlsx", huge_dimension_xlsx, None),
            (
                "dense long CSV",
                Path(tmp) / "dense.csv",
                lambda p: dense_long_csv(p, mb),
                "nbs_long",
            ),
            (
                "used-range CSV (Excel)",
                Path(tmp) / "used.csv",
                lambda p: used_range_csv(p, mb),
                None,
            ),
        ]
        for label, path, build, reader in cases:
            build(path)
            size = path.stat().st_size / 2**20
            secs, peak, what = measure(path, reader)
            limit = 4 * size + 200
            flag = "ok" if peak < limit else "OVER"
            print(
                f"{label:<32} {size:>8.1f} {secs:>7.1f} {peak:>8.0f} {limit:>9.0f}  {flag}: {what}"
            )
            path.unlink()


if __name__ == "__main__":
    main()
