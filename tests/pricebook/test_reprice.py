"""Reprice: rule resolution, the preview's rows and totals, approval by group, the bulk override path, the push."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pricebook.models import (
    MarkupTier,
    PricebookOverride,
    PricebookOverrideChange,
    PricingRule,
    RepriceBatch,
    RepriceRow,
    Service,
    ServiceMaterial,
)
from pricebook.services.groups import APPROVERS, EDITORS
from pricebook.services.overrides import save_override
from pricebook.services.reprice import (
    ApprovalDenied,
    RepriceError,
    UnknownTarget,
    approve_batch,
    discard_batch,
    preview_reprice,
    propose_reprice,
)
from tests.pricebook.conftest import make_staff
from tests.pricebook.factories import TENANT_ID, make_category, make_material

pytestmark = pytest.mark.django_db


def make_rule(name, item_type="material", category=None, **fields):
    fields.setdefault("markup", "percent")
    return PricingRule.objects.create(
        tenant_id=TENANT_ID,
        name=name,
        item_type=item_type,
        category_st_id=category.st_id if category else None,
        **fields,
    )


def row_of(preview, material):
    return next(r for r in preview.rows if r.st_pricebook_id == material.st_id)


@pytest.fixture
def tree():
    plumbing = make_category("Plumbing")
    pipes = make_category("Pipes", parent=plumbing)
    copper = make_category("Copper", parent=pipes)
    electrical = make_category("Electrical")
    return plumbing, pipes, copper, electrical


def test_the_most_specific_rule_wins(tree):
    plumbing, pipes, copper, electrical = tree
    make_rule("default", markup_percent=D(10))
    make_rule("plumbing", category=plumbing, markup_percent=D(20))
    make_rule("copper", category=copper, markup_percent=D(30))
    in_copper = make_material(price="1.00", cost=D(10), categories=[copper])
    in_pipes = make_material(price="1.00", cost=D(10), categories=[pipes])  # no rule of its own: Plumbing's
    in_both = make_material(price="1.00", cost=D(10), categories=[electrical, copper])
    elsewhere = make_material(price="1.00", cost=D(10), categories=[electrical])
    preview = preview_reprice(tenant_id=TENANT_ID)
    assert row_of(preview, in_copper).new_price == D("13.00")
    assert row_of(preview, in_copper).rule_name == "copper"
    assert row_of(preview, in_pipes).rule_name == "plumbing"
    assert row_of(preview, in_both).rule_name == "copper"
    assert row_of(preview, elsewhere).rule_name == "default"
    assert row_of(preview, elsewhere).new_price == D("11.00")


def test_preview_rows_totals_and_unchanged_items(tree):
    plumbing, *_ = tree
    MarkupTier.objects.create(tenant_id=TENANT_ID, st_id=1, from_cost=0, to_cost=10, percent=100)
    MarkupTier.objects.create(tenant_id=TENANT_ID, st_id=2, from_cost=10, to_cost=100, percent=50)
    make_rule("tiers", markup="tiers", rounding="up_99", max_change_percent=D(25), min_margin_percent=D(30))
    up = make_material(price="15.00", cost=D("12.40"), categories=[plumbing])  # → 18.99, +26.6%: flagged
    same = make_material(price="18.99", cost=D("12.40"), categories=[plumbing])  # already 18.99: no row
    down = make_material(price="10.00", cost=D("4.00"), categories=[plumbing])  # → 8.00 → 8.99
    preview = preview_reprice(tenant_id=TENANT_ID, targets=["pricebook.materials"])
    assert {r.st_pricebook_id for r in preview.rows} == {up.st_id, down.st_id}
    row = row_of(preview, up)
    assert row.explanation == "cost 12.40 × (1 + 50% tier 10–100) = 18.60 → .99 = 18.99"
    assert [f["code"] for f in row.flags] == ["tolerance"]
    assert row.change_percent == D("26.60")
    assert row.margin_before == D("17.33") and row.margin_after == D("34.70")
    assert row_of(preview, down).new_price == D("8.99")
    # its member price (9.00, kept: the rule sets none) is now above the price
    assert [f["code"] for f in row_of(preview, down).flags] == ["member_not_below_price"]
    totals = preview.totals
    assert (totals["items"], totals["changed"], totals["up"], totals["down"], totals["flagged"]) == (3, 2, 1, 1, 2)
    # before: (15 + 18.99 + 10 − 28.80) / 43.99; after: (18.99 + 18.99 + 8.99 − 28.80) / 46.97
    assert totals["margin_before"] == "34.53" and totals["margin_after"] == "38.68"
    assert same.st_id not in {r.st_pricebook_id for r in preview.rows}


def test_a_pending_cost_override_is_priced_in(tree):
    plumbing, *_ = tree
    make_rule("double", markup_percent=D(100))
    material = make_material(price="20.00", cost=D(10), categories=[plumbing])
    save_override(item_type="material", st_id=material.st_id, tenant_id=TENANT_ID, values={"cost": D(15)})
    row = row_of(preview_reprice(tenant_id=TENANT_ID), material)
    assert (row.cost, row.new_price) == (D(15), D("30.00"))


def test_service_cost_and_price_from_linked_materials():
    make_rule("service", item_type="service", labor_rate=D(100), markup_percent=D(50))
    part = make_material(price="1.00", cost=D(8))
    service = Service.objects.create(
        tenant_id=TENANT_ID, st_id=77, code="SVC", price=D(1), hours=D(2), cost=D(30), st_modified_on=timezone.now()
    )
    ServiceMaterial.objects.create(
        tenant_id=TENANT_ID, target_st_id=part.st_id, service=service, material=part, quantity=3
    )
    [row] = preview_reprice(tenant_id=TENANT_ID, targets=["pricebook.services"]).rows
    # 2 h × 100 + 3 × 8 × 1.5 = 236; cost 30 + 24
    assert (row.new_price, row.cost) == (D("236.00"), D(54))


def test_category_subtree_and_chosen_items(tree):
    _, pipes, copper, electrical = tree
    make_rule("default", markup_percent=D(10))
    a = make_material(price="1.00", cost=D(10), categories=[copper])
    b = make_material(price="1.00", cost=D(10), categories=[electrical])
    c = make_material(price="1.00", cost=D(10), categories=[pipes])
    assert {r.st_pricebook_id for r in preview_reprice(tenant_id=TENANT_ID, category_st_id=pipes.st_id).rows} == {
        a.st_id,
        c.st_id,
    }
    assert [r.st_pricebook_id for r in preview_reprice(tenant_id=TENANT_ID, st_ids=[b.st_id]).rows] == [b.st_id]
    with pytest.raises(UnknownTarget):
        preview_reprice(tenant_id=TENANT_ID, targets=["crm"])
    with pytest.raises(RepriceError):
        preview_reprice(tenant_id=TENANT_ID, category_st_id=123)


def test_queries_per_page_are_constant(tree, settings):
    from pricebook.services import reprice

    plumbing, *_ = tree
    make_rule("default", markup_percent=D(10))

    def count(n):
        for _ in range(n):
            make_material(price="1.00", cost=D(10), categories=[plumbing])
        with CaptureQueriesContext(connection) as captured:
            preview_reprice(tenant_id=TENANT_ID)
        return len(captured)

    reprice.PAGE_SIZE = 5
    try:
        small = count(5)  # one page
        bigger = count(45)  # ten pages
    finally:
        reprice.PAGE_SIZE = 2000
    # 2 queries per page of materials (the items with their rule id resolved in SQL, their overrides) and one more
    # empty-page probe per type.
    assert bigger - small == 9 * 2


@pytest.fixture
def proposal(tree):
    plumbing, *_ = tree
    make_rule("default", markup_percent=D(100), max_change_percent=D(50))
    calm = make_material(price="18.00", cost=D(10), categories=[plumbing])  # → 20.00, +11%
    wild = make_material(price="5.00", cost=D(10), categories=[plumbing])  # → 20.00, +300%: flagged
    batch = propose_reprice(tenant_id=TENANT_ID, user=None)
    return batch, calm, wild


def test_editor_proposes_but_cannot_approve(proposal, django_capture_on_commit_callbacks):
    batch, *_ = proposal
    editor = make_staff("ed", EDITORS)
    with pytest.raises(ApprovalDenied):
        approve_batch(batch, rows="all", user=editor)
    batch.refresh_from_db()
    assert batch.status == "proposed"
    assert not PricebookOverride.objects.exists()


def test_approver_approves_unflagged_rows_into_pending_overrides(proposal, django_capture_on_commit_callbacks):
    from pricebook import tasks

    batch, calm, wild = proposal
    approver = make_staff("ap", APPROVERS)
    queued = []
    tasks.push_overrides_task.delay, original = (lambda ids: queued.append(ids)), tasks.push_overrides_task.delay
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = approve_batch(batch, rows="unflagged", user=approver)
    finally:
        tasks.push_overrides_task.delay = original
    assert (result.approved, result.not_approved) == (1, 1)
    override = PricebookOverride.objects.get()
    assert (override.st_pricebook_id, override.override_price, override.status) == (calm.st_id, D(20), "pending")
    entry = PricebookOverrideChange.objects.get(override=override)
    assert entry.user == approver and f"reprice #{batch.pk}" in entry.message and "ap" in entry.message
    assert queued == [[override.pk]], "one push queued for the batch"
    statuses = dict(RepriceRow.objects.filter(batch=batch).values_list("st_pricebook_id", "status"))
    assert statuses == {calm.st_id: "approved", wild.st_id: "not_approved"}
    assert RepriceRow.objects.get(batch=batch, st_pricebook_id=calm.st_id).override == override
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == ("approved", approver)
    with pytest.raises(RepriceError):
        approve_batch(batch, rows="all", user=approver)


def test_row_by_row_approval_and_discard(proposal):
    batch, _, wild = proposal
    approver = make_staff("ap", APPROVERS)
    wild_row = RepriceRow.objects.get(batch=batch, st_pricebook_id=wild.st_id)
    with pytest.raises(RepriceError):
        approve_batch(batch, rows=[wild_row.pk + 1000], user=approver)
    approve_batch(batch, rows=[wild_row.pk], user=approver)
    assert list(PricebookOverride.objects.values_list("st_pricebook_id", flat=True)) == [wild.st_id]
    with pytest.raises(RepriceError):
        discard_batch(batch)
    other = propose_reprice(tenant_id=TENANT_ID)
    discard_batch(other)
    other.refresh_from_db()
    assert other.status == "discarded"


def test_bulk_path_keeps_an_existing_override_and_its_revision(proposal):
    batch, calm, _ = proposal
    existing = save_override(
        item_type="material", st_id=calm.st_id, tenant_id=TENANT_ID, values={"description": "kept"}
    )
    approve_batch(batch, rows="all", operator=True)
    existing.refresh_from_db()
    assert existing.override_description == "kept" and existing.override_price == D(20)
    assert existing.revision == 3
    assert existing.history.count() == 2


def test_st_reprice_prints_totals_and_exit_codes(proposal, settings, capsys):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "TENANT_ID": str(TENANT_ID)}
    call_command("st_reprice", "pricebook.materials", "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run: items 2, changed 2, up 2, down 0, flagged 1" in out
    # before (18 + 5 − 20) / 23, after (20 + 20 − 20) / 40; changes +11.11% and +300%
    assert "average change 155.56%, margin 13.04% → 50.00%" in out
    before = RepriceBatch.objects.count()
    call_command("st_reprice", "--approve")
    out = capsys.readouterr().out
    batch = RepriceBatch.objects.latest("pk")
    assert RepriceBatch.objects.count() == before + 1
    assert f"Reprice #{batch.pk}: items 2, changed 2" in out
    assert "1 row(s) approved, 1 flagged left out" in out
    assert batch.status == "approved"
    with pytest.raises(CommandError) as bad:
        call_command("st_reprice", "pricebook.categories")
    assert bad.value.returncode == 2


def test_st_reprice_bad_target_exits_2(settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "TENANT_ID": str(TENANT_ID)}
    with pytest.raises(CommandError) as bad:
        call_command("st_reprice", "nonsense")
    assert bad.value.returncode == 2
    assert "Unknown reprice target" in str(bad.value)


@pytest.mark.django_db(transaction=False)
def test_approved_batch_is_pushed_in_bulk_against_the_simulator(synced, capsys):
    from devtools.simulator import DEMO_TENANT_ID

    PricingRule.objects.create(
        tenant_id=DEMO_TENANT_ID, name="all materials +77%", item_type="material", markup="percent", markup_percent=77
    )
    from pricebook.models import Material
    from tests.pricebook.factories import with_primary_vendor

    # With a primary vendor: the bulk schema requires one (the others are PATCHed by id).
    chosen = list(
        with_primary_vendor(Material.objects.filter(active=True, deleted=False, cost__gt=0)).order_by("st_id")[:6]
    )
    batch = propose_reprice(tenant_id=DEMO_TENANT_ID, targets=["pricebook.materials"], st_ids=[m.st_id for m in chosen])
    assert batch.totals["changed"] == 6
    approve_batch(batch, rows="all", operator=True)  # the push is queued on commit: not run inside this test
    synced.reset_stats()
    call_command("st_push")
    out = capsys.readouterr().out
    assert "6 synced" in out and f"Reprice #{batch.pk} pushed" in out
    stats = synced.stats
    assert stats.calls("PATCH", "/pricebook/v2/tenant/{tenant}/pricebook") == 1
    # One bulk PATCH, then the re-read of what changed (one list page at this size): nothing per item.
    assert stats.total <= 3, stats.snapshot()
    batch.refresh_from_db()
    assert batch.status == "pushed"
    assert set(RepriceRow.objects.filter(batch=batch).values_list("status", flat=True)) == {"pushed"}
    for row in RepriceRow.objects.filter(batch=batch):
        assert D(str(synced.dataset.get("pricebook.materials", row.st_pricebook_id)["price"])) == row.new_price


def test_a_member_price_the_rule_keeps_is_flagged_when_the_price_drops_below_it(tree):
    plumbing, *_ = tree
    make_rule("cheap", markup_percent=D(10))
    material = make_material(price="20.00", cost=D(10), categories=[plumbing])  # member 18.00, new price 11.00
    row = row_of(preview_reprice(tenant_id=TENANT_ID), material)
    assert row.new_member_price == D("18.00")
    assert "member_not_below_price" in {f["code"] for f in row.flags}


def test_rows_whose_prices_changed_since_the_preview_are_left_out(proposal):
    batch, calm, wild = proposal
    # Someone edits the calm item's price after the preview: approving must not overwrite it.
    save_override(item_type="material", st_id=calm.st_id, tenant_id=TENANT_ID, values={"price": D("19.50")})
    result = approve_batch(batch, rows="all", operator=True)
    assert (result.approved, result.stale) == (1, 1)
    assert PricebookOverride.objects.get(st_pricebook_id=calm.st_id).override_price == D("19.50")
    assert PricebookOverride.objects.get(st_pricebook_id=wild.st_id).override_price == D(20)
    statuses = dict(RepriceRow.objects.filter(batch=batch).values_list("st_pricebook_id", "status"))
    assert statuses == {calm.st_id: "not_approved", wild.st_id: "approved"}


def test_a_push_settles_only_the_batches_holding_what_it_pushed(tree):
    """After a push, only its overrides' rows and batches are looked at (a big batch waiting elsewhere costs the push
    nothing); the full settle (the scheduled push) still reaches every approved batch."""
    from pricebook.services.reprice import settle_batches

    plumbing, pipes, *_ = tree
    make_rule("default", markup_percent=D(100))
    first = make_material(price="18.00", cost=D(10), categories=[plumbing])
    second = make_material(price="18.00", cost=D(10), categories=[pipes])
    mine = propose_reprice(tenant_id=TENANT_ID, st_ids=[first.st_id], targets=["pricebook.materials"])
    elsewhere = propose_reprice(tenant_id=TENANT_ID, st_ids=[second.st_id], targets=["pricebook.materials"])
    approve_batch(mine, rows="all", operator=True)
    approve_batch(elsewhere, rows="all", operator=True)
    mine_override = RepriceRow.objects.get(batch=mine).override
    PricebookOverride.objects.update(status=PricebookOverride.Status.SYNCED)  # ServiceTitan has both

    assert settle_batches([]) == []
    assert settle_batches([mine_override.pk]) == [mine.pk]
    mine.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (mine.status, elsewhere.status) == ("pushed", "approved")
    assert RepriceRow.objects.get(batch=elsewhere).status == "approved", "the other batch's row was not touched"
    assert settle_batches([mine_override.pk]) == [], "a batch is settled once"
    assert settle_batches() == [elsewhere.pk]


def test_a_row_whose_override_was_deleted_fails_instead_of_holding_its_batch(tree):
    from pricebook.services.reprice import settle_batches

    plumbing, *_ = tree
    make_rule("default", markup_percent=D(100))
    kept = make_material(price="18.00", cost=D(10), categories=[plumbing])
    gone = make_material(price="18.00", cost=D(10), categories=[plumbing])
    batch = propose_reprice(tenant_id=TENANT_ID, st_ids=[kept.st_id, gone.st_id], targets=["pricebook.materials"])
    approve_batch(batch, rows="all", operator=True)
    PricebookOverride.objects.filter(st_pricebook_id=gone.st_id).delete()
    kept_override = PricebookOverride.objects.get(st_pricebook_id=kept.st_id)
    PricebookOverride.objects.filter(pk=kept_override.pk).update(status=PricebookOverride.Status.SYNCED)

    assert settle_batches([kept_override.pk]) == [batch.pk]
    statuses = dict(RepriceRow.objects.filter(batch=batch).values_list("st_pricebook_id", "status"))
    assert statuses == {kept.st_id: "pushed", gone.st_id: "failed"}
