"""A central price change, source → two target tenants, each on a simulator of its own: one batch per tenant pushed
through the bulk path with that tenant's client, at the minimum of requests per tenant."""

from __future__ import annotations

import math

import pytest
from django.db.models import F

from pricebook.models import CentralBatch, CentralChange, CentralPricebook, CentralSubscription, Material
from pricebook.services import central
from pricebook.services.push import batch_size
from tenants.models import Tenant

SOURCE, TENANT_A, TENANT_B = 7_200_001, 7_200_002, 7_200_003


def client_for(server, tenant_id):
    from devtools.simulator import DEMO_APP_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
    from servicetitan.client import ServiceTitanClient
    from servicetitan.client.config import ClientConfig

    return ServiceTitanClient(
        ClientConfig(
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            app_key=DEMO_APP_KEY,
            tenant_id=tenant_id,
            api_url=server.url,
            auth_url=server.url,
        )
    )


@pytest.fixture
def tenants_on_simulators(make_simulator, db):
    """Three tenants generated from the same seed (the same codes), each mirrored from its own simulator."""
    from devtools.simulator.dataset import Dataset
    from servicetitan.sync.engine import sync_targets

    servers, clients = {}, {}
    for tenant_id in (SOURCE, TENANT_A, TENANT_B):
        servers[tenant_id] = make_simulator(dataset=Dataset(scale=0.01, seed=1, tenant_id=tenant_id))
        clients[tenant_id] = client_for(servers[tenant_id], tenant_id)
        runs = sync_targets(["pricebook.categories", "pricebook.materials"], full=True, client=clients[tenant_id])
        assert all(run.status == "succeeded" for run in runs), [(run.target, run.error) for run in runs]
        servers[tenant_id].reset_stats()
    return servers, clients


def without_primary_vendor(tenant_id, materials) -> int:
    """How many of these materials ServiceTitan has without a primary vendor (their raw record's is null or absent)."""
    from pricebook.models import RawMaterial

    payloads = RawMaterial.objects.filter(tenant_id=tenant_id, st_id__in=[m.st_id for m in materials])
    return sum(1 for payload in payloads.values_list("payload", flat=True) if not payload.get("primaryVendor"))


def test_a_central_price_change_reaches_two_tenants_at_the_minimum_of_requests(tenants_on_simulators, settings):
    servers, clients = tenants_on_simulators
    source = Tenant.objects.create(name="Head office", st_tenant_id=SOURCE)
    book = CentralPricebook.objects.create(name="Group", source_tenant=source)
    for name, tenant_id in (("A", TENANT_A), ("B", TENANT_B)):
        tenant = Tenant.objects.create(name=f"Branch {name}", st_tenant_id=tenant_id)
        subscription = CentralSubscription.objects.create(
            central=book, tenant=tenant, policy="auto", locked_fields=["price"]
        )
        counts = central.refresh_mapping(subscription)
        assert counts["matched"] > 0 and counts["clash"] == 0, counts
        central.confirm_mapping(subscription)
    # The central change: head office's active materials 7.00 dearer (as a sync would bring them).
    changed = Material.objects.filter(tenant_id=SOURCE, active=True, deleted=False)
    n = changed.count()
    assert n >= 3
    changed.update(price=F("price") + 7)

    result = central.fan_out(book)

    assert result.totals["tenants"] == 2 and result.totals["changes"] == 2 * n
    page_size = settings.SERVICE_TITAN["PAGE_SIZE"]
    for tenant_id in (TENANT_A, TENANT_B):
        batch = CentralBatch.objects.get(tenant_id=tenant_id)
        assert batch.status == "approved"
        push = central.push_batch(batch, client=clients[tenant_id])
        assert (len(push.synced), push.failed) == (n, {})
        stats = servers[tenant_id].stats.snapshot()
        token = sum(count for route, count in stats["by_route"].items() if "connect/token" in route)
        # Items without a primary vendor cannot be bulk items (the schema requires one): one PATCH each.
        codes = list(CentralChange.objects.filter(batch=batch).values_list("code", flat=True))
        alone = without_primary_vendor(tenant_id, Material.objects.filter(tenant_id=tenant_id, code__in=codes))
        bulk = n - alone
        minimum = math.ceil(bulk / batch_size()) + math.ceil(n / page_size) + token + alone
        assert stats["total"] == minimum, stats
        assert stats["by_route"].get("PATCH /pricebook/v2/tenant/{tenant}/pricebook", 0) == math.ceil(
            bulk / batch_size()
        )
        assert stats["by_route"].get("PATCH /pricebook/v2/tenant/{tenant}/materials/{id}", 0) == alone
        batch.refresh_from_db()
        assert batch.status == "pushed"
        # What the target's ServiceTitan now holds (re-read into the mirror) is the central price.
        central_prices = dict(Material.objects.filter(tenant_id=SOURCE).values_list("code", "price"))
        pushed = CentralChange.objects.filter(batch=batch).values_list("code", flat=True)
        theirs = dict(Material.objects.filter(tenant_id=tenant_id, code__in=list(pushed)).values_list("code", "price"))
        assert theirs and all(theirs[code] == central_prices[code] for code in theirs)
    # Nothing reached the source tenant's ServiceTitan.
    assert servers[SOURCE].stats.snapshot()["total"] == 0


def test_the_scheduled_push_reaches_each_tenant_with_its_own_credentials_and_settles_the_batches(
    tenants_on_simulators,
):
    """No client passed: `push_pending` pushes every tenant's overrides through the client of that tenant's own row
    (its credentials and URLs), and the central batches it completes become pushed."""
    from devtools.simulator import DEMO_APP_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
    from pricebook.services.push import push_pending

    servers, _clients = tenants_on_simulators
    source = Tenant.objects.create(name="Head office", st_tenant_id=SOURCE)
    book = CentralPricebook.objects.create(name="Group", source_tenant=source)
    for name, tenant_id in (("A", TENANT_A), ("B", TENANT_B)):
        tenant = Tenant(name=f"Branch {name}", st_tenant_id=tenant_id, client_id=DEMO_CLIENT_ID)
        tenant.api_url = tenant.auth_url = servers[tenant_id].url
        tenant.client_secret, tenant.app_key = DEMO_CLIENT_SECRET, DEMO_APP_KEY
        tenant.save()
        subscription = CentralSubscription.objects.create(
            central=book, tenant=tenant, policy="auto", locked_fields=["price"]
        )
        central.refresh_mapping(subscription)
        central.confirm_mapping(subscription)
    Material.objects.filter(tenant_id=SOURCE, active=True, deleted=False).update(price=F("price") + 3)
    central.fan_out(book)

    result = push_pending()

    assert result.failed == {} and result.error in ("", None), (result.failed, result.error)
    for tenant_id in (TENANT_A, TENANT_B):
        assert servers[tenant_id].stats.snapshot()["by_route"]["PATCH /pricebook/v2/tenant/{tenant}/pricebook"] >= 1
        assert CentralBatch.objects.get(tenant_id=tenant_id).status == "pushed"
    assert servers[SOURCE].stats.snapshot()["total"] == 0
