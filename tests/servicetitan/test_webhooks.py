import base64
import hashlib
import hmac
import json

import pytest

from servicetitan.models import SyncRun, WebhookEvent
from servicetitan.webhooks import signature_is_valid, target_for_event

pytestmark = pytest.mark.django_db

URL = "/webhooks/servicetitan/"
SECRET = "whsec-test-0123456789"


def sign(body: bytes, secret: str = SECRET, *, encoding: str = "base64") -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode() if encoding == "base64" else digest.hex()


def post(client, payload, *, signature=None, headers=None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = dict(headers or {})
    if signature is not None:
        headers["X-ServiceTitan-Signature"] = signature
    return client.post(URL, body, content_type="application/json", headers=headers)


@pytest.fixture
def secret(settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "WEBHOOK_SECRET": SECRET}
    return SECRET


@pytest.fixture
def queued(monkeypatch):
    """The sync tasks queued, as (targets, kwargs), instead of running them."""
    from servicetitan.tasks import sync_targets_task

    calls = []
    monkeypatch.setattr(sync_targets_task, "delay", lambda targets, **kwargs: calls.append((targets, kwargs)))
    return calls


def test_refused_when_no_secret_is_configured(client, settings, queued, django_capture_on_commit_callbacks):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "WEBHOOK_SECRET": ""}
    payload = {"eventType": "customer.updated", "id": 1}
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, payload, signature=sign(json.dumps(payload).encode(), ""))

    assert response.status_code == 403
    event = WebhookEvent.objects.get()
    assert (event.status, event.signature_valid) == (WebhookEvent.Status.REJECTED, False)
    assert "SERVICE_TITAN_WEBHOOK_SECRET" in event.error
    assert queued == []


@pytest.mark.parametrize("signature", [None, "", "bm90LXRoZS1zaWduYXR1cmU=", "zz-not-base64-nor-hex"])
def test_refused_with_a_wrong_signature(client, secret, queued, signature, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, {"eventType": "customer.updated"}, signature=signature)

    assert response.status_code == 403
    event = WebhookEvent.objects.get()
    assert event.status == WebhookEvent.Status.REJECTED and not event.signature_valid
    assert event.event_type == "customer.updated"
    assert queued == []


def test_signed_with_another_secret_is_refused(client, secret, queued):
    payload = json.dumps({"eventType": "customer.updated"}).encode()
    response = post(client, payload, signature=sign(payload, "another-secret"))
    assert response.status_code == 403


@pytest.mark.parametrize("encoding", ["base64", "hex"])
def test_valid_webhook_is_logged_and_queues_an_incremental_sync(
    client, secret, queued, encoding, django_capture_on_commit_callbacks
):
    payload = json.dumps({"eventType": "pricebook.material.updated", "id": 1100000010}).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, payload, signature=sign(payload, encoding=encoding))

    assert response.status_code == 202, response.content
    event = WebhookEvent.objects.get()
    assert response.json() == {"event": event.pk, "status": "queued", "targets": ["pricebook.materials"]}
    assert (event.status, event.signature_valid, event.targets) == ("queued", True, ["pricebook.materials"])
    assert event.payload == {"eventType": "pricebook.material.updated", "id": 1100000010}
    assert queued == [(["pricebook.materials"], {"full": False, "triggered_by": f"webhook:{event.pk}"})]
    stored = json.dumps([event.payload, event.error, event.event_type, event.targets])
    assert SECRET not in stored


def test_nothing_is_queued_before_commit(client, secret, queued, django_capture_on_commit_callbacks):
    payload = json.dumps({"eventType": "customer.created"}).encode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post(client, payload, signature=sign(payload))
    assert queued == [] and len(callbacks) == 1


def test_event_type_from_header_and_unknown_events_are_ignored(
    client, secret, queued, django_capture_on_commit_callbacks
):
    body = b"not json at all"
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, body, signature=sign(body), headers={"X-ServiceTitan-Event": "marketing.campaign.sent"})

    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.event_type, event.status, event.payload) == ("marketing.campaign.sent", "ignored", None)
    assert queued == []


def test_only_post_and_bounded_bodies(client, secret):
    assert client.get(URL).status_code == 405
    big = b"x" * (256 * 1024 + 1)
    response = post(client, big, signature=sign(big))
    assert response.status_code == 413
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    ("event_type", "target"),
    [
        ("pricebook.material.created", "pricebook.materials"),
        ("pricebook.service.updated", "pricebook.services"),
        ("pricebook.equipment.updated", "pricebook.equipment"),
        ("pricebook.category.updated", "pricebook.categories"),
        ("customer.created", "crm.customers"),
        ("customer.updated", "crm.customers"),
        ("job.created", "jobs.jobs"),
        ("job.completed", "jobs.jobs"),
        ("appointment.rescheduled", "jobs.appointments"),
        ("invoice.updated", "accounting.invoices"),
        ("dispatch.business-unit.updated", "dispatch.business-units"),
        ("inventory.purchase-order.created", "inventory.purchase-orders"),
        ("marketing.campaign.sent", None),
        ("customer", None),
        ("", None),
    ],
)
def test_target_for_event(event_type, target):
    assert target_for_event(event_type) == target


def test_signature_check():
    body = b'{"a": 1}'
    assert signature_is_valid(body, sign(body), SECRET)
    assert signature_is_valid(body, "sha256=" + sign(body, encoding="hex"), SECRET)
    assert not signature_is_valid(body + b" ", sign(body), SECRET)
    assert not signature_is_valid(body, sign(body), "")


def test_valid_webhook_runs_the_sync_in_process(client, secret, simulator, django_capture_on_commit_callbacks):
    # No broker in tests: the queued task runs on commit, against the simulator.
    payload = json.dumps({"eventType": "customer.updated", "id": 1}).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, payload, signature=sign(payload))

    assert response.status_code == 202
    run = SyncRun.objects.get()
    assert (run.target, run.status, run.full) == ("crm.customers", "succeeded", False)
    assert run.triggered_by == f"webhook:{WebhookEvent.objects.get().pk}"


def test_admin_shows_the_log_read_only(secret):
    from django.contrib.auth import get_user_model
    from django.test import Client

    event = WebhookEvent.objects.create(
        event_type="customer.updated", status="queued", signature_valid=True, payload={"x": "<i>1</i>"}
    )
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", None))
    assert client.get("/admin/servicetitan/webhookevent/").status_code == 200
    page = client.get(f"/admin/servicetitan/webhookevent/{event.pk}/change/").content.decode()
    assert "&lt;i&gt;1&lt;/i&gt;" in page and 'name="_save"' not in page
    assert SECRET not in page
    assert client.get("/admin/servicetitan/webhookevent/add/").status_code == 403


# --- Hardening: refused bodies, replays, timestamps, header name, HMAC off, retention -------------------------------------
def test_a_refused_delivery_is_logged_without_its_body(client, secret, queued, caplog):
    body = json.dumps({"eventType": "customer.updated", "junk": "x" * 50_000}).encode()
    response = post(client, body, signature="bm90LXRoZS1zaWduYXR1cmU=")

    assert response.status_code == 403
    event = WebhookEvent.objects.get()
    assert event.payload is None
    assert event.body_bytes == len(body) and event.body_sha256 == hashlib.sha256(body).hexdigest()
    assert "x" * 100 not in caplog.text
    assert str(len(body)) in caplog.text and event.body_sha256 in caplog.text


def test_an_event_delivered_twice_is_processed_once(client, secret, queued, django_capture_on_commit_callbacks):
    body = json.dumps({"eventType": "customer.updated", "eventId": "evt-42"}).encode()
    with django_capture_on_commit_callbacks(execute=True):
        answers = [post(client, body, signature=sign(body)).status_code for _ in range(5)]

    assert answers == [202, 200, 200, 200, 200]
    assert len(queued) == 1
    statuses = list(WebhookEvent.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["queued"] + ["duplicate"] * 4


def test_the_event_id_may_come_from_a_header(client, secret, queued, django_capture_on_commit_callbacks):
    body = json.dumps({"eventType": "customer.updated"}).encode()
    headers = {"X-ServiceTitan-Event-Id": "evt-header"}
    with django_capture_on_commit_callbacks(execute=True):
        post(client, body, signature=sign(body), headers=headers)
        post(client, body, signature=sign(body), headers=headers)
    assert len(queued) == 1


@pytest.mark.parametrize(("age", "accepted"), [(60, True), (3600, False), (-3600, False)])
def test_deliveries_outside_the_timestamp_window_are_refused(
    client, secret, queued, age, accepted, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    when = (timezone.now() - datetime.timedelta(seconds=age)).isoformat()
    body = json.dumps({"eventType": "customer.updated", "timestamp": when}).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, body, signature=sign(body))
    assert response.status_code == (202 if accepted else 403)
    assert len(queued) == (1 if accepted else 0)
    if not accepted:
        assert "window" in WebhookEvent.objects.get().error


def test_the_signature_header_name_is_a_setting(client, secret, settings, queued):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "WEBHOOK_SIGNATURE_HEADER": "ST-Signature"}
    body = json.dumps({"eventType": "customer.updated"}).encode()
    assert post(client, body, signature=sign(body)).status_code == 403  # the default header no longer counts
    assert post(client, body, headers={"ST-Signature": sign(body)}).status_code == 202


def test_hmac_is_off_only_when_explicitly_turned_off(client, settings, queued):
    body = json.dumps({"eventType": "customer.updated"}).encode()
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "WEBHOOK_SECRET": ""}
    assert post(client, body).status_code == 403
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "WEBHOOK_SECRET": "", "WEBHOOK_HMAC": False}
    response = post(client, body)
    assert response.status_code == 202
    assert WebhookEvent.objects.latest("id").signature_valid is False


def test_old_webhook_and_sync_logs_are_deleted_after_the_retention(settings):
    import datetime

    from django.utils import timezone

    from servicetitan.retention import purge_old_logs

    settings.LAZI_LOG_RETENTION_DAYS = 30
    old = timezone.now() - datetime.timedelta(days=31)
    WebhookEvent.objects.create(status="rejected", received_at=old)
    fresh = WebhookEvent.objects.create(status="rejected")
    last_success = SyncRun.objects.create(target="crm.customers", status="succeeded", started_at=old)
    older = SyncRun.objects.create(target="crm.customers", status="succeeded", started_at=old - datetime.timedelta(1))
    last_failure = SyncRun.objects.create(
        target="crm.customers", status="failed", started_at=old + datetime.timedelta(1)
    )
    recent = SyncRun.objects.create(target="jobs.jobs", status="failed")

    assert purge_old_logs() == {"webhook_events": 1, "sync_runs": 1}
    assert list(WebhookEvent.objects.all()) == [fresh]
    assert set(SyncRun.objects.values_list("pk", flat=True)) == {last_success.pk, last_failure.pk, recent.pk}
    assert not SyncRun.objects.filter(pk=older.pk).exists()


def test_the_retention_task_is_a_default_schedule():
    from servicetitan.sync.schedules import DEFAULT_SCHEDULES

    assert "servicetitan.tasks.purge_logs_task" in {schedule.task for schedule in DEFAULT_SCHEDULES}


def test_redis_unreachable_answers_503_and_the_retry_is_processed(client, secret, settings, queued):
    body = json.dumps({"eventType": "customer.updated", "eventId": "evt-9"}).encode()
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    assert post(client, body, signature=sign(body)).status_code == 503
    settings.REDIS_URL = ""
    assert post(client, body, signature=sign(body)).status_code == 202


BAD_DELIVERIES = {
    "empty body": (b"", None, URL),
    "not JSON": (b"{not json", None, URL),
    "binary": (b"\xff\xfe\x00\x01", None, URL),
    "JSON but a list": (b"[1, 2]", None, URL),
    "wrong signature": (b'{"eventType": "customer.updated"}', "c2lnbmVk", URL),
    "unknown tenant in the URL": (b'{"eventType": "customer.updated"}', None, URL + "no-such-tenant/"),
    "tenant id past 64 bits in the URL": (b"{}", None, URL + "9" * 30 + "/"),
    "superscript digits in the URL": (b"{}", None, URL + "\u00b2/"),
    "tenant id past 64 bits in the body": (json.dumps({"tenantId": "9" * 30}).encode(), None, URL),
    "superscript digits in the body": (json.dumps({"tenantId": "\u00b2"}).encode(), None, URL),
    "superscript digits as the timestamp": (json.dumps({"timestamp": "\u00b2"}).encode(), None, URL),
    "NUL in the event type and id": (json.dumps({"eventType": "a\u0000b", "eventId": "x\u0000"}).encode(), None, URL),
}


@pytest.mark.parametrize("name", list(BAD_DELIVERIES))
def test_a_bad_delivery_is_a_4xx_that_echoes_no_secret(client, secret, queued, name):
    body, signature, url = BAD_DELIVERIES[name]
    headers = {"X-ServiceTitan-Signature": signature if signature is not None else "bm90LXRoZS1zaWduYXR1cmU="}
    client.raise_request_exception = False
    response = client.post(url, body, content_type="application/json", headers=headers)
    assert 400 <= response.status_code < 500, (name, response.status_code)
    assert SECRET not in response.content.decode(errors="replace")
    assert queued == []


def test_a_refused_delivery_with_a_nul_is_logged_without_it(client, secret, queued):
    response = post(client, {"eventType": "customer.\u0000updated", "eventId": "e\u00001"}, signature="bad")
    assert response.status_code == 403
    event = WebhookEvent.objects.get(pk=response.json()["event"])
    assert event.event_type == "customer.updated" and event.event_id == "e1"
