"""Transforms: pure polars functions named after the table they return (ARCHITECTURE.md
"transforms"), shared by the refresh's thin tasks and the CLI. No Prefect, no DuckDB, no files."""
