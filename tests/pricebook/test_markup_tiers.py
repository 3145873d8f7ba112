"""ServiceTitan's material markup table: sync, validation, write-back (POST / PUT) against the simulator, API, admin,
st_push, and the `tier_for` selector."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from pricebook.models import MarkupTier, MarkupTierEdit
from pricebook.selectors import markup_tiers, tier_for
from pricebook.services.markup import (
    MarkupTableError,
    TierValues,
    push_markup_edits,
    save_tier_edit,
    table_errors,
)
from servicetitan.sync.engine import sync_targets
from servicetitan.sync.streams import resolve_targets

KEY = "pricebook.markup-tiers"
POST = "POST /pricebook/v2/tenant/{tenant}/materialsmarkup"
PUT = "PUT /pricebook/v2/tenant/{tenant}/materialsmarkup/{id}"
LIST = "GET /pricebook/v2/tenant/{tenant}/materialsmarkup"
D = Decimal


def table(tenant_id) -> list[tuple]:
    return [(t.from_cost, t.to_cost, t.percent) for t in markup_tiers(tenant_id)]


def st_table(simulator) -> list[tuple]:
    rows = [r for r in simulator.dataset.records(KEY) if not simulator.dataset.is_deleted(KEY, r["id"])]
    return sorted((r["from"], r["to"], r["percent"]) for r in rows)


def routes(simulator) -> dict:
    return simulator.stats.snapshot()["by_route"]


def tier(low, high, percent, st_id=None):
    return SimpleNamespace(st_id=st_id, from_cost=D(low), to_cost=D(high), percent=D(percent))


# --- the selector -----------------------------------------------------------------------------------------------------
def test_tier_for_boundaries():
    tiers = [tier(10, 100, 60), tier(0, 10, 100), tier(100, 1000, 40), tier(1000, 5000, 25)]
    assert tier_for(D("0"), tiers).percent == 100
    assert tier_for(D("9.99"), tiers).percent == 100
    assert tier_for(D("10"), tiers).percent == 60  # from ≤ cost < to: 10 is the second tier's
    assert tier_for(D("999.99"), tiers).percent == 40
    assert tier_for(D("1000"), tiers).percent == 25
    assert tier_for(D("5000"), tiers).percent == 25  # at or above the highest `to`: the highest tier
    assert tier_for(D("1e7"), tiers).percent == 25
    assert tier_for(D("5"), [tier(10, 100, 60)]) is None  # below the lowest `from`
    assert tier_for(D("5"), []) is None


# --- validation -------------------------------------------------------------------------------------------------------
def test_table_validation_finds_gaps_overlaps_and_bad_tiers():
    good = [TierValues(1, D(0), D(10), D(100)), TierValues(2, D(10), D(100), D(60))]
    assert table_errors(good) == []
    gap = [TierValues(1, D(0), D(10), D(100)), TierValues(2, D(20), D(100), D(60))]
    assert table_errors(gap) == ["Tiers 0-10 and 20-100 leave a gap: costs from 10 to 20 would have no markup."]
    overlap = [TierValues(1, D(0), D(15), D(100)), TierValues(2, D(10), D(100), D(60))]
    assert table_errors(overlap) == ["Tiers 0-15 and 10-100 overlap."]
    backwards = [TierValues(1, D(10), D(5), D(50))]
    assert table_errors(backwards) == ["Tier 10-5: From (10) must be below To (5)."]
    assert "between 0 and 100" in table_errors([TierValues(1, D(0), D(5), D(101))])[0]
    assert "between 0 and 100" in table_errors([TierValues(1, D(0), D(5), D(-1))])[0]
    assert "From must be between 0" in table_errors([TierValues(1, D(-1), D(5), D(10))])[0]


# --- sync -------------------------------------------------------------------------------------------------------------
def test_the_markup_table_is_synced_whole_with_the_pricebook(synced):
    assert KEY in [stream.key for stream in resolve_targets(["pricebook"])]  # so the pricebook schedules sync it
    tenant = synced.dataset.tenant_id
    assert table(tenant) == [(D(0), D(10), D(100)), (D(10), D(100), D(60)), (D(100), D(1000), D(40)),
                             (D(1000), D(2147483647), D(25))]  # fmt: skip

    # Changed in ServiceTitan: an incremental run refreshes the whole table (no modifiedOn, no export).
    first = MarkupTier.objects.get(tenant_id=tenant, from_cost=0)
    synced.dataset.update(KEY, first.st_id, {"percent": 90})
    runs = sync_targets([KEY])
    assert runs[0].status == "succeeded"
    assert routes(synced) == {LIST: 1}
    first.refresh_from_db()
    assert first.percent == D(90)


# --- write-back -------------------------------------------------------------------------------------------------------
def test_a_changed_tier_is_put_and_a_new_one_posted(synced, editor):
    tenant = synced.dataset.tenant_id
    top = MarkupTier.objects.get(tenant_id=tenant, from_cost=1000)
    # Split the top tier: 1000-5000 at 30%, then a new 5000+ tier at 20%.
    changed = save_tier_edit(tenant_id=tenant, tier_st_id=top.st_id, from_cost=1000, to_cost=5000, percent=30)
    with pytest.raises(MarkupTableError):
        # Alone, the new tier would overlap the top tier as ServiceTitan has it… with the pending edit it fits.
        save_tier_edit(tenant_id=tenant, tier_st_id=None, from_cost=4000, to_cost=2147483647, percent=20)
    added = save_tier_edit(
        tenant_id=tenant, tier_st_id=None, from_cost=5000, to_cost=2147483647, percent=20, user=editor
    )
    assert changed.status == added.status == MarkupTierEdit.Status.PENDING
    # Pending edits are not ServiceTitan's table yet: the mirror is unchanged until it accepts them.
    assert table(tenant)[-1] == (D(1000), D(2147483647), D(25))

    result = push_markup_edits()

    assert sorted(result.pushed) == sorted([changed.pk, added.pk]) and not result.failed
    assert not MarkupTierEdit.objects.exists()
    assert st_table(synced)[-2:] == [(1000, 5000, 30), (5000, 2147483647, 20)]
    assert table(tenant)[-2:] == [(D(1000), D(5000), D(30)), (D(5000), D(2147483647), D(20))]
    assert result.tiers[added.pk] == MarkupTier.objects.get(tenant_id=tenant, from_cost=5000).st_id
    # PUT for the changed tier, POST for the new one: both answer {"data": tier} (the spec's Result_Of_…), so no list.
    assert routes(synced) == {PUT: 1, POST: 1}


def test_a_refused_edit_keeps_servicetitans_message_and_loses_nothing(synced):
    tenant = synced.dataset.tenant_id
    first = MarkupTier.objects.get(tenant_id=tenant, from_cost=0)
    edit = save_tier_edit(tenant_id=tenant, tier_st_id=first.st_id, from_cost=0, to_cost=10, percent=80)
    # Meanwhile someone changed ServiceTitan's table so that 0-10 overlaps another tier there.
    second = MarkupTier.objects.get(tenant_id=tenant, from_cost=10)
    synced.dataset.update(KEY, second.st_id, {"from": 5})

    result = push_markup_edits()

    edit.refresh_from_db()
    assert list(result.failed) == [edit.pk] and edit.status == MarkupTierEdit.Status.FAILED
    assert "overlaps" in edit.error_message and edit.error_message.startswith("ServiceTitan refused")
    assert (edit.from_cost, edit.to_cost, edit.percent) == (D(0), D(10), D(80))  # kept as typed
    first.refresh_from_db()
    assert first.percent == D(100)  # the mirror stays ServiceTitan's


def test_st_push_pushes_markup_edits_too(synced):
    tenant = synced.dataset.tenant_id
    first = MarkupTier.objects.get(tenant_id=tenant, from_cost=0)
    save_tier_edit(tenant_id=tenant, tier_st_id=first.st_id, from_cost=0, to_cost=10, percent=95)
    out = StringIO()
    call_command("st_push", stdout=out)
    assert "1 markup tier edit(s) pushed" in out.getvalue()
    assert synced.dataset.get(KEY, first.st_id)["percent"] == 95

    edit = save_tier_edit(tenant_id=tenant, tier_st_id=first.st_id, from_cost=0, to_cost=10, percent=70)
    second = MarkupTier.objects.get(tenant_id=tenant, from_cost=10)
    synced.dataset.update(KEY, second.st_id, {"from": 5})
    with pytest.raises(CommandError, match="markup tier"):
        call_command("st_push", stdout=StringIO(), stderr=StringIO())
    assert MarkupTierEdit.objects.get(pk=edit.pk).status == "failed"


# --- API --------------------------------------------------------------------------------------------------------------
@pytest.fixture
def api(synced, editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


def test_api_lists_creates_and_patches_tiers(api, synced):
    url = "/api/v1/pricebook/markup-tiers/"
    listed = api.get(url).json()
    assert listed["count"] == 4
    assert set(listed["results"][0]) >= {"st_id", "from_cost", "to_cost", "percent", "pending_edit"}
    top = MarkupTier.objects.get(tenant_id=synced.dataset.tenant_id, from_cost=1000)

    patched = api.patch(f"{url}{top.st_id}/", {"to_cost": "5000"}, format="json")
    assert patched.status_code == 200, patched.content
    assert D(patched.json()["to_cost"]) == 5000 and patched.json()["pending_edit"] is None
    assert synced.dataset.get(KEY, top.st_id)["to"] == 5000

    created = api.post(url, {"from_cost": "5000", "to_cost": "2147483647", "percent": "20"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["st_id"] and D(created.json()["percent"]) == 20
    assert api.get(url).json()["count"] == 5

    # Validation before anything is sent or saved: a gap, a percent ServiceTitan cannot store.
    before = synced.stats.total
    gap = api.post(url, {"from_cost": "3000000000", "to_cost": "3000000001", "percent": "10"}, format="json")
    assert gap.status_code == 400
    over = api.patch(f"{url}{top.st_id}/", {"percent": "150"}, format="json")
    assert over.status_code == 400 and "between 0 and 100" in over.content.decode()
    assert synced.stats.total == before and not MarkupTierEdit.objects.exists()


def test_api_refusal_answers_servicetitans_message_and_keeps_the_edit(api, synced):
    url = "/api/v1/pricebook/markup-tiers/"
    first = MarkupTier.objects.get(tenant_id=synced.dataset.tenant_id, from_cost=0)
    second = MarkupTier.objects.get(tenant_id=synced.dataset.tenant_id, from_cost=10)
    synced.dataset.update(KEY, second.st_id, {"from": 5})
    refused = api.patch(f"{url}{first.st_id}/", {"percent": "80"}, format="json")
    assert refused.status_code == 400
    body = refused.json()
    assert "overlaps" in body["detail"]
    assert body["pending_edit"]["status"] == "failed" and D(body["pending_edit"]["percent"]) == 80
    assert MarkupTierEdit.objects.get().percent == 80


def test_viewers_cannot_edit_tiers(synced, viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    url = "/api/v1/pricebook/markup-tiers/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"from_cost": "1", "to_cost": "2", "percent": "3"}, format="json").status_code == 403


# --- admin ------------------------------------------------------------------------------------------------------------
def test_admin_lists_tiers_and_saves_an_edit(synced, editor, client):
    client.force_login(editor)
    changelist = client.get(reverse("admin:pricebook_markuptier_changelist"))
    assert changelist.status_code == 200 and "2,147,483,647" in changelist.content.decode()
    first = MarkupTier.objects.get(tenant_id=synced.dataset.tenant_id, from_cost=0)
    url = reverse("admin:pricebook_markuptieredit_add")
    bad = client.post(url, {"tier_st_id": first.st_id, "from_cost": "0", "to_cost": "8", "percent": "90"})
    assert bad.status_code == 200 and "leave a gap" in bad.content.decode()
    assert not MarkupTierEdit.objects.exists()
    good = client.post(url, {"tier_st_id": first.st_id, "from_cost": "0", "to_cost": "10", "percent": "90"})
    assert good.status_code == 302
    # Saved and pushed at once: ServiceTitan has it, the mirror too, no edit is left.
    assert synced.dataset.get(KEY, first.st_id)["percent"] == 90
    first.refresh_from_db()
    assert first.percent == 90 and not MarkupTierEdit.objects.exists()
