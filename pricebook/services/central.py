"""The central pricebook: a source tenant's items fanned out to the target tenants that subscribe.

- `refresh_mapping(subscription)`: the mapping review, by code, set-based (two grouped queries per item type): a code
  with one item on each side is matched, one absent from the target is missing, a code on more than one item of
  either side is a clash (nothing is fanned out for it). `confirm_mapping` records that staff accepted it.
  Categories are reviewed alike, by path ("Plumbing > Valves": their ids differ per tenant), so the review says
  which central category a target lacks.
- `central_changes(subscription)`: the source's effective values vs the target's on the locked fields of the matched
  items, a constant number of queries per 5,000 items. Besides the override fields: the image (the source's default
  image path; what a target gets is that image's bytes, read from the source once per fan-out and uploaded to the
  target by its push, as ServiceTitan's image paths are per tenant) and the categories (as paths; applied as the
  target's own category ids, an item whose central category has no match in the target is left out and counted).
- `fan_out(central)`: per target tenant with changes, one `CentralBatch` whose `CentralChange` rows are the audit.
  Its policy decides: `auto` applies it at once, `approval` waits for that tenant's approvers (`approve_batch`),
  `dismiss` records every change as dismissed (visible, re-appliable with `reapply_changes`).
- Applying writes the target's overrides through the bulk path (`save_overrides_bulk`): pending, in the override
  history, one push queued on commit; `push_batch` pushes one tenant's batch now with that tenant's client
  (bulk PATCH per 500 items, then the re-read).

Why a batch of its own and not a `RepriceBatch`: a reprice row carries prices only and its approval is per tenant
of the deployment, while a central change carries any locked field (a description too), its outcome per field, and
may be approved only by an approver of the target tenant.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Subquery
from django.utils import timezone

from pricebook.models import Category, PricebookOverride, override_fields_for
from pricebook.models_central import (
    LOCKABLE_NAMES,
    CentralBatch,
    CentralChange,
    CentralFanout,
    CentralMapping,
    CentralPricebook,
    CentralSubscription,
)
from pricebook.selectors import item_kind, with_effective_values
from pricebook.services.groups import APPROVE_PERMISSION
from pricebook.services.overrides import OverrideError, save_overrides_bulk
from pricebook.services.rowsets import in_ids
from servicetitan.sync.bulk import insert_rows

CENTRAL_ITEM_TYPES = ("material", "service", "equipment")
CATEGORY = "category"  # the mapping review's rows of categories (by path)
MONEY_FIELDS = ("price", "member_price", "cost")
# Lockable beside the override fields: they travel with the override (its image, its category ids).
EXTRA_LOCKABLE = ("image", "categories")
IDS_PER_READ = 5000
Status = CentralMapping.Status
Outcome = CentralChange.Outcome
Policy = CentralSubscription.Policy
BatchStatus = CentralBatch.Status


class CentralError(Exception):
    """The central pricebook cannot do this as asked; the message is for staff, in plain words."""


class CentralDenied(CentralError):
    pass


# --- Mapping review -------------------------------------------------------------------------------------------------
def _codes(item_type: str, tenant_id: int) -> dict[str, tuple[int, int]]:
    """code -> (how many items carry it, the smallest st_id) of one tenant's items: one grouped query."""
    rows = (
        item_kind(item_type)
        .master.objects.filter(tenant_id=tenant_id, deleted=False)
        .exclude(code="")
        .values("code")
        .annotate(n=Count("pk"), st_id=Min("st_id"))
        .values_list("code", "n", "st_id")
    )
    return {code: (n, st_id) for code, n, st_id in rows}


def _category_paths(tenant_id: int) -> dict[str, tuple[int, int]]:
    """path -> (how many categories have it, the smallest st_id) of one tenant's categories: one grouped query."""
    rows = (
        Category.objects.filter(tenant_id=tenant_id, deleted=False)
        .exclude(path="")
        .values("path")
        .annotate(n=Count("pk"), st_id=Min("st_id"))
        .values_list("path", "n", "st_id")
    )
    return {path[:255]: (n, st_id) for path, n, st_id in rows}


def refresh_mapping(subscription: CentralSubscription) -> dict[str, int]:
    """Rebuild the subscription's mapping review from the mirror (items by code, categories by path); returns the
    items' counts per status (`category_counts` has the categories')."""
    source = subscription.central.source_tenant.st_tenant_id
    target = subscription.tenant.st_tenant_id
    rows = []
    for item_type in (*CENTRAL_ITEM_TYPES, CATEGORY):
        if item_type == CATEGORY:
            theirs, ours = _category_paths(target), _category_paths(source)
        else:
            theirs, ours = _codes(item_type, target), _codes(item_type, source)
        for code, (n, st_id) in ours.items():
            m, target_st_id = theirs.get(code, (0, None))
            if n > 1 or m > 1:
                status = Status.CLASH
            elif m == 0:
                status = Status.MISSING
            else:
                status = Status.MATCHED
            rows.append(
                CentralMapping(
                    subscription=subscription,
                    item_type=item_type,
                    code=code,
                    status=status,
                    source_st_id=st_id if n == 1 else None,
                    target_st_id=target_st_id if m == 1 else None,
                    source_count=n,
                    target_count=m,
                )
            )
    with transaction.atomic():
        CentralMapping.objects.filter(subscription=subscription).delete()
        CentralMapping.objects.bulk_create(rows, batch_size=IDS_PER_READ)
        subscription.mapping_refreshed_at = timezone.now()
        subscription.save(update_fields=["mapping_refreshed_at"])
    return mapping_counts(subscription)


def mapping_counts(subscription: CentralSubscription, *, item_types=CENTRAL_ITEM_TYPES) -> dict[str, int]:
    counts = dict.fromkeys(Status.values, 0)
    for status, n in (
        CentralMapping.objects.filter(subscription=subscription, item_type__in=item_types)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    ):
        counts[status] = n
    return counts


def category_counts(subscription: CentralSubscription) -> dict[str, int]:
    """The categories of the mapping review per status (matched, missing in the target, several with one path)."""
    return mapping_counts(subscription, item_types=(CATEGORY,))


def missing_categories(subscription: CentralSubscription, limit: int = 20) -> list[str]:
    """The paths of the source's categories the target has no (single) match for."""
    return list(
        CentralMapping.objects.filter(subscription=subscription, item_type=CATEGORY)
        .exclude(status=Status.MATCHED)
        .order_by("code")
        .values_list("code", flat=True)[:limit]
    )


def confirm_mapping(subscription: CentralSubscription, *, user=None) -> None:
    """Staff saw the mapping review and accept it: fan-outs reach this tenant from now on."""
    if subscription.mapping_refreshed_at is None:
        raise CentralError(f"Build the mapping review of {subscription.tenant} before confirming it.")
    subscription.mapping_confirmed_at = timezone.now()
    subscription.mapping_confirmed_by = user if user is not None and user.is_authenticated else None
    subscription.save(update_fields=["mapping_confirmed_at", "mapping_confirmed_by"])


# --- Central changes ------------------------------------------------------------------------------------------------
def _text(name: str, value) -> str:
    if value is None:
        return ""
    if name in MONEY_FIELDS:
        return f"{Decimal(value).normalize():f}"
    return str(value)


def _same(name: str, a: str, b: str) -> bool:
    if name in MONEY_FIELDS:
        return Decimal(a or 0) == Decimal(b or 0)
    return (a or "") == (b or "")


def lockable_fields(item_type: str, locked) -> list[str]:
    """The locked fields an item of this type can take (a service's cost is its labour and parts: not overridable)."""
    overridable = {f.name for f in override_fields_for(item_type)} | set(EXTRA_LOCKABLE)
    return [name for name in LOCKABLE_NAMES if name in locked and name in overridable]


def _image_path(item) -> str:
    """The item's default image as ServiceTitan's path ("Images/…"): `defaultAssetUrl`, else its default image asset."""
    if item.default_image_url:
        return item.default_image_url
    assets = [a for a in item.images or [] if isinstance(a, dict) and a.get("type") == "Image" and a.get("url")]
    chosen = next((a for a in assets if a.get("isDefault")), assets[0] if assets else None)
    return (chosen or {}).get("url") or ""


def categories_text(paths) -> str:
    """A set of category paths as the audit shows it (and compares it): a sorted JSON list."""
    return json.dumps(sorted(set(paths)), ensure_ascii=False)


def _category_texts(item_type: str, tenant_id: int, st_ids: list[int]) -> dict[int, str]:
    """st_id -> the item's effective categories as paths: a pending override's category ids, else the mirror's."""
    paths: dict[int, set[str]] = {st_id: set() for st_id in st_ids}
    for st_id, path in (
        item_kind(item_type)
        .master.objects.filter(tenant_id=tenant_id, st_id__in=st_ids, categories__deleted=False)
        .values_list("st_id", "categories__path")
    ):
        if path:
            paths[st_id].add(path[:255])
    pending = dict(
        PricebookOverride.objects.filter(
            tenant_id=tenant_id, item_type=item_type, st_pricebook_id__in=st_ids, override_category_ids__isnull=False
        )
        .exclude(status=PricebookOverride.Status.SYNCED)
        .values_list("st_pricebook_id", "override_category_ids")
    )
    if pending:
        wanted = {int(i) for ids in pending.values() for i in ids or []}
        by_id = dict(Category.objects.filter(tenant_id=tenant_id, st_id__in=wanted).values_list("st_id", "path"))
        for st_id, ids in pending.items():
            paths[st_id] = {by_id[int(i)][:255] for i in ids or [] if int(i) in by_id}
    return {st_id: categories_text(found) for st_id, found in paths.items()}


def _effective(item_type: str, tenant_id: int, st_ids: list[int], fields: list[str]) -> dict[int, dict[str, str]]:
    qs = item_kind(item_type).master.objects.filter(tenant_id=tenant_id, st_id__in=st_ids)
    categories = _category_texts(item_type, tenant_id, st_ids) if "categories" in fields else {}
    values = {}
    for item in with_effective_values(qs, item_type):
        row = {}
        for name in fields:
            if name == "image":
                row[name] = _image_path(item)
            elif name == "categories":
                row[name] = categories.get(item.st_id, categories_text(()))
            else:
                row[name] = _text(name, getattr(item, f"effective_{name}"))
        values[item.st_id] = row
    return values


@dataclass
class ProposedChange:
    item_type: str
    code: str
    source_st_id: int
    target_st_id: int
    field: str
    target_value: str
    central_value: str


def _central_values(cache: dict, item_type: str, source: int, st_ids: list[int], fields: list[str]) -> dict:
    """The source's effective values, read once per fan-out whatever the number of target tenants."""
    known = cache.setdefault((item_type, tuple(fields)), {})
    missing = [st_id for st_id in st_ids if st_id not in known]
    if missing:
        known.update(_effective(item_type, source, missing, fields))
    return known


def central_changes(
    subscription: CentralSubscription, *, cache: dict | None = None, left_out: dict | None = None
) -> list[ProposedChange]:
    """The locked fields of the matched items whose target value differs from the central one; a change already
    waiting for approval or dismissed with the same central value is not proposed again. `cache`: the source's
    values shared by the subscriptions of one fan-out.

    The image: a central image is proposed once per item (the target's copy gets a path of its own, never equal to
    the source's), so one applied or re-applied is not proposed again; no central image proposes nothing. The
    categories: an item whose central categories do not all match one category of the target is left out, counted
    in `left_out["categories"]`."""
    cache = {} if cache is None else cache
    left_out = {} if left_out is None else left_out
    source = subscription.central.source_tenant.st_tenant_id
    target = subscription.tenant.st_tenant_id
    known = set(
        CentralChange.objects.filter(
            batch__subscription=subscription, outcome__in=[Outcome.PROPOSED, Outcome.DISMISSED]
        ).values_list("item_type", "target_st_id", "field", "central_value")
    )
    if "image" in subscription.locked_fields:
        known |= set(
            CentralChange.objects.filter(
                batch__subscription=subscription, field="image", outcome__in=[Outcome.APPLIED, Outcome.REAPPLIED]
            ).values_list("item_type", "target_st_id", "field", "central_value")
        )
    mapped_categories = None
    if "categories" in subscription.locked_fields:
        mapped_categories = set(
            CentralMapping.objects.filter(
                subscription=subscription, item_type=CATEGORY, status=Status.MATCHED
            ).values_list("code", flat=True)
        )
    changes: list[ProposedChange] = []
    for item_type in CENTRAL_ITEM_TYPES:
        fields = lockable_fields(item_type, subscription.locked_fields)
        if not fields:
            continue
        pairs = list(
            CentralMapping.objects.filter(subscription=subscription, item_type=item_type, status=Status.MATCHED)
            .order_by("source_st_id")
            .values_list("code", "source_st_id", "target_st_id")
        )
        for start in range(0, len(pairs), IDS_PER_READ):
            page = pairs[start : start + IDS_PER_READ]
            central = _central_values(cache, item_type, source, [s for _, s, _ in page], fields)
            theirs = _effective(item_type, target, [t for _, _, t in page], fields)
            for code, source_st_id, target_st_id in page:
                if source_st_id not in central or target_st_id not in theirs:
                    continue
                for name in fields:
                    wanted, now = central[source_st_id][name], theirs[target_st_id][name]
                    if _same(name, wanted, now) or (item_type, target_st_id, name, wanted) in known:
                        continue
                    if name == "image" and not wanted:
                        continue  # no central image: the target keeps its own
                    if name == "categories" and not set(json.loads(wanted)) <= mapped_categories:
                        left_out["categories"] = left_out.get("categories", 0) + 1
                        continue
                    changes.append(ProposedChange(item_type, code, source_st_id, target_st_id, name, now, wanted))
    return changes


# --- Fan-out ---------------------------------------------------------------------------------------------------------
@dataclass
class TenantPlan:
    subscription: CentralSubscription
    changes: list[ProposedChange]
    skipped: str = ""  # why nothing goes to this tenant
    batch: CentralBatch | None = None
    override_ids: list[int] = field(default_factory=list)
    # Changes not proposed, by field, and why (e.g. {"categories": 3}: a central category has no match in the target).
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def items(self) -> int:
        return len({(c.item_type, c.target_st_id) for c in self.changes})

    def line(self) -> str:
        tenant = self.subscription.tenant
        if self.skipped:
            return f"{tenant}: skipped ({self.skipped})"
        policy = self.subscription.get_policy_display()
        by_field = defaultdict(int)
        for change in self.changes:
            by_field[change.field] += 1
        fields = ", ".join(f"{name} {n}" for name, n in sorted(by_field.items())) or "none"
        done = f"; batch #{self.batch.pk} {self.batch.status}" if self.batch is not None else ""
        left = ""
        if self.left_out.get("categories"):
            left = (
                f"; categories of {self.left_out['categories']} item(s) left out: a central category has no match "
                "in the target (see the mapping review)"
            )
        return f"{tenant}: {self.items} item(s), {len(self.changes)} field change(s) ({fields}); {policy}{done}{left}"


@dataclass
class FanoutResult:
    central: CentralPricebook
    plans: list[TenantPlan]
    fanout: CentralFanout | None = None
    dry_run: bool = False

    @property
    def totals(self) -> dict:
        return {
            "tenants": sum(1 for p in self.plans if p.changes and not p.skipped),
            "skipped": sum(1 for p in self.plans if p.skipped),
            "items": sum(p.items for p in self.plans if not p.skipped),
            "changes": sum(len(p.changes) for p in self.plans if not p.skipped),
        }


def preview_fan_out(central: CentralPricebook, *, tenant=None) -> FanoutResult:
    """What a fan-out would propose to each active target tenant (or to `tenant` only); nothing is saved."""
    plans, cache = [], {}
    subscriptions = central.subscriptions.filter(active=True)
    if tenant is not None:
        subscriptions = subscriptions.filter(tenant=tenant)
    for subscription in subscriptions.select_related("tenant", "central__source_tenant").order_by("pk"):
        if not subscription.tenant.active:
            plans.append(TenantPlan(subscription, [], skipped="the tenant is inactive"))
        elif subscription.mapping_confirmed_at is None:
            plans.append(TenantPlan(subscription, [], skipped="its mapping review is not confirmed yet"))
        elif not subscription.locked_fields:
            plans.append(TenantPlan(subscription, [], skipped="no field is locked"))
        else:
            left_out: dict[str, int] = {}
            changes = central_changes(subscription, cache=cache, left_out=left_out)
            plans.append(TenantPlan(subscription, changes, left_out=left_out))
    return FanoutResult(central, plans, dry_run=True)


def fan_out(central: CentralPricebook, *, user=None, dry_run: bool = False, tenant=None) -> FanoutResult:
    """Fan the central values out: one batch per target tenant with changes (or to `tenant` only), handled by that
    tenant's policy."""
    if not central.active:
        raise CentralError(f"The central pricebook {central} is inactive.")
    result = preview_fan_out(central, tenant=tenant)
    if dry_run:
        return result
    acting = user if user is not None and user.is_authenticated else None
    images: dict[str, object] = {}  # each central image read once, whatever the number of target tenants
    with transaction.atomic():
        result.fanout = CentralFanout.objects.create(central=central, created_by=acting)
        for plan in result.plans:
            if plan.skipped or not plan.changes:
                continue
            _propose(plan, result.fanout)
            _supersede_older(plan.batch)
            policy = plan.subscription.policy
            if policy == Policy.AUTO:
                plan.override_ids = _apply(
                    plan.batch,
                    plan.batch.changes.all(),
                    user=None,
                    outcome=Outcome.APPLIED,
                    who="the tenant's policy",
                    images=images,
                )
                _decide(plan.batch, BatchStatus.APPROVED, None)
            elif policy == Policy.DISMISS:
                _dismiss(plan.batch.changes.all(), user=None, note="dismissed by the tenant's policy")
                _decide(plan.batch, BatchStatus.DISMISSED, None)
        result.fanout.totals = result.totals
        result.fanout.save(update_fields=["totals"])
    result.dry_run = False
    return result


def _propose(plan: TenantPlan, fanout: CentralFanout) -> None:
    subscription = plan.subscription
    tenant_id = subscription.tenant.st_tenant_id
    plan.batch = CentralBatch.objects.create(
        fanout=fanout, subscription=subscription, tenant_id=tenant_id, policy=subscription.policy
    )
    now = timezone.now()
    # COPY on PostgreSQL (bulk_create compiles a placeholder per value: slow at thousands of rows).
    insert_rows(
        CentralChange,
        [
            {
                "batch_id": plan.batch.pk,
                "tenant_id": tenant_id,
                "item_type": c.item_type,
                "code": c.code[:255],
                "source_st_id": c.source_st_id,
                "target_st_id": c.target_st_id,
                "field": c.field,
                "target_value": c.target_value,
                "central_value": c.central_value,
                "outcome": Outcome.PROPOSED,
                "decided_by_id": None,
                "decided_at": None,
                "note": "",
                "override_id": None,
                "created_at": now,
            }
            for c in plan.changes
        ],
    )


def _supersede_older(batch: CentralBatch) -> int:
    """Waiting changes of earlier batches for an item and field this batch proposes again (another central value):
    superseded, so approving the older batch can never apply an outdated central value. One UPDATE."""
    newer = CentralChange.objects.filter(
        batch=batch, item_type=OuterRef("item_type"), target_st_id=OuterRef("target_st_id"), field=OuterRef("field")
    )
    return (
        CentralChange.objects.filter(batch__subscription_id=batch.subscription_id, outcome=Outcome.PROPOSED)
        .exclude(batch=batch)
        .filter(Exists(newer))
        .update(outcome=Outcome.SUPERSEDED, decided_at=timezone.now(), note=f"superseded by batch #{batch.pk}")
    )


def _decide(batch: CentralBatch, status: str, user) -> None:
    batch.status = status
    batch.decided_by = user if user is not None and user.is_authenticated else None
    batch.decided_at = timezone.now()
    batch.save(update_fields=["status", "decided_by", "decided_at"])


def _central_image(batch: CentralBatch, path: str, images: dict):
    """The central image at the source tenant's `path`, read with the source's client (GET /images), checked like an
    upload: what the target's override carries, uploaded to the target by its push (POST /images, then `assets`)."""
    if path in images:
        return images[path]
    from pricebook.services.images import ImageRejected, check_image, fetch_image
    from servicetitan.client.errors import ServiceTitanError

    source = batch.subscription.central.source_tenant
    try:
        content, _mime = fetch_image(tenant_client(source.st_tenant_id), path)
        images[path] = check_image(content, path.rsplit("/", 1)[-1])
    except ImageRejected as exc:
        raise CentralError(f"The central image {path} of {source} cannot be used: {exc}") from exc
    except ServiceTitanError as exc:
        raise CentralError(f"The central image {path} could not be read from {source}: {exc}") from exc
    return images[path]


def _target_categories(batch: CentralBatch, paths: list[str], mapped: dict) -> list[int]:
    """The target's category ids of these central category paths (matched by the mapping review)."""
    if not mapped:
        mapped.update(
            CentralMapping.objects.filter(
                subscription_id=batch.subscription_id, item_type=CATEGORY, status=Status.MATCHED
            ).values_list("code", "target_st_id")
        )
    missing = [path for path in paths if mapped.get(path) is None]
    if missing:
        raise CentralError(
            f"Tenant {batch.tenant_id} has no category {missing[0]!r} (or several with that path): refresh the "
            "mapping review."
        )
    return sorted(mapped[path] for path in paths)


def _value(name: str, text: str):
    if name in MONEY_FIELDS:
        try:
            return Decimal(text or 0)
        except InvalidOperation:
            raise CentralError(f"The central {name.replace('_', ' ')} {text!r} is not an amount.") from None
    return text


def _who(user, default: str = "an operator") -> str:
    return (user.get_username() if user is not None and user.is_authenticated else "") or default


def _apply(batch: CentralBatch, changes, *, user, outcome: str, who: str, images: dict | None = None) -> list[int]:
    """Write these changes of one tenant as that tenant's overrides (the bulk path, one push queued on commit) and
    record who applied them. Returns the override ids. `images`: central images already read (path -> image)."""
    if isinstance(changes, list):
        rows = [(c.pk, c.item_type, c.target_st_id, c.field, c.central_value) for c in changes]
    else:
        rows = list(changes.order_by("pk").values_list("pk", "item_type", "target_st_id", "field", "central_value"))
    if not rows:
        return []
    values: dict[tuple[str, int], dict] = defaultdict(dict)
    images = {} if images is None else images
    mapped: dict[str, int] = {}
    for _, item_type, target_st_id, name, central_value in rows:
        if name == "image":
            value = _central_image(batch, central_value, images)
        elif name == "categories":
            value = _target_categories(batch, json.loads(central_value or "[]"), mapped)
        else:
            value = _value(name, central_value)
        values[(item_type, target_st_id)][name] = value
    try:
        overrides = save_overrides_bulk(
            [(item_type, st_id, v) for (item_type, st_id), v in values.items()],
            tenant_id=batch.tenant_id,
            user=user,
            message=f"Central pricebook: batch #{batch.pk} {outcome} by {who}.",
            origin=PricebookOverride.Origin.EDIT,
        )
    except OverrideError as exc:
        raise CentralError(f"Tenant {batch.tenant_id}: {exc}") from exc
    # One UPDATE whatever the count (Django's bulk_update compiles a CASE per row: seconds at thousands of rows); each
    # change points at its item's override, found by a correlated subquery.
    acting = user if user is not None and user.is_authenticated else None
    CentralChange.objects.filter(in_ids("pk", [row[0] for row in rows])).update(
        outcome=outcome,
        decided_by=acting,
        decided_at=timezone.now(),
        note=f"{outcome} by {who}",
        override_id=Subquery(
            PricebookOverride.objects.filter(
                tenant_id=OuterRef("tenant_id"),
                item_type=OuterRef("item_type"),
                st_pricebook_id=OuterRef("target_st_id"),
            ).values("pk")[:1]
        ),
    )
    return sorted({o.pk for o in overrides})


def _dismiss(changes, *, user, note: str) -> int:
    acting = user if user is not None and user.is_authenticated else None
    return changes.update(outcome=Outcome.DISMISSED, decided_by=acting, decided_at=timezone.now(), note=note)


# --- Decisions of the target tenant ------------------------------------------------------------------------------------
def can_decide(user, tenant_id: int) -> bool:
    """An approver of this tenant: the approvers' permission and access to the tenant (superusers: every tenant)."""
    if user is None or not user.is_active or not user.has_perm(APPROVE_PERMISSION):
        return False
    return user.is_superuser or user.lazi_tenants.filter(st_tenant_id=tenant_id).exists()


def _check(user, tenant_id: int, operator: bool) -> None:
    if not operator and not can_decide(user, tenant_id):
        raise CentralDenied(f"Only the approvers of tenant {tenant_id} can decide on its central changes.")


def _locked_proposal(batch: CentralBatch) -> CentralBatch:
    locked = CentralBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != BatchStatus.PROPOSED:
        raise CentralError(f"Central batch #{locked.pk} is {locked.get_status_display()}; it is decided already.")
    return locked


def approve_batch(batch: CentralBatch, *, user=None, operator: bool = False) -> list[int]:
    """A target tenant's approver applies a waiting batch: its changes become that tenant's pending overrides."""
    _check(user, batch.tenant_id, operator)
    with transaction.atomic():
        locked = _locked_proposal(batch)
        proposed = locked.changes.filter(outcome=Outcome.PROPOSED)
        if not proposed.exists():
            raise CentralError(
                f"Nothing of central batch #{locked.pk} is left to approve: later fan-outs superseded every change."
            )
        ids = _apply(locked, proposed, user=user, outcome=Outcome.APPLIED, who=_who(user))
        _decide(locked, BatchStatus.APPROVED, user)
    batch.refresh_from_db()
    return ids


def dismiss_batch(batch: CentralBatch, *, user=None, operator: bool = False) -> int:
    """A target tenant's approver dismisses a waiting batch: kept in the audit, re-appliable later."""
    _check(user, batch.tenant_id, operator)
    with transaction.atomic():
        locked = _locked_proposal(batch)
        n = _dismiss(locked.changes.filter(outcome=Outcome.PROPOSED), user=user, note=f"dismissed by {_who(user)}")
        _decide(locked, BatchStatus.DISMISSED, user)
    batch.refresh_from_db()
    return n


def reapply_changes(changes, *, user=None, operator: bool = False) -> list[int]:
    """Apply dismissed changes after all (each by an approver of its tenant). Returns the override ids."""
    chosen = list(CentralChange.objects.filter(pk__in=[c.pk for c in changes]).select_related("batch"))
    not_dismissed = [c.pk for c in chosen if c.outcome != Outcome.DISMISSED]
    if not_dismissed:
        raise CentralError(
            f"Only dismissed changes can be re-applied; these are not: {', '.join(map(str, not_dismissed))}."
        )
    for tenant_id in {c.tenant_id for c in chosen}:
        _check(user, tenant_id, operator)
    ids: list[int] = []
    with transaction.atomic():
        by_batch: dict[int, list[CentralChange]] = defaultdict(list)
        for change in chosen:
            by_batch[change.batch_id].append(change)
        for group in by_batch.values():
            ids += _apply(group[0].batch, group, user=user, outcome=Outcome.REAPPLIED, who=_who(user))
    return ids


# --- Push -----------------------------------------------------------------------------------------------------------
def tenant_client(tenant_id: int):
    """The client of one tenant (the per-tenant `get_client`)."""
    from servicetitan.client import get_client

    return get_client(tenant_id)


def push_batch(batch: CentralBatch, *, client=None):
    """Push one tenant's applied changes now through the bulk path (`push_overrides`, with that tenant's client);
    the batch is pushed once ServiceTitan has every one of them. Returns the push result."""
    from pricebook.services.push import push_overrides

    ids = sorted(
        set(
            batch.changes.filter(outcome__in=[Outcome.APPLIED, Outcome.REAPPLIED], override__isnull=False).values_list(
                "override_id", flat=True
            )
        )
    )
    result = push_overrides(ids, client=client or tenant_client(batch.tenant_id))
    settle_batch(batch)
    return result


def settle_batch(batch: CentralBatch) -> bool:
    """An approved batch whose overrides ServiceTitan has (all synced) becomes pushed."""
    if batch.status != BatchStatus.APPROVED:
        return False
    waiting = (
        batch.changes.filter(outcome__in=[Outcome.APPLIED, Outcome.REAPPLIED])
        .exclude(override__status=PricebookOverride.Status.SYNCED)
        .exists()
    )
    if waiting:
        return False
    CentralBatch.objects.filter(pk=batch.pk, status=BatchStatus.APPROVED).update(
        status=BatchStatus.PUSHED, pushed_at=timezone.now()
    )
    batch.refresh_from_db()
    return True


def settle_batches(override_ids: Iterable[int] | None = None) -> list[int]:
    """Every approved central batch whose overrides ServiceTitan has becomes pushed (for pushes run elsewhere: the
    queued task, `st_push`). With `override_ids` (what a push just pushed), only the batches holding one of them are
    looked at. Returns the ids settled now."""
    batches = CentralBatch.objects.filter(status=BatchStatus.APPROVED)
    if override_ids is not None:
        override_ids = list(override_ids)
        if not override_ids:
            return []
        holding = CentralChange.objects.filter(in_ids("override_id", override_ids)).values("batch_id")
        batches = batches.filter(pk__in=holding)
    return [batch.pk for batch in batches if settle_batch(batch)]


def audit_summary(tenant_id: int | None = None) -> dict[str, int]:
    """Changes per outcome (of one tenant, or all)."""
    qs = CentralChange.objects.all() if tenant_id is None else CentralChange.objects.filter(tenant_id=tenant_id)
    counts = dict.fromkeys(Outcome.values, 0)
    for outcome, n in qs.values("outcome").annotate(n=Count("pk")).values_list("outcome", "n"):
        counts[outcome] = n
    return counts
