"""`cbec survey`: reliability, KMO/Bartlett, EFA (PCA + varimax) and a CFA/SEM of a survey
file (METHODS §10), as SPSS + AMOS (Likert answers) or lavaan (continuous indicators) report
them. No warehouse needed.

--scale likert checks that every answer is an integer in the configured range (DEFAULT 1..5);
--scale continuous accepts any number (e.g. lavaan's Holzinger–Swineford 1939 test scores);
--scale auto (DEFAULT) treats the file as Likert when every answer is an integer and as
continuous otherwise, and says which (an out-of-range integer is still a Likert error)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXAMPLES = """examples:
  cbec survey data/survey_demo/study_b_simulated_responses.csv
  cbec survey answers.xlsx --model my_model.lav --out results/
  cbec survey answers.csv --chi2-n N            # lavaan/semopy χ² convention (N·F)
  cbec survey --make-demo /tmp/demo.csv         # write study B's simulated demo file
  cbec survey hs1939.csv --model hs.lav --chi2-n N   # lavaan's HS CFA (continuous scores)

The model file is lavaan syntax (=~ measurement, ~ regression, ~~ covariance); lines
'#! efa NAME: C1-C13' name the item blocks for KMO/Bartlett and EFA. Default model:
config/survey/study_b.lav. Options: config/survey.toml.
"""

METHOD = "reliability, KMO/Bartlett, EFA, CFA/SEM (METHODS §10)"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "survey",
        help="reliability, EFA and structural equation model of a Likert survey file",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "file", nargs="?", metavar="FILE", help="responses (CSV/XLSX), one row per respondent"
    )
    p.add_argument("--model", metavar="FILE.lav", help="model in lavaan syntax (default: study B)")
    p.add_argument(
        "--out", metavar="DIR|FILE.xlsx",
        help="a directory: the result tables as CSV (UTF-8 with BOM, empty cells for missing) "
        "and summary.md; FILE.xlsx: one workbook, a sheet per table",
    )  # fmt: skip
    p.add_argument("--no-bom", action="store_true", help="CSV without the UTF-8 byte-order mark")
    p.add_argument("--quiet", action="store_true", help="print no summary tables")
    p.add_argument("--json", action="store_true", help="print the tables as JSON")
    p.add_argument(
        "--chi2-n", choices=["N-1", "N"], help="χ² multiplier (default from config: N-1)"
    )
    p.add_argument(
        "--config", metavar="FILE.toml", help="options file (default config/survey.toml)"
    )
    p.add_argument(
        "--make-demo",
        metavar="OUT.csv",
        help="write simulated responses from study B's published standardised solution and exit",
    )
    p.add_argument("--seed", type=int, help="seed for --make-demo (default 3576)")
    p.add_argument("--scale", choices=["auto", "likert", "continuous"], default="auto",
                   help="answer scale (DEFAULT auto: Likert if every answer is an integer)")  # fmt: skip
    p.add_argument("-n", type=int, help="respondents for --make-demo (default 481)")
    p.set_defaults(handler=handle)


def make_demo(out: str, seed: int | None = None, n: int | None = None) -> int:
    import polars as pl

    from measures.survey import study_b
    from measures.survey.simulate import simulate_likert

    seed = study_b.DEMO_SEED if seed is None else seed
    n = study_b.N_RESPONDENTS if n is None else n
    items, y = simulate_likert(study_b.solution(with_dropped_items=True), n, seed)
    df = pl.DataFrame({"id": list(range(1, n + 1))}).with_columns(
        [pl.Series(c, y[:, k]) for k, c in enumerate(items)]
    )
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    df.write_csv(out)
    print(f"wrote {n} SIMULATED respondents (seed {seed}) to {out}")
    return 0


def _is_number(v) -> bool:
    try:
        return float(v) == float(v)
    except (TypeError, ValueError):
        return False


def _scale(choice: str, df, items: list[str], rep: dict) -> str:
    """likert / continuous: the --scale choice, or for auto the data's (printed)."""
    if choice != "auto":
        return choice
    import polars as pl

    present = [c for c in items if c in df.columns]
    vals = df.select(pl.col(present).cast(pl.Float64, strict=False)).to_numpy() if present else None
    if vals is None or not vals.size:
        return "likert"
    finite = vals[vals == vals]
    if finite.size and (finite != finite.round()).any():
        print("note: non-integer answers: indicators treated as continuous (--scale likert "
              "enforces the Likert checks)")  # fmt: skip
        return "continuous"
    return "likert"


def handle(args: argparse.Namespace) -> int:
    from cbec.commands._progress import Progress
    from cbec.errors import NumericalError, UsageError

    if args.make_demo:
        return make_demo(args.make_demo, args.seed, args.n)
    if not args.file:
        raise UsageError("give a response FILE (or --make-demo OUT.csv)")
    if args.out and Path(args.out).suffix.lower() not in ("", ".xlsx"):
        raise UsageError(f"--out {args.out}: survey writes several tables: DIR or FILE.xlsx")
    # stages on stderr (most of the time is loading semopy/scipy, the SEM fit and the
    # modification indices); no ETA: the stages take very different times
    with Progress("survey", unit="stages", eta=False, quiet=args.quiet) as progress:
        progress.stage(LOADING)  # a ticker until the stages are known
        df, model_text, params = _checked_input(args)
        from transforms.survey import STAGES, survey_tables

        progress.total = 1 + len(STAGES)
        try:
            tables = survey_tables(df, model_text, params, progress=progress.stage)
        except ValueError as exc:
            raise NumericalError(str(exc)) from exc
        progress.finish()
    from cbec.report.survey_summary import summary_markdown

    summary = summary_markdown(tables, title=f"Survey analysis of {Path(args.file).name}")
    if args.json or not args.quiet:
        print(_json(tables) if args.json else summary)
    if args.out:
        _write(args, tables, summary)
    status = tables["survey_fit"]["status"][0]
    if status == "not_converged":
        raise NumericalError("the SEM estimation did not converge (tables written with status)")
    return 0


LOADING = "loading semopy/scipy, reading the file"


def _checked_input(args: argparse.Namespace):
    """(responses, model text, params) after the checks of the model and the answers."""
    from cbec.commands._common import read_table
    from cbec.errors import InputError, UsageError
    from cbec.settings import default_model_path, load_survey_params
    from measures.survey.sem import parse_model
    from transforms.survey import response_items, response_report

    params = load_survey_params(args.config)
    if args.chi2_n:
        params["sem"]["chi2_n"] = args.chi2_n
    model_path = Path(args.model) if args.model else default_model_path(params)
    if not model_path.exists():
        raise UsageError(f"model file not found: {model_path}")
    model_text = model_path.read_text(encoding="utf-8")
    try:
        spec = parse_model(model_text)
    except ValueError as exc:
        raise InputError(str(exc), file=str(model_path)) from exc

    df = read_table(args.file)
    items = response_items(df.columns, spec, params)
    rep = response_report(df, items, params)
    id_col = params["scale"]["id_column"]
    if rep["missing_items"]:
        raise InputError(
            f"item column(s) missing: {', '.join(rep['missing_items'])}", file=args.file
        )
    if not rep["id_column_present"]:
        raise InputError(f"respondent id column {id_col!r} missing", file=args.file)
    if rep["duplicate_ids"]:
        raise InputError(
            f"duplicate respondent id(s): {', '.join(map(str, rep['duplicate_ids'][:10]))}",
            file=args.file,
        )
    scale = _scale(args.scale, df, items, rep)
    if scale == "continuous":
        rep["bad_cells"] = [c for c in rep["bad_cells"] if not _is_number(c[2])]
        if params["scale"].get("reverse_items"):
            raise UsageError(
                "reverse_items recode x' = max + min − x: Likert only (--scale likert)"
            )
    if rep["bad_cells"]:
        line, col, val = rep["bad_cells"][0]
        lo, hi = params["scale"]["min"], params["scale"]["max"]
        more = f" (and {len(rep['bad_cells']) - 1} more)" if len(rep["bad_cells"]) > 1 else ""
        what = (f"is not an integer answer in {lo}..{hi}{more} (--scale continuous for "
                "non-Likert indicators)" if scale == "likert" else f"is not a number{more}")  # fmt: skip
        raise InputError(f"column {col!r}: {val!r} {what}", file=args.file, line=line)
    for w in rep["warnings"]:
        print(f"warning: {w}", file=sys.stderr if args.json else sys.stdout)
    return df, model_text, params


def _write(args: argparse.Namespace, tables: dict, summary: str) -> None:
    """--out DIR (CSV per table + summary.md) or --out FILE.xlsx (a sheet per table)."""
    from cbec.output.writers import write_csv, write_xlsx

    say = (lambda *a: None) if args.json else print  # noqa: E731
    if args.out.lower().endswith(".xlsx"):
        header = ["cbec survey: reliability, KMO/Bartlett, EFA, CFA/SEM (METHODS §10)",
                  "units: answers on the survey's scale; loadings standardised",
                  f"source: {args.file}", "missing values are empty cells"]  # fmt: skip
        write_xlsx(tables, args.out, header=header)
        say(f"wrote {len(tables)} tables to {args.out}")
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, t in tables.items():
        write_csv(t, str(out / f"{name}.csv"), bom=not args.no_bom)
    (out / "summary.md").write_text(summary, encoding="utf-8")
    say(f"wrote {len(tables)} tables and summary.md to {out}/")


def _json(tables: dict) -> str:
    from cbec.output.terminal import json_text

    return json_text(tables, {}, METHOD)
