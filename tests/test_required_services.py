"""`LAZI_REQUIRE_SERVICES` (set by CI) turns a database other than PostgreSQL into an error before any test runs;
without it, PostgreSQL-only tests are skipped with their reason in the summary."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Any small test module will do: what is checked is the run's start, not the tests.
TARGET = "tests/servicetitan/test_engine_locks.py"


def run_pytest(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "LAZI_REQUIRE_SERVICES")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
        cwd=ROOT,
        env={**base, "DJANGO_DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_required_services_refuse_sqlite_with_a_clear_message():
    result = run_pytest("--collect-only", "-q", TARGET, LAZI_REQUIRE_SERVICES="1")
    assert result.returncode != 0
    assert "LAZI_REQUIRE_SERVICES is set but the database is sqlite, not PostgreSQL" in result.stderr + result.stdout


def test_postgresql_tests_are_skipped_on_sqlite_with_their_reason():
    result = run_pytest("-q", "-ra", "-k", "advisory", TARGET)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SKIPPED [1]" in result.stdout
    assert "needs PostgreSQL: set DATABASE_URL" in result.stdout
