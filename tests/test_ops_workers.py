"""Co-evolution worker processes start without the orchestration stack (issue 18, item 1): they
are forked from a forkserver that preloaded only tasks._coevolution_worker (numpy, scipy,
measures.coevolution), so a worker never re-imports prefect, polars or DuckDB."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

PROBE = "[m for m in ('prefect', 'polars', 'duckdb', 'tasks._coevolution_worker') if m in __import__('sys').modules]"  # fmt: skip


def test_coevolution_workers_do_not_import_prefect():
    from tasks.coevolution import _context

    with ProcessPoolExecutor(max_workers=1, mp_context=_context()) as pool:
        loaded = pool.submit(eval, PROBE).result(timeout=120)
    assert loaded == ["tasks._coevolution_worker"], loaded


def test_worker_module_imports_only_the_maths():
    import subprocess
    import sys

    code = f"import tasks._coevolution_worker; print({PROBE})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.stdout.strip() == "['tasks._coevolution_worker']", out.stdout + out.stderr
