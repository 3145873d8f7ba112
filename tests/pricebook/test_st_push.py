"""`st_push [--dry-run]` and the tasks."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pricebook.models import Material, PricebookOverride
from pricebook.services.overrides import save_override
from pricebook.tasks import push_overrides_task, push_pending_task


def _pending(n, price="21.00"):
    items = list(Material.objects.filter(active=True).order_by("st_id")[:n])
    return [
        save_override(item_type="material", st_id=m.st_id, values={"price": Decimal(price)}).pk for m in items
    ], items


def test_dry_run_then_push(synced):
    ids, items = _pending(4)
    out = StringIO()
    call_command("st_push", "--dry-run", stdout=out)
    assert "4 material override(s) would be pushed (bulk, 1 batch(es))" in out.getvalue()
    assert synced.stats.total == 0

    out = StringIO()
    call_command("st_push", stdout=out)
    assert "4 synced" in out.getvalue()
    assert set(PricebookOverride.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"synced"}
    assert all(synced.dataset.get("pricebook.materials", m.st_id)["price"] == 21 for m in items)


def test_failures_make_the_command_fail(synced):
    # A negative price is refused before saving now; one written before the guardrails is refused by ServiceTitan.
    ids, _ = _pending(1)
    PricebookOverride.objects.filter(pk__in=ids).update(override_price=Decimal("-2"))
    with pytest.raises(CommandError, match="1 override\\(s\\) failed"):
        call_command("st_push", stdout=StringIO(), stderr=StringIO())


def test_tasks_push_by_ids_and_everything_pending(synced):
    ids, _ = _pending(2)
    assert push_overrides_task.delay(ids[:1]).get()["synced"] == 1
    assert push_pending_task.delay().get()["synced"] == 1


@pytest.mark.django_db
def test_the_safety_net_schedule_is_a_default():
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules", stdout=StringIO())
    task = PeriodicTask.objects.get(task="pricebook.tasks.push_pending_task")
    assert task.enabled and task.interval.every == 5 and task.kwargs == "{}"
