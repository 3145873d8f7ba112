"""Test-wide fixtures: a clean cache per test and Celery tasks run in-process unless a test starts a worker."""

import pytest


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
