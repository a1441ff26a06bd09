"""`cbec methods`: the normative formulas (docs/METHODS.md, the repository's maintained copy) in
the terminal — the whole file, one section (`cbec methods 9.6`), the table of contents, or the
file's path. Every `--help` and report caption cites "METHODS §…": this is where it points."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from cbec.errors import UsageError

EXAMPLES = """examples:
  cbec methods --list          # the table of contents
  cbec methods 9.6             # game cross-efficiency (Liang et al. 2008)
  cbec methods 1.3 | less      # initial capital stock options
  cbec methods --path          # where the file is (open it in an editor or a Markdown viewer)
"""


def methods_path() -> Path:
    """docs/METHODS.md of this checkout (the installed package's project root)."""
    return Path(__file__).resolve().parent.parent.parent / "docs" / "METHODS.md"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "methods",
        help="print the normative formulas (docs/METHODS.md) or one section of them",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("section", nargs="?", help="section number, e.g. 9.6 or §9.6 (default: all)")
    p.add_argument("--list", action="store_true", help="print the section headings only")
    p.add_argument("--path", action="store_true", help="print the path of docs/METHODS.md")
    p.set_defaults(handler=handle)


def sections(text: str) -> list[tuple[str, int, int]]:
    """(heading, start, end) of every numbered heading ('## 9.' / '### 9.6 …') of the text."""
    heads = [(m.group(0), m.start(), len(m.group(1)))
             for m in re.finditer(r"^(#{2,4}) .*$", text, flags=re.M)]  # fmt: skip
    out = []
    for i, (head, start, level) in enumerate(heads):
        end = next((s for _, s, lv in heads[i + 1 :] if lv <= level), len(text))
        out.append((head, start, end))
    return out


def handle(args: argparse.Namespace) -> int:
    path = methods_path()
    if args.path:
        print(path)
        return 0
    if not path.exists():
        raise UsageError(f"{path} not found (a checkout without docs/?)")
    text = path.read_text(encoding="utf-8")
    if args.list:
        print("\n".join(head for head, _, _ in sections(text)))
        return 0
    if not args.section:
        print(text, end="")
        return 0
    number = args.section.lstrip("§").rstrip(".")
    if not re.fullmatch(r"\d+(\.\d+)*", number):
        raise UsageError(f"section {args.section!r}: give a number such as 9.6")
    pattern = re.compile(rf"^#{{2,4}} {re.escape(number)}(\.|\s)")
    for head, start, end in sections(text):
        if pattern.match(head):
            print(text[start:end].rstrip())
            return 0
    raise UsageError(f"no section {number} in {path.name}; `cbec methods --list` shows them")
