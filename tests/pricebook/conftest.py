"""Fixtures of the pricebook tests: a simulator whose pricebook is synced into the real database, staff users."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from pricebook.services.groups import EDITORS, VIEWERS


@pytest.fixture
def synced(simulator, db):
    """The simulator with its pricebook mirrored (categories, materials, equipment, services)."""
    from servicetitan.sync.engine import sync_targets

    runs = sync_targets(["pricebook"], full=True)
    assert all(run.status == "succeeded" for run in runs), [(run.target, run.error) for run in runs]
    simulator.reset_stats()
    return simulator


def make_staff(username: str, group: str | None):
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "pw-for-tests-only", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return make_staff("editor", EDITORS)


@pytest.fixture
def viewer(db):
    return make_staff("viewer", VIEWERS)
