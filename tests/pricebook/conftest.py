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


@pytest.fixture
def factory_tenant(settings):
    """SERVICE_TITAN_TENANT_ID set to the factories' tenant (rules and reprices made in the admin and API use it)."""
    from tests.pricebook.factories import TENANT_ID

    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "TENANT_ID": str(TENANT_ID)}
    return TENANT_ID


def staff_of(group: str):
    """A staff user in this group, named after it."""
    return make_staff(group.lower().replace(" ", "_"), group)


@pytest.fixture
def priced(db):
    """A default material rule (cost + 100%, 50% tolerance) and two materials in Plumbing: `calm` (18.00 → 20.00)
    and `wild` (5.00 → 20.00, flagged)."""
    from decimal import Decimal

    from pricebook.models import PricingRule
    from tests.pricebook.factories import TENANT_ID, make_category, make_material

    plumbing = make_category("Plumbing")
    PricingRule.objects.create(
        tenant_id=TENANT_ID, name="default", item_type="material", markup="percent", markup_percent=100,
        max_change_percent=50,
    )  # fmt: skip
    calm = make_material(price="18.00", cost=Decimal(10), categories=[plumbing])
    wild = make_material(price="5.00", cost=Decimal(10), categories=[plumbing])
    return plumbing, calm, wild


@pytest.fixture
def push_worker(monkeypatch):
    """A worker that runs a queued push at once (the in-process default; with a broker, a worker would)."""
    from pricebook import tasks

    monkeypatch.setattr(tasks.push_overrides_task, "delay", lambda ids: tasks.push_overrides_task.apply(args=[ids]))


def materials_rule(percent: int, **rule):
    """The demo tenant's materials priced at cost + `percent`."""
    from devtools.simulator import DEMO_TENANT_ID
    from pricebook.models import PricingRule

    return PricingRule.objects.create(
        tenant_id=DEMO_TENANT_ID,
        name=f"Materials: cost + {percent}%",
        item_type="material",
        markup="percent",
        markup_percent=percent,
        **rule,
    )
