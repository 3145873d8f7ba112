"""`st_bench`: the harness (`harness.py`) and one module of sections per LAZI app (`<app>.py`, `BENCH_SECTIONS`)."""
