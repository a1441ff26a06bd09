"""One module per `cbec` sub-command; each defines `register(subparsers)`.

Convention: `register` adds a parser with `formatter_class=argparse.RawDescriptionHelpFormatter`,
an `epilog` holding at least one runnable example, and `set_defaults(handler=fn)` where
`fn(args) -> int` returns an exit code. Raise cbec.errors.* for expected failures.

Start-up: `cbec --help` lists the commands from `COMMANDS` below without importing any command
module, and `cbec NAME …` imports only `cbec.commands.NAME`. A command module therefore keeps
its top level light (argparse, stdlib, cbec.errors): numpy, polars, duckdb, scipy, prefect …
are imported inside the handlers. A new command adds its module and one line here
(tests/test_cli_startup.py checks that both agree).
"""

# name → the one-line help of `cbec --help` (the same text the module's register() passes)
COMMANDS: dict[str, str] = {
    "coevolve": "Lotka–Volterra co-evolution (predator–prey/competition) and Granger/VAR of "
    "two series",
    "coupling": "coupling coordination degree of 2 or more subsystem scores in a CSV",
    "crosseff": "cross-efficiency and game cross-efficiency of the DMUs in a CSV",
    "dea": "DEA efficiency (CCR/BCC/SBM/super-efficiency) of the DMUs in a CSV",
    "entropy": "entropy weights and composite scores of indicators in a CSV",
    "inequality": "CV, Gini, Theil (with group decomposition) and Dagum's Gini decomposition",
    "inputs": "list or remove the files added with `cbec run --add`",
    "malmquist": "Malmquist productivity index (FGNZ/Ray–Desli, CC-Malmquist) of a panel CSV",
    "methods": "print the normative formulas (docs/METHODS.md) or one section of them",
    "report": "write an offline HTML report (charts, lineage, CSV downloads) of a run",
    "run": "refresh the warehouse from the embedded data now",
    "runs": "list result versions (runs diff A B: compare two runs)",
    "serve": "local Prefect server + worker: scheduled refreshes, runs in the UI",
    "sql": "run a read-only SQL query on the warehouse",
    "survey": "reliability, EFA and structural equation model of a Likert survey file",
    "synergy": "composite-system synergy degree (复合系统协同度) of subsystems in a panel CSV",
    "validate": "check source files against the expectation suites without loading them",
}
