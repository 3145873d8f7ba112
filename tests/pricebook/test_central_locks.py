"""The central pricebook's image and categories locks: categories mapped across tenants by path (a category missing
in the target reported by the mapping review, its items left out), applied as the target's own ids and pushed in the
update body; the central image read once from the source tenant (GET /images) and carried by each target's override
so its push uploads it there; both in the audit like the other fields."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
import responses
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from pricebook.models import Category, CentralChange, Material, PricebookOverride
from pricebook.services import central
from pricebook.services.payloads import bulk_item, patch_body
from tests.pricebook.images import image_bytes
from tests.pricebook.test_central import SOURCE, TENANT_A, TENANT_B, hub, item, subscribe  # noqa: F401

pytestmark = pytest.mark.django_db
API = "https://api.central.test"
AUTH = "https://auth.central.test"
_serial = iter(range(72_000_001, 72_999_999))


def category(tenant_id: int, path: str) -> Category:
    return Category.objects.create(
        tenant_id=tenant_id,
        st_id=next(_serial),
        name=path.rsplit(" > ", 1)[-1],
        path=path,
        depth=path.count(" > "),
        st_modified_on=timezone.now(),
    )


@pytest.fixture
def categorized(hub):  # noqa: F811
    """Head office's PIPE-1 is in "Plumbing > Valves"; Branch A has that category (its own id), Branch B has not."""
    book, a, b = hub
    valves = {tenant: category(tenant, "Plumbing > Valves") for tenant in (SOURCE, TENANT_A)}
    plumbing = {tenant: category(tenant, "Plumbing") for tenant in (SOURCE, TENANT_A, TENANT_B)}
    source_item = item(Material, SOURCE, "PIPE-1")
    source_item.categories.set([valves[SOURCE]])
    target_a = item(Material, TENANT_A, "PIPE-1")
    target_a.categories.set([plumbing[TENANT_A]])
    target_b = item(Material, TENANT_B, "PIPE-1")
    target_b.categories.set([plumbing[TENANT_B]])
    return book, a, b, valves, target_a


def test_the_mapping_review_reports_a_category_missing_in_the_target(categorized):
    book, a, b, _valves, _ = categorized
    sub_a = subscribe(book, a, policy="auto", locked=("categories",))
    sub_b = subscribe(book, b, policy="auto", locked=("categories",))

    assert central.category_counts(sub_a) == {"matched": 2, "missing": 0, "clash": 0}
    assert central.category_counts(sub_b) == {"matched": 1, "missing": 1, "clash": 0}
    assert central.missing_categories(sub_b) == ["Plumbing > Valves"]
    # The items' counts stay the items' own.
    assert central.mapping_counts(sub_b) == {"matched": 1, "missing": 0, "clash": 0}

    out = StringIO()
    call_command("st_central", "--refresh-mapping", "--dry-run", stdout=out)
    assert "categories missing in the target: Plumbing > Valves" in out.getvalue()


def test_categories_fan_out_as_the_targets_own_ids_and_items_without_a_match_are_left_out(categorized):
    book, a, b, valves, _target_a = categorized
    subscribe(book, a, policy="auto", locked=("categories",))
    subscribe(book, b, policy="auto", locked=("categories",))

    result = central.fan_out(book)

    override = PricebookOverride.objects.get(tenant_id=TENANT_A)
    assert override.override_category_ids == [valves[TENANT_A].st_id]  # A's id, not the source's
    assert override.override_price is None  # nothing else locked
    assert not PricebookOverride.objects.filter(tenant_id=TENANT_B).exists()
    plan_b = next(plan for plan in result.plans if plan.subscription.tenant_id == b.pk)
    assert plan_b.left_out == {"categories": 1} and "a central category has no match" in plan_b.line()
    change = CentralChange.objects.get(tenant_id=TENANT_A)
    assert (change.field, change.target_value, change.central_value, change.outcome) == (
        "categories",
        '["Plumbing"]',
        '["Plumbing > Valves"]',
        "applied",
    )
    # Pending in A now: the next fan-out proposes nothing more.
    assert central.fan_out(book).totals["changes"] == 0


def test_the_push_sends_the_overridden_categories_in_the_update_body(categorized):
    book, a, _b, valves, target_a = categorized
    subscribe(book, a, policy="auto", locked=("categories",))
    central.fan_out(book)
    override = PricebookOverride.objects.get(tenant_id=TENANT_A)
    record = {"id": target_a.st_id, "code": "PIPE-1", "categories": [next(_serial)], "assets": []}

    assert patch_body(override, record) == {"categories": [valves[TENANT_A].st_id]}
    assert bulk_item(override, record)["categories"] == [valves[TENANT_A].st_id]
    # Already so in ServiceTitan: nothing to send.
    assert patch_body(override, {**record, "categories": [valves[TENANT_A].st_id]}) == {}


def test_the_audit_api_shows_the_categories_and_image_fields(categorized, admin_client):
    book, a, _b, _valves, _ = categorized
    subscribe(book, a, policy="approval", locked=("categories",))
    central.fan_out(book)

    answer = admin_client.get("/api/v1/pricebook/central/audit/", {"tenant": TENANT_A, "field": "categories"})

    assert answer.status_code == 200
    (row,) = answer.json()["results"]
    assert (row["field"], row["central_value"], row["outcome"]) == ("categories", '["Plumbing > Valves"]', "proposed")
    schema = admin_client.get("/api/schema/", {"format": "json"}).json()
    field_enum = next(v for k, v in schema["components"]["schemas"].items() if "image" in v.get("enum", []))
    assert {"image", "categories", "price"} <= set(field_enum["enum"])
    assert "category" in schema["components"]["schemas"]["CentralMappingItemTypeEnum"]["enum"]


# --- The image ---------------------------------------------------------------------------------------------------------
@pytest.fixture
def reachable_source(hub):  # noqa: F811
    """Head office reachable at API (faked with `responses`): its token, and one image."""
    book, a, b = hub
    source = book.source_tenant
    source.client_id, source.api_url, source.auth_url = "head-office", API, AUTH
    source.client_secret = "head-office-secret-1"
    source.app_key = "head-office-app-key"
    source.save()
    cache.clear()
    yield book, a, b
    cache.clear()


def _serve_image(content: bytes):
    responses.add(
        responses.POST, f"{AUTH}/connect/token", json={"access_token": "head-office-token", "expires_in": 900}
    )
    responses.add(
        responses.GET,
        re.compile(rf"{API}/pricebook/v2/tenant/{SOURCE}/images\?path=.*"),
        body=content,
        content_type="image/png",
    )


def _image_calls() -> list:
    return [call for call in responses.calls if "/images" in call.request.url]


@responses.activate
def test_the_central_image_is_read_once_and_carried_to_each_target(reachable_source):
    book, a, b = reachable_source
    png = image_bytes()
    _serve_image(png)
    item(Material, SOURCE, "PIPE-1", default_image_url="Images/Material/central-pipe.png")
    item(Material, TENANT_A, "PIPE-1", default_image_url="Images/Material/a-pipe.png")
    item(Material, TENANT_B, "PIPE-1")
    subscribe(book, a, policy="auto", locked=("image",))
    subscribe(book, b, policy="auto", locked=("image",))

    result = central.fan_out(book)

    assert result.totals["changes"] == 2
    assert len(_image_calls()) == 1  # one read for both targets
    assert "path=Images%2FMaterial%2Fcentral-pipe.png" in _image_calls()[0].request.url
    for tenant_id in (TENANT_A, TENANT_B):
        override = PricebookOverride.objects.get(tenant_id=tenant_id)
        assert bytes(override.override_image_data) == png  # uploaded to that tenant by its push
        assert (override.override_image_mime_type, override.override_image_name) == ("image/png", "central-pipe.png")
        assert override.uploaded_image_path == ""
    audit = sorted(CentralChange.objects.values_list("tenant_id", "field", "target_value", "central_value", "outcome"))
    assert audit == [
        (TENANT_A, "image", "Images/Material/a-pipe.png", "Images/Material/central-pipe.png", "applied"),
        (TENANT_B, "image", "", "Images/Material/central-pipe.png", "applied"),
    ]
    # Applied once: the target's copy will have a path of its own; the same central image is not proposed again.
    assert central.fan_out(book).totals["changes"] == 0
    assert len(_image_calls()) == 1


@responses.activate
def test_a_central_image_that_is_not_an_image_fails_the_fan_out_in_words_and_saves_nothing(reachable_source):
    book, a, _b = reachable_source
    _serve_image(b"<html>not an image</html>")
    item(Material, SOURCE, "PIPE-1", default_image_url="Images/Material/central-pipe.png")
    item(Material, TENANT_A, "PIPE-1")
    subscribe(book, a, policy="auto", locked=("image",))

    with pytest.raises(central.CentralError, match=r"The central image Images/Material/central-pipe\.png .* cannot be"):
        central.fan_out(book)

    assert not PricebookOverride.objects.exists() and not CentralChange.objects.exists()


def test_no_central_image_proposes_nothing(hub):  # noqa: F811
    book, a, _b = hub
    item(Material, SOURCE, "PIPE-1")
    item(Material, TENANT_A, "PIPE-1", default_image_url="Images/Material/a-pipe.png")
    subscribe(book, a, policy="auto", locked=("image",))

    assert central.fan_out(book).totals["changes"] == 0


def test_the_admin_form_offers_image_and_categories_with_their_help(hub):  # noqa: F811
    from pricebook.admin.central import SubscriptionForm

    form = SubscriptionForm()
    assert {"image", "categories"} <= {value for value, _ in form.fields["locked_fields"].choices}
    assert "uploaded to this tenant by its push" in str(form.fields["locked_fields"].help_text)
    assert json.loads(central.categories_text(["b", "a", "a"])) == ["a", "b"]
