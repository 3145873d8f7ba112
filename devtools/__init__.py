"""LAZI's dev tooling: the ServiceTitan simulator (`st_simulator`) and the benchmark harness (`st_bench`).

Installed for the demo, the tests and the benchmarks; a production deployment leaves it out (`LAZI_DEV_TOOLS=false`).
The integration core and the module apps never import it (`tests/devtools/test_boundary.py`).
"""
