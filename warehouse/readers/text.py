"""Streaming text input of the CSV readers: encoding sniffing (UTF-8 with/without BOM,
GBK/GB18030, UTF-16 with BOM) in 1 MB chunks, CSV rows with physical line numbers (LF, CRLF,
CR-only; quoted multi-line cells bounded), and the truncation-by-structure check."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cbec.errors import InputError

_CHUNK = 1 << 20
MAX_ROW_LINES = 8  # physical lines one CSV row may span (quoted multi-line header cells)
_CHUNK = 1 << 20


def sniff_encoding(path: Path, display: str) -> str:
    """The encoding of a text file, decided by streaming over its bytes: 'utf-16' (BOM),
    'utf-8-sig' or 'gb18030'; InputError for empty, binary or undecodable files."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head.strip():
        with open(path, "rb") as fh:
            if not any(chunk.strip() for chunk in iter(lambda: fh.read(_CHUNK), b"")):
                raise InputError("file is empty", file=display)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise InputError(
            "file is binary or UTF-16 without a byte-order mark; save it as UTF-8 or GBK CSV",
            file=display,
        )
    bad_line = 1
    for enc in ("utf-8-sig", "gb18030"):
        dec = codecs.getincrementaldecoder(enc)()
        lines = 1
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(_CHUNK), b""):
                try:
                    dec.decode(chunk)
                except UnicodeDecodeError as exc:
                    bad_line = lines + chunk[: max(0, exc.start)].count(b"\n")
                    break
                lines += chunk.count(b"\n")
            else:
                try:
                    dec.decode(b"", final=True)
                    return enc
                except UnicodeDecodeError:
                    bad_line = lines
    raise InputError("cannot decode as UTF-8 or GBK (broken encoding)", file=display, line=bad_line)


def _check_text(head: str, display: str) -> None:
    if "\ufffd" in head:
        line = head[: head.index("\ufffd")].count("\n") + 1
        raise InputError(
            "text contains replacement characters (broken encoding)", file=display, line=line
        )
    if _looks_mojibake(head):
        raise InputError(
            "text looks mis-encoded (UTF-8 bytes read as Latin-1/GBK, mojibake); re-export the file",
            file=display,
            line=1,
        )


def decode_text(path: Path, display: str) -> str:
    """The whole text (small files only: sniffing of layouts); see `csv_rows` for reading."""
    enc = sniff_encoding(path, display)
    with open(path, encoding=enc, newline="") as fh:
        text = fh.read(1 << 16)
    _check_text(text, display)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _replacement_line(path: Path, enc: str) -> int | None:
    with open(path, encoding=enc, newline="") as fh:
        for i, line in enumerate(fh, start=1):
            if "\ufffd" in line:
                return i
    return None


@dataclass
class CsvRow:
    """One CSV row: its first physical line, its cells with trailing empty cells removed, and
    the number of cells as written (`width`, trailing empties included)."""

    line: int
    cells: list[str]
    width: int
    last_line: int = 0


def csv_rows(path: Path, display: str, delimiter: str = ",") -> Iterator[CsvRow]:
    """Stream the rows of a CSV file (any encoding/line ending above; cells split at
    `delimiter`). Blank rows are skipped; a quote that never closes is an error naming the line
    where it opened."""
    enc = sniff_encoding(path, display)
    with open(path, encoding=enc, newline="") as fh:
        _check_text(fh.read(1 << 16), display)
    if (line := _replacement_line(path, enc)) is not None:
        raise InputError(
            "text contains replacement characters (broken encoding)", file=display, line=line
        )
    csv.field_size_limit(1 << 20)
    with open(path, encoding=enc, newline="") as fh:
        lines = _Lines(fh, delimiter)
        reader = csv.reader(lines, delimiter=delimiter)
        while True:
            lines.taken.clear()
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                first = lines.taken[0] if lines.taken else lines.n
                raise InputError(
                    f"a quoted cell opened on line {first} never closes (stray quote?): {exc}",
                    file=display,
                    line=first,
                ) from None
            start, end = lines.taken[0], lines.taken[-1]
            if end - start + 1 > MAX_ROW_LINES:
                raise InputError(
                    f"a quoted cell spans lines {start}–{end} (stray quote?)",
                    file=display,
                    line=start,
                )
            width = len(row)
            while row and not row[-1].strip():
                row.pop()
            if row:
                yield CsvRow(start, row, width, end)


MAX_TRAILING = 4096  # empty cells kept after a row's content (wider than any header we accept)


class _Lines:
    """Physical lines for csv.reader, numbered; Excel used-range padding is dropped before
    parsing (lines of commas only; trailing empty cells beyond MAX_TRAILING), so a 200 MB
    used-range file costs the time of its real content."""

    def __init__(self, fh, sep: str = ","):
        self.fh, self.n, self.taken, self.sep = fh, 0, [], sep

    def __iter__(self):
        return self

    def __next__(self) -> str:
        while True:
            line = next(self.fh)
            self.n += 1
            sep = self.sep
            if sep in line and not line.strip(f"{sep} \t\r\n"):
                continue
            if len(line) > 4 * MAX_TRAILING:
                body = line.rstrip("\r\n").rstrip(f"{sep} \t")
                if line.count(sep, len(body)) > MAX_TRAILING:
                    line = body + sep * MAX_TRAILING + "\n"
            self.taken.append(self.n)
            return line


def ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 4))
        tail = fh.read()
    return tail.endswith((b"\n", b"\r", b"\n\x00", b"\r\x00"))


def truncation_check(path: Path, display: str, last: CsvRow | None, *, footer: bool) -> None:
    """A file whose last line is a data row without a line break was cut off (a download
    interrupted inside the last number): real exports end with a footer or a line break."""
    if last is not None and not footer and not ends_with_newline(path):
        raise InputError(
            "the file ends inside its last data row (no line break and no footer after it): "
            "the download was cut off (truncated file?)",
            file=display,
            line=last.line,
        )


_MOJIBAKE = re.compile(r"[ÃÂåæçèéäï][\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ''\"\"•–—˜™š›œžŸ¡-¿]")


def _looks_mojibake(text: str) -> bool:
    head = text[:2000]
    return len(_MOJIBAKE.findall(head)) >= 3
