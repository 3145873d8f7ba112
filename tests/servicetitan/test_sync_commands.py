"""st_sync / st_rebuild: output, exit codes, and a real SIGKILL in the middle of a sync."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from devtools.simulator import DEMO_APP_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID
from pricebook.models import Material
from servicetitan.models import SyncRun
from tests.servicetitan.sync_support import PRICEBOOK, assert_mirror_equals, expected_payloads

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_st_sync_prints_one_line_per_entity_and_succeeds(simulator):
    out = StringIO()
    call_command("st_sync", "pricebook", "--full", stdout=out)

    *lines, total = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == list(PRICEBOOK)
    assert all(" succeeded " in line and "created=" in line for line in lines)
    assert total.startswith(f"{len(PRICEBOOK)} entities, {len(PRICEBOOK)} succeeded, in ")
    assert_mirror_equals(simulator)


def test_st_sync_refuses_unknown_targets_with_exit_code_2(simulator):
    with pytest.raises(CommandError, match="unknown sync target 'pricebok'") as raised:
        call_command("st_sync", "pricebok")
    assert raised.value.returncode == 2
    assert not SyncRun.objects.exists()


def test_st_sync_exits_1_when_an_entity_fails(simulator, settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "MAX_ATTEMPTS": 2, "BACKOFF_BASE": 0.01}
    simulator.stop()  # ServiceTitan unreachable
    out = StringIO()
    with pytest.raises(CommandError, match=r"1 of 1 entities did not succeed: pricebook\.categories") as raised:
        call_command("st_sync", "pricebook.categories", stdout=out)
    assert raised.value.returncode == 1
    assert " failed " in out.getvalue()


def test_st_sync_exits_1_when_servicetitan_is_not_configured(settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "CLIENT_ID": "", "TENANT_ID": ""}
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("st_sync", "pricebook.categories", stdout=out)
    assert raised.value.returncode == 1
    assert "SERVICE_TITAN_CLIENT_ID" in out.getvalue()


def test_st_rebuild_reports_rows_per_entity_without_calling_servicetitan(simulator):
    call_command("st_sync", "pricebook", stdout=StringIO())
    simulator.stop()
    Material.objects.all().delete()

    out = StringIO()
    call_command("st_rebuild", "pricebook.materials", stdout=out)

    count = len(simulator.dataset.records("pricebook.materials"))
    assert out.getvalue().split() == ["pricebook.materials", str(count), "rows", "rebuilt"]
    assert Material.objects.count() == count


# --- a real SIGKILL ---------------------------------------------------------------------------------------------------
def _manage(args: list[str], env: dict, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


def _query(db: Path, sql: str, *params):
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql, params).fetchall()


def test_a_sync_killed_with_sigkill_leaves_whole_pages_and_the_next_run_completes_it(make_simulator, tmp_path):
    """A separate process on its own SQLite file: killed mid-run, rerun, then compared with the simulator."""
    simulator = make_simulator(scale=0.02, export_batch_size=9)
    db = tmp_path / "killed.sqlite3"
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{db}",
        "SERVICE_TITAN_API_URL": simulator.url,
        "SERVICE_TITAN_AUTH_URL": simulator.url,
        "SERVICE_TITAN_CLIENT_ID": DEMO_CLIENT_ID,
        "SERVICE_TITAN_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "SERVICE_TITAN_APP_KEY": DEMO_APP_KEY,
        "SERVICE_TITAN_TENANT_ID": str(DEMO_TENANT_ID),
    }
    migrate = _manage(["migrate", "-v0"], env)
    assert migrate.wait(120) == 0, migrate.stdout.read()

    simulator.faults.latency = 0.15  # slow pages, so the kill lands in the middle of materials
    victim = _manage(["st_sync", "pricebook"], env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rows = _query(db, "SELECT pages FROM servicetitan_syncrun WHERE target = 'pricebook.materials'")
        if rows and rows[0][0] >= 2:
            break
        assert victim.poll() is None, victim.stdout.read()
        time.sleep(0.05)
    else:
        pytest.fail("the sync never reached its second materials page")
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    stored = _query(db, "SELECT COUNT(*) FROM pricebook_rawmaterial")[0][0]
    assert stored % 9 == 0 and 0 < stored < len(simulator.dataset.records("pricebook.materials"))  # whole pages
    assert _query(db, "SELECT COUNT(*) FROM pricebook_material")[0][0] == stored

    simulator.faults.latency = 0
    rerun = _manage(["st_sync", "pricebook"], env)
    output = rerun.communicate(timeout=120)[0]
    assert rerun.returncode == 0, output

    expected = expected_payloads(simulator, "pricebook.materials")
    rows = _query(db, "SELECT st_id, payload FROM pricebook_rawmaterial")
    assert sorted(st_id for st_id, _ in rows) == sorted(expected)  # complete, no duplicates
    assert all(json.loads(payload) == expected[st_id] for st_id, payload in rows)
    assert _query(db, "SELECT COUNT(*) FROM pricebook_material")[0][0] == len(expected)
    statuses = _query(
        db, "SELECT status, error FROM servicetitan_syncrun WHERE target = 'pricebook.materials' ORDER BY id"
    )
    assert [status for status, _ in statuses] == ["failed", "succeeded"]
    assert statuses[0][1].startswith("Interrupted")


def test_st_sync_with_redis_unreachable_prints_one_line_and_exits_3(tmp_path):
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:9/0", "DJANGO_DEBUG": "true", "LAZI_REQUIRE_SERVICES": ""}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "manage.py", "st_sync", "dispatch.teams"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Redis" in lines[0] and "unreachable" in lines[0]
    assert "Traceback" not in done.stderr and "127.0.0.1:9" not in done.stderr
