"""The central pricebook on hand-built mirror rows: the mapping review by code, locked fields, each policy, the audit,
and who may decide on a tenant's batch."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from pricebook.models import (
    CentralBatch,
    CentralChange,
    CentralMapping,
    CentralPricebook,
    CentralSubscription,
    Material,
    PricebookOverride,
    Service,
)
from pricebook.services import central
from pricebook.services.groups import APPROVERS, EDITORS
from tenants.models import Tenant
from tests.pricebook.conftest import make_staff

SOURCE, TENANT_A, TENANT_B = 7_100_001, 7_100_002, 7_100_003
_ids = itertools.count(71_000_001)


def item(model, tenant_id, code, price="10.00", description="", cost="4.00", **fields):
    return model.objects.create(
        tenant_id=tenant_id,
        st_id=next(_ids),
        code=code,
        name=f"{code} item",
        price=Decimal(price),
        member_price=Decimal(price) * Decimal("0.9"),
        cost=Decimal(cost),
        description=description,
        st_modified_on=timezone.now(),
        **fields,
    )


@pytest.fixture
def hub(db):
    source = Tenant.objects.create(name="Head office", st_tenant_id=SOURCE)
    a = Tenant.objects.create(name="Branch A", st_tenant_id=TENANT_A)
    b = Tenant.objects.create(name="Branch B", st_tenant_id=TENANT_B)
    book = CentralPricebook.objects.create(name="Group pricebook", source_tenant=source)
    return book, a, b


def subscribe(book, tenant, policy="approval", locked=("price",), confirm=True):
    subscription = CentralSubscription.objects.create(
        central=book, tenant=tenant, policy=policy, locked_fields=list(locked)
    )
    central.refresh_mapping(subscription)
    if confirm:
        central.confirm_mapping(subscription)
    return subscription


def approver_of(username, *tenants):
    user = make_staff(username, APPROVERS)
    user.lazi_tenants.add(*tenants)
    return user


# --- Mapping review ---------------------------------------------------------------------------------------------------
def test_mapping_by_code_matched_missing_and_clashes_either_side(hub):
    book, a, _ = hub
    matched_src, matched_dst = item(Material, SOURCE, "PIPE-1"), item(Material, TENANT_A, "PIPE-1")
    item(Material, SOURCE, "VALVE-2")  # not in the target
    item(Material, SOURCE, "DUP-SRC"), item(Material, SOURCE, "DUP-SRC"), item(Material, TENANT_A, "DUP-SRC")
    item(Material, SOURCE, "DUP-DST"), item(Material, TENANT_A, "DUP-DST"), item(Material, TENANT_A, "DUP-DST")
    item(Material, TENANT_A, "ONLY-THERE")  # the target's own item: not part of the central pricebook
    item(Service, SOURCE, "PIPE-1")  # the same code as a service: mapped among services only
    subscription = CentralSubscription.objects.create(central=book, tenant=a, locked_fields=["price"])

    counts = central.refresh_mapping(subscription)

    assert counts == {"matched": 1, "missing": 2, "clash": 2}
    rows = {(m.item_type, m.code): m for m in CentralMapping.objects.filter(subscription=subscription)}
    assert set(rows) == {
        ("material", "PIPE-1"),
        ("material", "VALVE-2"),
        ("material", "DUP-SRC"),
        ("material", "DUP-DST"),
        ("service", "PIPE-1"),
    }
    pipe = rows[("material", "PIPE-1")]
    assert (pipe.status, pipe.source_st_id, pipe.target_st_id) == ("matched", matched_src.st_id, matched_dst.st_id)
    assert rows[("material", "VALVE-2")].status == "missing"
    assert rows[("service", "PIPE-1")].status == "missing"
    assert (rows[("material", "DUP-SRC")].status, rows[("material", "DUP-SRC")].source_count) == ("clash", 2)
    dst = rows[("material", "DUP-DST")]
    assert (dst.status, dst.target_count, dst.target_st_id) == ("clash", 2, None)
    assert subscription.mapping_refreshed_at is not None

    # Refreshed after the target created the missing item: the review follows the mirror.
    item(Material, TENANT_A, "VALVE-2")
    assert central.refresh_mapping(subscription) == {"matched": 2, "missing": 1, "clash": 2}


def test_nothing_is_fanned_out_before_the_mapping_review_is_confirmed(hub):
    book, a, _ = hub
    item(Material, SOURCE, "PIPE-1", price="12.00"), item(Material, TENANT_A, "PIPE-1", price="10.00")
    subscription = subscribe(book, a, confirm=False)

    result = central.fan_out(book)

    assert [p.skipped for p in result.plans] == ["its mapping review is not confirmed yet"]
    assert not CentralBatch.objects.exists()
    with pytest.raises(central.CentralError):
        central.confirm_mapping(CentralSubscription.objects.create(central=book, tenant=hub[2]))
    central.confirm_mapping(subscription)
    assert central.fan_out(book).totals["changes"] == 1


# --- Locked fields --------------------------------------------------------------------------------------------------------
def test_only_locked_fields_are_proposed_against_the_targets_effective_values(hub):
    book, a, _ = hub
    src = item(Material, SOURCE, "PIPE-1", price="12.00", description="Central words", cost="5.00")
    dst = item(Material, TENANT_A, "PIPE-1", price="10.00", description="Local words", cost="4.00")
    item(Service, SOURCE, "SVC-1", price="99.00", cost="30.00"), item(Service, TENANT_A, "SVC-1", price="99.00")
    # The target's pending override already says 12.00: no change for the price.
    src2, dst2 = item(Material, SOURCE, "PIPE-2", price="12.00"), item(Material, TENANT_A, "PIPE-2", price="10.00")
    PricebookOverride.objects.create(
        tenant_id=TENANT_A, item_type="material", st_pricebook_id=dst2.st_id, override_price=Decimal("12.00")
    )
    subscription = subscribe(book, a, locked=("price", "cost"))

    changes = central.central_changes(subscription)

    assert sorted((c.code, c.field, c.target_value, c.central_value) for c in changes) == [
        ("PIPE-1", "cost", "4", "5"),
        ("PIPE-1", "price", "10", "12"),
    ]
    assert {(c.source_st_id, c.target_st_id) for c in changes} == {(src.st_id, dst.st_id)}
    # The description is the tenant's own until it is locked; a service's cost is never a central change.
    subscription.locked_fields = ["description", "cost"]
    subscription.save()
    assert [(c.code, c.field, c.central_value) for c in central.central_changes(subscription)] == [
        ("PIPE-1", "description", "Central words"),
        ("PIPE-1", "cost", "5"),
    ]
    assert src2.price == Decimal("12.00")


def test_locking_a_field_that_cannot_be_locked_is_refused_in_plain_words(hub):
    from django.core.exceptions import ValidationError

    book, a, _ = hub
    subscription = CentralSubscription(central=book, tenant=a, locked_fields=["price", "colour"])
    with pytest.raises(ValidationError, match="cannot be locked: colour"):
        subscription.full_clean()
    with pytest.raises(ValidationError, match="own central pricebook"):
        CentralSubscription(central=book, tenant=book.source_tenant, locked_fields=["price"]).full_clean()


# --- Policies ---------------------------------------------------------------------------------------------------------------
def test_auto_policy_applies_at_once_through_the_bulk_path(hub, django_capture_on_commit_callbacks, monkeypatch):
    from pricebook import tasks

    queued = []
    monkeypatch.setattr(tasks.push_overrides_task, "delay", lambda ids: queued.append(ids))
    book, a, _ = hub
    item(Material, SOURCE, "PIPE-1", price="12.00"), item(Material, TENANT_A, "PIPE-1", price="10.00")
    subscribe(book, a, policy="auto")

    with django_capture_on_commit_callbacks(execute=True):
        result = central.fan_out(book)

    batch = result.plans[0].batch
    assert batch.status == "approved" and batch.decided_by is None
    change = CentralChange.objects.get(batch=batch)
    assert (change.outcome, change.note, change.decided_by) == ("applied", "applied by the tenant's policy", None)
    override = PricebookOverride.objects.get(tenant_id=TENANT_A)
    assert (override.override_price, override.status, change.override_id) == (Decimal("12.00"), "pending", override.pk)
    assert queued == [[override.pk]]
    assert "Central pricebook" in override.history.get().message


def test_approval_policy_waits_for_the_tenants_approver(hub):
    book, a, _ = hub
    item(Material, SOURCE, "PIPE-1", price="12.00"), item(Material, TENANT_A, "PIPE-1", price="10.00")
    subscribe(book, a, policy="approval")

    batch = central.fan_out(book).plans[0].batch

    assert batch.status == "proposed"
    assert not PricebookOverride.objects.exists()
    # A second fan-out does not propose the same change again while it waits.
    assert central.fan_out(book).totals["changes"] == 0

    approver = approver_of("approver_a", a)
    ids = central.approve_batch(batch, user=approver)

    change = CentralChange.objects.get(batch=batch)
    assert (batch.status, batch.decided_by, change.outcome, change.decided_by) == (
        "approved",
        approver,
        "applied",
        approver,
    )
    assert PricebookOverride.objects.get(pk__in=ids).override_price == Decimal("12.00")
    with pytest.raises(central.CentralError, match="decided already"):
        central.dismiss_batch(batch, user=approver)


def test_dismiss_policy_keeps_the_change_visible_and_re_appliable(hub):
    book, a, _ = hub
    item(Material, SOURCE, "PIPE-1", price="12.00"), item(Material, TENANT_A, "PIPE-1", price="10.00")
    subscribe(book, a, policy="dismiss")

    batch = central.fan_out(book).plans[0].batch

    change = CentralChange.objects.get(batch=batch)
    assert (batch.status, change.outcome, change.note) == ("dismissed", "dismissed", "dismissed by the tenant's policy")
    assert not PricebookOverride.objects.exists()
    # Dismissed once, not dismissed again at every fan-out.
    assert central.fan_out(book).totals["changes"] == 0

    approver = approver_of("approver_a", a)
    ids = central.reapply_changes([change], user=approver)

    change.refresh_from_db()
    assert (change.outcome, change.decided_by, change.override_id) == ("reapplied", approver, ids[0])
    assert PricebookOverride.objects.get(pk=ids[0]).override_price == Decimal("12.00")
    with pytest.raises(central.CentralError, match="Only dismissed changes"):
        central.reapply_changes([change], user=approver)


def test_an_approver_dismisses_a_waiting_batch(hub):
    book, a, _ = hub
    item(Material, SOURCE, "PIPE-1", price="12.00"), item(Material, TENANT_A, "PIPE-1", price="10.00")
    subscribe(book, a)
    batch = central.fan_out(book).plans[0].batch
    approver = approver_of("approver_a", a)

    assert central.dismiss_batch(batch, user=approver) == 1

    change = CentralChange.objects.get(batch=batch)
    assert (batch.status, change.outcome, change.decided_by, change.note) == (
        "dismissed",
        "dismissed",
        approver,
        "dismissed by approver_a",
    )


# --- Audit -------------------------------------------------------------------------------------------------------------
def test_the_audit_shows_each_tenant_and_field_and_what_became_of_it(hub):
    book, a, b = hub
    item(Material, SOURCE, "PIPE-1", price="12.00", description="Central")
    item(Material, TENANT_A, "PIPE-1", price="10.00", description="A's")
    item(Material, TENANT_B, "PIPE-1", price="11.00", description="B's")
    subscribe(book, a, policy="auto", locked=("price", "description"))
    subscribe(book, b, policy="dismiss", locked=("price",))

    result = central.fan_out(book)

    assert result.totals == {"tenants": 2, "skipped": 0, "items": 2, "changes": 3}
    assert result.fanout.totals == result.totals
    audit = sorted(CentralChange.objects.values_list("tenant_id", "field", "target_value", "central_value", "outcome"))
    assert audit == [
        (TENANT_A, "description", "A's", "Central", "applied"),
        (TENANT_A, "price", "10", "12", "applied"),
        (TENANT_B, "price", "11", "12", "dismissed"),
    ]
    assert central.audit_summary(TENANT_B) == {
        "proposed": 0,
        "applied": 0,
        "dismissed": 1,
        "reapplied": 0,
        "superseded": 0,
    }
    assert "2 field change(s) (description 1, price 1)" in result.plans[0].line()


def test_dry_run_saves_nothing(hub):
    book, a, _ = hub
    item(Material, SOURCE, "PIPE-1", price="12.00"), item(Material, TENANT_A, "PIPE-1", price="10.00")
    subscribe(book, a, policy="auto")

    result = central.fan_out(book, dry_run=True)

    assert result.dry_run and result.totals["changes"] == 1
    assert not CentralBatch.objects.exists() and not PricebookOverride.objects.exists()


# --- Who decides ------------------------------------------------------------------------------------------------------------
def test_an_approver_of_tenant_a_cannot_decide_on_tenant_bs_batch(hub):
    book, a, b = hub
    item(Material, SOURCE, "PIPE-1", price="12.00")
    item(Material, TENANT_A, "PIPE-1", price="10.00"), item(Material, TENANT_B, "PIPE-1", price="10.00")
    subscribe(book, a), subscribe(book, b)
    batches = {p.subscription.tenant_id: p.batch for p in central.fan_out(book).plans}
    batch_b = batches[b.pk]
    approver_a = approver_of("approver_a", a)
    editor_b = make_staff("editor_b", EDITORS)
    editor_b.lazi_tenants.add(b)

    for user in (approver_a, editor_b):
        with pytest.raises(central.CentralDenied, match=f"approvers of tenant {TENANT_B}"):
            central.approve_batch(batch_b, user=user)
        with pytest.raises(central.CentralDenied):
            central.dismiss_batch(batch_b, user=user)
    batch_b.refresh_from_db()
    assert batch_b.status == "proposed"
    assert not PricebookOverride.objects.filter(tenant_id=TENANT_B).exists()

    # B's own approver may; so may A's for A's batch.
    central.approve_batch(batch_b, user=approver_of("approver_b", b))
    central.approve_batch(batches[a.pk], user=approver_a)
    assert set(PricebookOverride.objects.values_list("tenant_id", flat=True)) == {TENANT_A, TENANT_B}
    assert Group.objects.filter(name=APPROVERS).exists()


def test_approved_batches_settle_once_servicetitan_has_every_override(hub):
    book, a, _ = hub
    item(Material, SOURCE, "PIPE-1", price="12.00"), item(Material, TENANT_A, "PIPE-1", price="10.00")
    subscribe(book, a, policy="auto")
    batch = central.fan_out(book).plans[0].batch

    assert central.settle_batches() == []
    PricebookOverride.objects.filter(tenant_id=TENANT_A).update(status="synced")

    # After a push, only the batches holding what it pushed are looked at.
    unrelated = PricebookOverride.objects.create(tenant_id=TENANT_A, item_type="material", st_pricebook_id=999)
    assert central.settle_batches([]) == [] and central.settle_batches([unrelated.pk]) == []
    batch.refresh_from_db()
    assert batch.status == "approved"
    pushed = PricebookOverride.objects.filter(tenant_id=TENANT_A).exclude(pk=unrelated.pk).values_list("pk", flat=True)
    assert central.settle_batches(pushed) == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == "pushed" and batch.pushed_at is not None


def test_a_newer_central_value_supersedes_the_one_still_waiting(hub):
    book, a, _ = hub
    source = item(Material, SOURCE, "PIPE-1", price="12.00")
    item(Material, TENANT_A, "PIPE-1", price="10.00"), item(Material, SOURCE, "PIPE-2", price="12.00")
    item(Material, TENANT_A, "PIPE-2", price="10.00")
    subscribe(book, a)
    older = central.fan_out(book).plans[0].batch
    Material.objects.filter(pk=source.pk).update(price=Decimal("13.00"))

    newer = central.fan_out(book).plans[0].batch

    assert sorted(older.changes.values_list("code", "central_value", "outcome")) == [
        ("PIPE-1", "12", "superseded"),
        ("PIPE-2", "12", "proposed"),
    ]
    assert list(newer.changes.values_list("code", "central_value", "outcome")) == [("PIPE-1", "13", "proposed")]
    approver = approver_of("approver_a", a)
    central.approve_batch(older, user=approver)
    central.approve_batch(newer, user=approver)
    prices = dict(PricebookOverride.objects.filter(tenant_id=TENANT_A).values_list("st_pricebook_id", "override_price"))
    by_code = dict(Material.objects.filter(tenant_id=TENANT_A).values_list("code", "st_id"))
    assert prices == {by_code["PIPE-1"]: Decimal("13.00"), by_code["PIPE-2"]: Decimal("12.00")}
    # A batch left with nothing to approve says so.
    Material.objects.filter(pk=source.pk).update(price=Decimal("14.00"))
    waiting = central.fan_out(book).plans[0].batch
    Material.objects.filter(pk=source.pk).update(price=Decimal("15.00"))
    central.fan_out(book)
    with pytest.raises(central.CentralError, match="superseded every change"):
        central.approve_batch(waiting, user=approver)
