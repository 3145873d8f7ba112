"""Fixtures shared by the test suite: the ServiceTitan simulator ones (`simulator`, `make_simulator`) and `api`."""

import pytest

SIMULATOR_TEST_SCALE = 0.01


def _point_settings_at(settings, server):
    from devtools.simulator import DEMO_APP_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID

    settings.SERVICE_TITAN = {
        **settings.SERVICE_TITAN,
        "API_URL": server.url,
        "AUTH_URL": server.url,
        "CLIENT_ID": DEMO_CLIENT_ID,
        "CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "APP_KEY": DEMO_APP_KEY,
        "TENANT_ID": str(DEMO_TENANT_ID),
    }


def _clear_cached_tokens():
    # The client keeps its OAuth token in the Django cache; a token of another simulator would be refused.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def make_simulator(settings):
    """Factory: `make_simulator(scale=..., seed=..., faults=FaultConfig(...), rate_per_second=...)` starts a
    simulator, points settings.SERVICE_TITAN at it (the latest one started) and stops it after the test."""
    from devtools.simulator import SimulatorServer

    started = []

    def make(**kwargs):
        kwargs.setdefault("scale", SIMULATOR_TEST_SCALE)
        server = SimulatorServer(**kwargs).start()
        started.append(server)
        _point_settings_at(settings, server)
        _clear_cached_tokens()
        return server

    yield make
    for server in started:
        server.stop()
    _clear_cached_tokens()


@pytest.fixture
def simulator(make_simulator):
    """A started simulator (small scale, seed 1, no faults) with settings.SERVICE_TITAN pointed at it."""
    return make_simulator()


@pytest.fixture
def api():
    """The REST API as a superuser sees it (a test module may define its own `api`)."""
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True, is_superuser=True))
    return client
