"""The central pricebook's admin pages, read-only API routes and `st_central` command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from pricebook.models import CentralBatch, CentralChange, Material, PricebookOverride
from pricebook.services import central
from pricebook.services.groups import APPROVERS, VIEWERS
from tests.pricebook.conftest import make_staff
from tests.pricebook.test_central import SOURCE, TENANT_A, TENANT_B, approver_of, hub, item, subscribe  # noqa: F401


@pytest.fixture
def two_branches(hub):  # noqa: F811
    """A: auto on price and description; B: waits for approval, price only. Head office's prices are 12.00."""
    book, a, b = hub
    item(Material, SOURCE, "PIPE-1", price="12.00", description="Central")
    item(Material, SOURCE, "PIPE-2", price="12.00")
    item(Material, SOURCE, "DUP"), item(Material, SOURCE, "DUP")
    item(Material, TENANT_A, "PIPE-1", price="10.00", description="A's"), item(Material, TENANT_A, "PIPE-2")
    item(Material, TENANT_B, "PIPE-1", price="11.00"), item(Material, TENANT_A, "DUP")
    subscribe(book, a, policy="auto", locked=("price", "description"))
    subscribe(book, b, policy="approval", locked=("price",))
    return book, a, b


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-tests-only")


# --- Admin ----------------------------------------------------------------------------------------------------------------
def test_fan_out_page_previews_then_fans_out(client, superuser, two_branches):
    book, _, _ = two_branches
    client.force_login(superuser)
    url = reverse("admin:pricebook_centralpricebook_fanout", args=[book.pk])

    page = client.get(url)

    assert page.status_code == 200
    text = page.content.decode()
    assert "2 tenant(s), 3 item(s)" in text and "4 change(s)" in text
    assert "Branch A (7100002): 2 item(s), 3 field change(s) (description 1, price 2)" in text
    assert not CentralBatch.objects.exists()

    done = client.post(url, follow=True)

    assert done.status_code == 200
    assert "Fanned out: 4 change(s) of 3 item(s) to 2 tenant(s)" in done.content.decode()
    assert dict(CentralBatch.objects.values_list("tenant_id", "status")) == {TENANT_A: "approved", TENANT_B: "proposed"}


def test_subscription_list_counts_the_mapping_and_links_each_status(client, superuser, two_branches):
    client.force_login(superuser)

    page = client.get(reverse("admin:pricebook_centralsubscription_changelist"))

    assert page.status_code == 200
    text = page.content.decode()
    # A: PIPE-1, PIPE-2 matched, DUP a clash; B: PIPE-1 matched, PIPE-2 missing, DUP a clash.
    assert "status__exact=clash" in text and "price, description" in text
    listing = client.get(reverse("admin:pricebook_centralmapping_changelist"), {"status__exact": "missing"})
    assert listing.status_code == 200
    assert "PIPE-2" in listing.content.decode() and "DUP" not in listing.content.decode()


def test_audit_list_filters_by_tenant_field_and_outcome(client, superuser, two_branches):
    book, _, _ = two_branches
    central.fan_out(book)
    client.force_login(superuser)
    url = reverse("admin:pricebook_centralchange_changelist")
    switch = reverse("admin:switch_tenant")

    # The admin shows one tenant at a time: the audit of A, then of B, through the header's switcher.
    client.post(switch, {"tenant": str(TENANT_A), "next": url})
    applied_descriptions = client.get(url, {"tenant_id": str(TENANT_A), "field__exact": "description"})
    client.post(switch, {"tenant": str(TENANT_B), "next": url})
    waiting = client.get(url, {"outcome__exact": "proposed"})

    assert applied_descriptions.status_code == waiting.status_code == 200
    assert "1 central change" in applied_descriptions.content.decode()
    assert "A&#x27;s" in applied_descriptions.content.decode()
    assert "1 central change" in waiting.content.decode()
    assert str(TENANT_B) in waiting.content.decode()


def test_the_batch_action_refuses_an_approver_of_another_tenant(client, two_branches):
    book, a, _ = two_branches
    central.fan_out(book)
    batch_b = CentralBatch.objects.get(tenant_id=TENANT_B)
    client.force_login(approver_of("approver_a", a))

    answer = client.post(
        reverse("admin:pricebook_centralbatch_changelist"),
        {"action": "approve", "_selected_action": [batch_b.pk]},
        follow=True,
    )

    # A's approver works in tenant A: B's batch is not even in the list the action runs on.
    assert answer.status_code == 200
    assert f"tenant {TENANT_B}" not in answer.content.decode()
    batch_b.refresh_from_db()
    assert batch_b.status == "proposed"
    assert not PricebookOverride.objects.filter(tenant_id=TENANT_B).exists()


def test_dismissed_changes_are_re_applied_from_the_audit(client, two_branches):
    book, _, b = two_branches
    batch = central.fan_out(book).plans[1].batch
    central.dismiss_batch(batch, operator=True)
    change = CentralChange.objects.get(batch=batch)
    client.force_login(approver_of("approver_b", b))

    answer = client.post(
        reverse("admin:pricebook_centralchange_changelist"),
        {"action": "reapply", "_selected_action": [change.pk]},
        follow=True,
    )

    assert "Re-applied: 1 item(s) pending" in answer.content.decode()
    change.refresh_from_db()
    assert change.outcome == "reapplied" and change.decided_by.username == "approver_b"


# --- API -----------------------------------------------------------------------------------------------------------------
def test_api_audit_and_mapping_are_read_only_and_filtered(client, two_branches):
    book, a, b = two_branches
    central.fan_out(book)
    viewer = make_staff("viewer", VIEWERS)
    viewer.lazi_tenants.add(a, b)
    client.force_login(viewer)

    audit = client.get(
        "/api/v1/pricebook/central/audit/", {"tenant": TENANT_A, "tenant_id": TENANT_A, "field": "price"}
    )
    clashes = client.get("/api/v1/pricebook/central/mapping/", {"status": "clash", "tenant": TENANT_B})

    assert audit.status_code == clashes.status_code == 200
    rows = audit.json()["results"]
    assert sorted((r["code"], r["target_value"], r["central_value"], r["outcome"], r["policy"]) for r in rows) == [
        ("PIPE-1", "10", "12", "applied", "auto"),
        ("PIPE-2", "10", "12", "applied", "auto"),
    ]
    assert [(r["code"], r["source_count"], r["target_count"]) for r in clashes.json()["results"]] == [("DUP", 2, 0)]
    assert client.post("/api/v1/pricebook/central/audit/", {}).status_code in (403, 405)
    assert client.get("/api/v1/pricebook/central/audit/", {"tenent_id": 1}).status_code == 400


def test_api_needs_a_signed_in_user_with_the_view_permission(client, two_branches):
    assert client.get("/api/v1/pricebook/central/audit/").status_code in (401, 403)
    client.force_login(make_staff("nobody", None))
    assert client.get("/api/v1/pricebook/central/mapping/").status_code == 403
    approver = make_staff("approver", APPROVERS)
    approver.lazi_tenants.add(two_branches[1])
    client.force_login(approver)
    assert client.get("/api/v1/pricebook/central/mapping/").status_code == 200


# --- Command -----------------------------------------------------------------------------------------------------------
def test_st_central_dry_run_then_fan_out(two_branches):
    out = StringIO()
    call_command("st_central", "--dry-run", stdout=out)
    assert "Would propose 4 change(s) of 3 item(s) to 2 tenant(s); 0 skipped. Nothing saved." in out.getvalue()
    assert not CentralBatch.objects.exists()

    out = StringIO()
    call_command("st_central", "--refresh-mapping", stdout=out)
    text = out.getvalue()
    assert "mapping of Branch B (7100003): matched 1, missing in the target 1, code clash 1" in text
    assert "Proposed 4 change(s)" in text and "batch #" in text
    assert CentralBatch.objects.count() == 2


def test_st_central_exit_code_for_an_unknown_central_pricebook(two_branches):
    with pytest.raises(CommandError, match="no active central pricebook named 'Nope'") as raised:
        call_command("st_central", "--central", "Nope")
    assert raised.value.returncode == 2


def test_a_subscription_is_set_up_in_the_admin_with_its_locked_fields(client, superuser, hub):  # noqa: F811
    book, a, _ = hub
    client.force_login(superuser)
    url = reverse("admin:pricebook_centralsubscription_add")
    assert client.get(url).status_code == 200

    saved = client.post(
        url,
        {"central": book.pk, "tenant": a.pk, "locked_fields": ["price", "cost"], "policy": "dismiss", "active": "on"},
    )
    refused = client.post(url, {"central": book.pk, "tenant": book.source_tenant.pk, "policy": "auto"})

    assert saved.status_code == 302
    subscription = book.subscriptions.get()
    assert (subscription.locked_fields, subscription.policy) == (["price", "cost"], "dismiss")
    assert refused.status_code == 200 and "own central pricebook" in refused.content.decode()
