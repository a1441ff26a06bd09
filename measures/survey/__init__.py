"""Survey analysis on Likert items: reliability, sampling adequacy, EFA, CFA/SEM, simulation
(METHODS §10). Pure maths: numpy / polars / pandas in, out; no file I/O."""
