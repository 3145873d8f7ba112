import datetime

import pytest
from django.utils import timezone

from servicetitan.models import SyncRun
from tests.api_support import client_for
from tests.factories import UserFactory, viewer

pytestmark = pytest.mark.django_db

RUNS = "/api/v1/sync/runs/"
SYNC = "/api/v1/sync/"


@pytest.fixture
def queued(monkeypatch):
    from servicetitan.tasks import sync_targets_task

    calls = []
    monkeypatch.setattr(sync_targets_task, "delay", lambda targets, **kwargs: calls.append((targets, kwargs)))
    return calls


def make_run(target, status, *, minutes_ago=0, **fields):
    started = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return SyncRun.objects.create(target=target, status=status, started_at=started, finished_at=started, **fields)


def test_runs_list_newest_first_with_filters():
    old = make_run("crm.customers", "succeeded", minutes_ago=30, created=5)
    failed = make_run("crm.locations", "failed", minutes_ago=10, error="ServiceTitan answered HTTP 500")
    other = make_run("pricebook.materials", "succeeded", minutes_ago=5)
    client = client_for(viewer())

    listed = client.get(RUNS)
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["results"]] == [other.pk, failed.pk, old.pk]
    assert listed.json()["results"][2]["created"] == 5
    ids = lambda params: [r["id"] for r in client.get(RUNS, params).json()["results"]]  # noqa: E731
    assert ids({"target": "crm.customers"}) == [old.pk]
    assert ids({"status": "failed"}) == [failed.pk]
    assert ids({"module": "crm"}) == [failed.pk, old.pk]
    detail = client.get(f"{RUNS}{failed.pk}/").json()
    assert detail["error"] == "ServiceTitan answered HTTP 500" and detail["duration_seconds"] == 0.0


def test_runs_need_authentication_and_view_permission():
    make_run("crm.customers", "succeeded")
    assert client_for().get(RUNS).status_code == 401
    assert client_for(UserFactory()).get(RUNS).status_code == 403
    assert client_for(UserFactory(permissions=["servicetitan.view_syncrun"])).get(RUNS).status_code == 200


def test_staff_queue_a_sync_on_commit(queued, django_capture_on_commit_callbacks):
    staff = UserFactory(is_staff=True, username="ops", groups=["Operators"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff).post(SYNC, {"targets": ["crm", "jobs.jobs"], "full": True}, format="json")

    assert response.status_code == 202, response.content
    crm = ["crm.customers", "crm.locations", "crm.contacts", "crm.customer-contacts", "crm.bookings", "crm.leads"]
    assert response.json() == {"targets": [*crm, "jobs.jobs"], "full": True}
    assert queued == [(["crm", "jobs.jobs"], {"full": True, "triggered_by": "api:ops"})]


def test_empty_targets_mean_everything(queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(UserFactory(is_staff=True, groups=["Operators"])).post(SYNC, {}, format="json")
    assert response.status_code == 202
    assert {"pricebook.materials", "crm.customers", "inventory.vendors"} <= set(response.json()["targets"])
    assert response.json()["full"] is False
    assert queued[0][0] is None


def test_unknown_target_is_a_400_and_queues_nothing(queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(UserFactory(is_staff=True, groups=["Operators"])).post(
            SYNC, {"targets": ["crm.nope"]}, format="json"
        )
    assert response.status_code == 400
    assert "unknown sync target 'crm.nope'" in response.json()["targets"][0]
    assert queued == []


@pytest.mark.parametrize("user_kind", ["anonymous", "viewer", "superperms", "inactive staff"])
def test_only_staff_or_operators_may_trigger(user_kind, queued):
    user = {
        "anonymous": None,
        "viewer": viewer(),
        # Non-staff with sync-run model permissions, but not "Can run syncs".
        "superperms": UserFactory(permissions=["servicetitan.add_syncrun", "servicetitan.view_syncrun"]),
        "inactive staff": UserFactory(is_staff=True, is_active=False),
    }[user_kind]
    response = client_for(user).post(SYNC, {"targets": ["crm"]}, format="json")
    assert response.status_code == (401 if user is None else 403)
    assert queued == []


@pytest.mark.parametrize("user_kind", ["staff", "staff viewer"])
def test_staff_may_trigger_without_the_run_sync_permission(user_kind, queued, django_capture_on_commit_callbacks):
    """INTERFACE.md: `POST /api/v1/sync/` is "(staff only)": staff status is enough."""
    groups = {"staff": [], "staff viewer": ["Viewers"]}[user_kind]
    user = UserFactory(is_staff=True, groups=groups)
    assert not user.has_perm("servicetitan.run_sync")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(SYNC, {"targets": ["crm"]}, format="json")
    assert response.status_code == 202, response.content
    assert len(queued) == 1


def test_staff_sync_runs_in_process_against_the_simulator(simulator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(UserFactory(is_staff=True, groups=["Operators"])).post(
            SYNC, {"targets": ["dispatch.teams"]}, format="json"
        )
    assert response.status_code == 202
    run = SyncRun.objects.get()
    assert (run.target, run.status) == ("dispatch.teams", "succeeded")
    assert run.triggered_by.startswith("api:")


def test_the_run_sync_permission_alone_is_enough(queued, django_capture_on_commit_callbacks):
    user = UserFactory(permissions=["servicetitan.run_sync"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(SYNC, {"targets": ["crm"]}, format="json")
    assert response.status_code == 202
    assert len(queued) == 1


def test_redis_unreachable_is_a_503_with_a_message(settings, queued, django_capture_on_commit_callbacks):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(UserFactory(groups=["Operators"])).post(SYNC, {"targets": ["crm"]}, format="json")
    assert response.status_code == 503
    assert "unreachable" in response.json()["detail"]
    assert "127.0.0.1:9" not in response.json()["detail"]
    assert queued == []
