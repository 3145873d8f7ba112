import pytest
from django.urls import reverse

from devtools.simulator import DEMO_TENANT_ID
from jobs.models import JobCancelReason, JobHoldReason
from tests.admin_support import check_mirror_admin, staff_client
from tests.factories import AppointmentFactory, JobFactory, ProjectFactory
from tests.jobs.factories import REFERENCE_FACTORIES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [JobFactory, AppointmentFactory, ProjectFactory])
def test_read_only_admin(factory):
    check_mirror_admin(factory)


@pytest.mark.parametrize("factory", REFERENCE_FACTORIES)
def test_read_only_admin_of_reference_data_and_notes(factory):
    check_mirror_admin(factory)


@pytest.mark.parametrize(
    ("kind", "reason_model", "status"), [("cancel", JobCancelReason, "Canceled"), ("hold", JobHoldReason, "Hold")]
)
def test_cancel_and_hold_from_the_admin_offer_the_mirrored_reasons_by_name(simulator, kind, reason_model, status):
    key = f"jobs.job-{kind}-reasons"
    record = next(r for r in simulator.dataset.records("jobs.jobs") if r["jobStatus"] == "Scheduled")
    job = JobFactory(tenant_id=DEMO_TENANT_ID, st_id=record["id"], job_status="Scheduled")
    usable = reason_model.objects.create(
        tenant_id=DEMO_TENANT_ID, st_id=simulator.dataset.id_at(key, 0), name="Customer <changed> mind", active=True
    )
    reason_model.objects.create(tenant_id=DEMO_TENANT_ID, st_id=55, name="Retired reason", active=False)
    url = reverse(f"admin:jobs_job_{kind}", args=[job.pk])
    client = staff_client()

    assert f'href="{url}"' in client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    page = client.get(url).content.decode()
    assert "Customer &lt;changed&gt; mind" in page  # by name, escaped
    assert "Retired reason" not in page  # inactive reasons are not offered

    refused = client.post(url, {"reason": 55, "memo": "x"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    done = client.post(url, {"reason": usable.pk, "memo": "From the office"}, follow=True)
    assert done.redirect_chain and done.redirect_chain[-1][0] == reverse("admin:jobs_job_change", args=[job.pk])
    assert simulator.dataset.get("jobs.jobs", job.st_id)["jobStatus"] == status
    job.refresh_from_db()
    assert job.job_status == status


def test_cancel_from_the_admin_needs_change_permission(simulator):
    job = JobFactory(tenant_id=DEMO_TENANT_ID)
    viewer_client = staff_client(superuser=False, groups=["Viewers"])
    assert viewer_client.get(reverse("admin:jobs_job_cancel", args=[job.pk])).status_code == 403
    page = viewer_client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert reverse("admin:jobs_job_cancel", args=[job.pk]) not in page


def test_the_admin_says_when_no_reasons_are_mirrored(simulator):
    job = JobFactory(tenant_id=DEMO_TENANT_ID)
    page = staff_client().get(reverse("admin:jobs_job_hold", args=[job.pk])).content.decode()
    assert "No hold reasons are mirrored for this tenant yet" in page


@pytest.mark.parametrize("kind", ["cancel", "hold"])
def test_cancel_and_hold_of_an_unknown_or_non_numeric_job_is_not_found(kind):
    client = staff_client()
    client.raise_request_exception = False
    job = JobFactory()
    for object_id in ("abc", "9" * 30, str(job.pk + 1000)):
        assert client.get(reverse(f"admin:jobs_job_{kind}", args=[object_id])).status_code == 404, object_id
    assert client.get(reverse(f"admin:jobs_job_{kind}", args=[job.pk])).status_code == 200
