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


def test_a_tenant_without_a_key_is_refused_in_words_in_the_log(client, tenants, queued):
    response = _post(client, "/webhooks/servicetitan/keyless/", {"eventType": "customer.updated"}, SECRET)
    assert response.status_code == 403
    event = WebhookEvent.objects.get(pk=response.json()["event"])
    assert event.error == "tenant keyless has no webhook key (set it in the admin)"
    assert "keyless" not in response.content.decode()  # the sender is not told the tenant exists


def test_an_unknown_tenant_is_refused_and_logged_and_queues_nothing(client, tenants, queued):
    response = _post(client, "/webhooks/servicetitan/nowhere/", {"eventType": "customer.updated"}, OTHER_KEY)
    assert response.status_code == 403 and queued == []
    event = WebhookEvent.objects.get(pk=response.json()["event"])
    assert (event.status, event.error, event.payload) == ("rejected", "unknown tenant in the webhook URL", None)


def _unsigned(client, url, payload, signature):
    body = json.dumps(payload).encode()
    if signature == "guessed key":
        signature = sign(body, "a-guessed-webhook-key")
    headers = {"X-ServiceTitan-Signature": signature} if signature is not None else {}
    return client.post(url, body, content_type="application/json", headers=headers)


@pytest.mark.parametrize("signature", [None, "bm90LXRoZS1zaWduYXR1cmU=", "guessed key"])
def test_an_unsigned_delivery_learns_nothing_about_which_tenants_exist(client, tenants, queued, caplog, signature):
    """Unknown tenant, a tenant without a key, a tenant with one: the same refusal (status and body but its log id)."""
    deliveries = {
        "unknown tenant in the URL": ("/webhooks/servicetitan/nowhere/", {"eventType": "customer.updated"}),
        "unknown tenant id in the URL": ("/webhooks/servicetitan/99999/", {"eventType": "customer.updated"}),
        "tenant without a key": ("/webhooks/servicetitan/keyless/", {"eventType": "customer.updated"}),
        "tenant with a key": ("/webhooks/servicetitan/delta/", {"eventType": "customer.updated"}),
        "tenant with a key, by id": ("/webhooks/servicetitan/8008/", {"eventType": "customer.updated"}),
        "unknown tenant in the body": ("/webhooks/servicetitan/", {"eventType": "customer.updated", "tenantId": 1}),
        "keyed tenant in the body": ("/webhooks/servicetitan/", {"eventType": "customer.updated", "tenantId": 8008}),
        "the default tenant": ("/webhooks/servicetitan/", {"eventType": "customer.updated"}),
    }
    answers = {}
    for name, (url, payload) in deliveries.items():
        response = _unsigned(client, url, payload, signature)
        body = response.json()
        assert WebhookEvent.objects.get(pk=body.pop("event")).status == "rejected", name
        answers[name] = (response.status_code, body)
    assert len(set(map(repr, answers.values()))) == 1, answers
    assert next(iter(answers.values()))[0] == 403
    assert queued == []
    assert WebhookEvent.objects.filter(status="rejected").count() == len(deliveries)
    for key in (SECRET, OTHER_KEY):
        assert key not in caplog.text
        assert not WebhookEvent.objects.filter(error__contains=key).exists()


def test_a_delivery_signed_with_another_tenants_key_is_refused_like_an_unknown_tenant(client, tenants, queued):
    delta = _post(client, "/webhooks/servicetitan/delta/", {"eventType": "customer.updated"}, SECRET)
    nowhere = _post(client, "/webhooks/servicetitan/nowhere/", {"eventType": "customer.updated"}, SECRET)
    answers = [(r.status_code, {k: v for k, v in r.json().items() if k != "event"}) for r in (delta, nowhere)]
    assert answers[0] == answers[1] and answers[0][0] == 403


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
