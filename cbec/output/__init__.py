"""Result output of the analysis commands (METHODS-independent presentation layer):
`writers` (--out .csv/.xlsx/.parquet) and `terminal` (tables and summary blocks for people,
--json). Imports polars/openpyxl inside the functions, so `cbec CMD --help` stays light."""
