"""The sync admin: read-only runs with their errors, the per-entity status page and its "sync now" buttons."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicetitan.models import SyncRun
from servicetitan.sync.engine import _describe, request_follow_up
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
STATUS_URL = "/admin/servicetitan/syncrun/status/"


@pytest.fixture
def staff():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True, username="office"))
    return client


def test_status_page_lists_every_entity_with_its_last_run_and_error(staff):
    SyncRun.objects.create(
        target="pricebook.materials",
        tenant_id=1,
        status=SyncRun.Status.FAILED,
        finished_at=timezone.now(),
        error="ApiError: price: Price must be greater than or equal to 0",
    )

    page = staff.get(STATUS_URL)

    assert page.status_code == 200
    html = page.content.decode()
    for key in ("pricebook.categories", "pricebook.materials", "pricebook.services", "pricebook.equipment"):
        assert key in html
    assert "Price must be greater than or equal to 0" in html
    assert "failed" in html
    assert html.count("Full resync") >= 4


def test_status_page_says_when_another_run_was_requested_during_a_run(staff):
    assert "another run requested" not in staff.get(STATUS_URL).content.decode()

    request_follow_up(1, "pricebook.services")  # what a skipped run leaves

    html = staff.get(STATUS_URL).content.decode()
    assert html.count("another run requested") == 1


def test_sync_now_queues_the_task_on_commit_and_the_run_is_recorded(
    staff, simulator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff.post(STATUS_URL, {"target": "pricebook.categories", "full": "0"}, follow=True)

    assert len(callbacks) == 1
    assert response.redirect_chain[-1][0] == STATUS_URL
    assert "Sync of pricebook.categories queued" in response.content.decode()
    run = SyncRun.objects.get()
    assert (run.target, run.status, run.full, run.triggered_by) == (
        "pricebook.categories",
        SyncRun.Status.SUCCEEDED,
        False,
        "admin:office",
    )


def test_full_resync_of_a_module_and_unknown_targets(staff, simulator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(STATUS_URL, {"target": "pricebook", "full": "1"})
    # categories, the markup table, materials, equipment, services
    assert SyncRun.objects.filter(full=True, status=SyncRun.Status.SUCCEEDED).count() == 5

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff.post(STATUS_URL, {"target": "nonsense", "full": "0"}, follow=True)
    assert callbacks == []
    assert "nknown sync target &#x27;nonsense&#x27;" in response.content.decode()


def test_runs_are_read_only_and_show_the_full_error(staff):
    run = SyncRun.objects.create(target="pricebook.materials", status=SyncRun.Status.FAILED, error="Boom\n\ndetails")

    changelist = staff.get(reverse("admin:servicetitan_syncrun_changelist"))
    detail = staff.get(reverse("admin:servicetitan_syncrun_change", args=[run.pk]))

    assert changelist.status_code == detail.status_code == 200
    assert "Sync status" in changelist.content.decode()
    assert "details" in detail.content.decode()
    assert staff.get(reverse("admin:servicetitan_syncrun_add")).status_code == 403
    assert 'name="_save"' not in detail.content.decode()


def test_the_status_page_and_its_buttons_are_staff_only(simulator, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(UserFactory(is_staff=False))
    assert client.get(STATUS_URL).status_code == 302
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.post(STATUS_URL, {"target": "pricebook", "full": "1"}).status_code == 302
    assert callbacks == []
    assert not SyncRun.objects.exists()


def test_run_errors_never_carry_the_client_secret(settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "CLIENT_SECRET": "cs1.very-secret-value"}
    try:
        raise RuntimeError("token request with client_secret=cs1.very-secret-value refused")
    except RuntimeError as exc:
        text = _describe(exc)
    assert "very-secret-value" not in text
    assert "refused" in text


def test_sync_buttons_need_the_run_sync_permission(django_capture_on_commit_callbacks):
    viewer_staff = Client()
    viewer_staff.force_login(UserFactory(is_staff=True, groups=["Viewers"]))
    page = viewer_staff.get(STATUS_URL)
    assert page.status_code == 200 and ">Sync now</button>" not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert viewer_staff.post(STATUS_URL, {"target": "pricebook", "full": "0"}).status_code == 403
    assert callbacks == []

    operator = Client()
    operator.force_login(UserFactory(is_staff=True, groups=["Operators"]))
    assert ">Sync now</button>" in operator.get(STATUS_URL).content.decode()


def test_status_page_shows_when_the_last_webhook_of_each_entity_arrived(staff):
    import datetime

    from django.template.defaultfilters import date as date_filter

    from servicetitan.models import WebhookEvent

    at = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=2)
    WebhookEvent.objects.create(status="queued", targets=["crm.customers"], received_at=at, event_type="customer.x")
    WebhookEvent.objects.create(status="rejected", targets=[], received_at=timezone.now(), event_type="customer.x")
    page = staff.get(STATUS_URL).content.decode()
    row = page[page.index(">crm.customers<") :]
    row = row[: row.index("</tr>")]
    # In the admin's one time format (with the time zone), like every other time on the page.
    assert date_filter(at, "DATETIME_FORMAT") in row
    other = page[page.index(">crm.locations<") :]
    assert "none" in other[: other.index("</tr>")]


def test_a_failed_run_shows_the_message_not_a_traceback(simulator, settings):
    from servicetitan.sync.engine import sync_targets

    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "MAX_ATTEMPTS": 1, "BACKOFF_BASE": 0.01}
    simulator.stop()
    (run,) = sync_targets(["dispatch.teams"])
    assert run.status == SyncRun.Status.FAILED
    assert run.error and "Traceback" not in run.error and 'File "' not in run.error
    assert len(run.error.splitlines()) == 1
