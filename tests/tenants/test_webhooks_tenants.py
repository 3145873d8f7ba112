"""Webhooks routed by tenant: the URL (name or ServiceTitan id) or the body's tenantId, each with its own key."""

import json

import pytest

from servicetitan.models import WebhookEvent
from tenants.models import Tenant
from tests.servicetitan.test_webhooks import SECRET, sign

pytestmark = pytest.mark.django_db

OTHER_KEY = "delta-webhook-key-77"


@pytest.fixture
def tenants(settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "WEBHOOK_SECRET": SECRET, "TENANT_ID": "4242"}
    delta = Tenant(name="delta", st_tenant_id=8008)
    delta.webhook_key = OTHER_KEY
    delta.save()
    Tenant.objects.create(name="keyless", st_tenant_id=8009)
    return delta


@pytest.fixture
def queued(monkeypatch):
    from servicetitan.tasks import sync_targets_task

    calls = []
    monkeypatch.setattr(sync_targets_task, "delay", lambda targets, **kwargs: calls.append((targets, kwargs)))
    return calls


def _post(client, url, payload, key):
    body = json.dumps(payload).encode()
    return client.post(
        url, body, content_type="application/json", headers={"X-ServiceTitan-Signature": sign(body, key)}
    )


@pytest.mark.parametrize("where", ["delta", "8008"])
def test_a_tenant_url_uses_its_key_and_queues_its_sync(
    client, tenants, queued, where, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, f"/webhooks/servicetitan/{where}/", {"eventType": "customer.updated"}, OTHER_KEY)
    assert response.status_code == 202, response.content
    assert queued == [
        (["crm.customers"], {"full": False, "triggered_by": f"webhook:{response.json()['event']}", "tenant_id": 8008})
    ]


def test_another_tenants_key_is_refused(client, tenants, queued):
    response = _post(client, "/webhooks/servicetitan/delta/", {"eventType": "customer.updated"}, SECRET)
    assert response.status_code == 403 and queued == []


def test_a_tenant_without_a_key_is_refused_in_words(client, tenants, queued):
    response = _post(client, "/webhooks/servicetitan/keyless/", {"eventType": "customer.updated"}, SECRET)
    assert response.status_code == 403
    assert response.json()["reason"] == "tenant keyless has no webhook key (set it in the admin)"


def test_an_unknown_tenant_is_404_and_queues_nothing(client, tenants, queued):
    response = _post(client, "/webhooks/servicetitan/nowhere/", {"eventType": "customer.updated"}, OTHER_KEY)
    assert response.status_code == 404 and queued == []


def test_the_body_tenant_id_routes_on_the_shared_url(client, tenants, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "/webhooks/servicetitan/", {"eventType": "job.completed", "tenantId": 8008}, OTHER_KEY)
    assert response.status_code == 202
    assert queued[0][1]["tenant_id"] == 8008


def test_the_shared_url_without_a_tenant_is_the_default_one(
    client, tenants, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "/webhooks/servicetitan/", {"eventType": "job.completed"}, SECRET)
    assert response.status_code == 202
    assert queued[0][1]["tenant_id"] == 4242


def test_event_ids_are_unique_per_tenant(client, tenants, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(client, "/webhooks/servicetitan/", {"eventType": "job.completed", "eventId": "e-1"}, SECRET)
        other = _post(
            client, "/webhooks/servicetitan/delta/", {"eventType": "job.completed", "eventId": "e-1"}, OTHER_KEY
        )
        again = _post(
            client, "/webhooks/servicetitan/delta/", {"eventType": "job.completed", "eventId": "e-1"}, OTHER_KEY
        )
    assert (first.status_code, other.status_code, again.status_code) == (202, 202, 200)
    assert WebhookEvent.objects.filter(status="duplicate").count() == 1
