"""Test-wide fixtures: a clean cache per test and Celery tasks run in-process unless a test starts a worker.

Services: tests marked `postgresql` (the SQL mapping, advisory locks, trigram indexes, the benchmark) are skipped on
the embedded SQLite default with their reason in the summary (`-ra`); where CI promised the services
(`LAZI_REQUIRE_SERVICES`), a database other than PostgreSQL stops the run before any test, as a missing Redis fails
the tests that need it.
"""

import os

import pytest

POSTGRESQL_REASON = "needs PostgreSQL: set DATABASE_URL=postgres://… (the embedded default is SQLite)"


def database_vendor() -> str:
    from django.db import connection

    return connection.vendor


def _redis_url_of_this_worker(url: str, worker: str) -> str:
    """Under `pytest -n N` each worker gets a Redis database of its own (the per-test FLUSHDB would otherwise wipe a
    token or budget of a test in flight on the other worker): REDIS_URL's database + 2 + the worker's number."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = (base + 2 + int(worker.removeprefix("gw"))) % 16
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and os.environ.get("REDIS_URL"):
        from django.conf import settings

        url = _redis_url_of_this_worker(os.environ["REDIS_URL"], worker)
        os.environ["REDIS_URL"] = settings.REDIS_URL = settings.CELERY_BROKER_URL = url
        settings.CACHES["default"]["LOCATION"] = url
    if os.environ.get("LAZI_REQUIRE_SERVICES") and database_vendor() != "postgresql":
        raise pytest.UsageError(
            f"LAZI_REQUIRE_SERVICES is set but the database is {database_vendor()}, not PostgreSQL: "
            "set DATABASE_URL=postgres://… (CI's .ci/run does)."
        )


def pytest_collection_modifyitems(config, items):
    if database_vendor() == "postgresql":
        return
    skip = pytest.mark.skip(reason=POSTGRESQL_REASON)
    for item in items:
        if item.get_closest_marker("postgresql"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _celery_in_process():
    # With REDIS_URL set the app would send tasks to the broker; tests that want a real worker start one themselves.
    from lazi.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def redis_url():
    """The real Redis of CI. Skipped without REDIS_URL, but a failure where CI promised one (LAZI_REQUIRE_SERVICES)."""
    import os

    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("LAZI_REQUIRE_SERVICES"):
            pytest.fail("REDIS_URL is required here (LAZI_REQUIRE_SERVICES is set)")
        pytest.skip("needs a real Redis: set REDIS_URL")
    return url
