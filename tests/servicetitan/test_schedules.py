"""setup_schedules: the default beat schedules exist after it, and staff's edits survive the next deploy."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from servicetitan.sync.schedules import DEFAULT_SCHEDULES, TASK

pytestmark = pytest.mark.django_db
INCREMENTAL = "LAZI: pricebook incremental sync"
NIGHTLY = "LAZI: pricebook full sync (nightly)"


def test_creates_the_default_schedules_by_name():
    out = StringIO()
    call_command("setup_schedules", stdout=out)

    assert set(PeriodicTask.objects.values_list("name", flat=True)) >= {s.name for s in DEFAULT_SCHEDULES}
    incremental = PeriodicTask.objects.get(name=INCREMENTAL)
    assert (incremental.interval.every, incremental.interval.period) == (15, IntervalSchedule.MINUTES)
    assert incremental.task == TASK
    assert json.loads(incremental.kwargs) == {"targets": ["pricebook"], "full": False, "triggered_by": "schedule"}
    nightly = PeriodicTask.objects.get(name=NIGHTLY)
    assert (nightly.crontab.minute, nightly.crontab.hour) == ("30", "3")
    assert json.loads(nightly.kwargs)["full"] is True
    assert out.getvalue().count("created") == len(DEFAULT_SCHEDULES)


def test_a_second_run_keeps_staff_edits_and_creates_what_is_missing():
    call_command("setup_schedules", stdout=StringIO())
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.filter(name=INCREMENTAL).update(
        interval=hourly, enabled=False, kwargs=json.dumps({"targets": ["pricebook.materials"], "full": False})
    )
    PeriodicTask.objects.filter(name=NIGHTLY).delete()

    out = StringIO()
    call_command("setup_schedules", stdout=out)

    incremental = PeriodicTask.objects.get(name=INCREMENTAL)
    assert (incremental.interval_id, incremental.enabled) == (hourly.pk, False)
    assert json.loads(incremental.kwargs)["targets"] == ["pricebook.materials"]
    assert PeriodicTask.objects.filter(name=NIGHTLY, enabled=True).exists()
    assert "kept    LAZI: pricebook incremental sync" in out.getvalue()
    assert f"created {NIGHTLY}" in out.getvalue()


def test_every_module_has_an_incremental_and_a_nightly_schedule_editable_in_the_admin(admin_client):
    from servicetitan.sync.streams import all_streams

    call_command("setup_schedules", stdout=StringIO())
    modules = {key.split(".", 1)[0] for key in all_streams()}
    for module in modules:
        incremental = PeriodicTask.objects.get(name=f"LAZI: {module} incremental sync")
        assert json.loads(incremental.kwargs)["targets"] == [module] and incremental.interval is not None
        nightly = PeriodicTask.objects.get(name=f"LAZI: {module} full sync (nightly)")
        assert json.loads(nightly.kwargs)["full"] is True and nightly.crontab is not None
        page = admin_client.get(f"/admin/django_celery_beat/periodictask/{incremental.pk}/change/")
        assert page.status_code == 200 and b'name="_save"' in page.content
