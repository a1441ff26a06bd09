"""One module per `cbec` sub-command; each defines `register(subparsers)`.

Convention: `register` adds a parser with `formatter_class=argparse.RawDescriptionHelpFormatter`,
an `epilog` holding at least one runnable example, and `set_defaults(handler=fn)` where
`fn(args) -> int` returns an exit code. Raise cbec.errors.* for expected failures.
"""
