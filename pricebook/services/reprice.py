"""Reprice: the pricing rules applied to a set of items, previewed as a proposed batch, approved, then pushed.

- `preview_reprice(...)` computes the rows (nothing saved); `propose_reprice(...)` saves them as a proposed
  `RepriceBatch`. Both read the items page by page (keyset on the primary key), with a constant number of queries
  per page: the items with their effective values (a pending override counts, its cost too) and the id of the rule
  that prices each (`selectors.ApplicableRules`, the resolution health's checks use), and for services their cost
  lines (`selectors.service_cost_lines`, what the service's page shows).
- `approve_batch` (members of "Pricebook approvers", or an operator on the command line) turns the chosen rows into
  pending overrides through the bulk path, with the approval in their history, and queues one push.
- `discard_batch` drops a proposal; `settle_batches` marks approved batches pushed once ServiceTitan has them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from pricebook.models import (
    Category,
    MarkupTier,
    PricebookOverride,
    PricingRule,
    RepriceBatch,
    RepriceRow,
)
from pricebook.selectors import ApplicableRules, item_kind, service_cost_lines, with_effective_values
from pricebook.services.groups import APPROVE_PERMISSION
from pricebook.services.overrides import save_overrides_bulk
from pricebook.services.rowsets import in_ids
from pricebook.services.rules import (
    ZERO,
    change_percent,
    flags_for,
    margin_percent,
    material_prices,
    service_prices,
    sorted_tiers,
)

REPRICE_TYPES = ("material", "service", "equipment")
# st_sync's target names -> item types.
TARGETS = {"pricebook": REPRICE_TYPES, **{item_kind(t).resource_key: (t,) for t in REPRICE_TYPES}}
PAGE_SIZE = 2000
Batch = RepriceBatch.Status
Row = RepriceRow.Status


class RepriceError(Exception):
    """A reprice cannot be done as asked; the message is for staff, in plain words."""


class UnknownTarget(RepriceError):
    pass


class ApprovalDenied(RepriceError):
    pass


def default_tenant_id() -> int:
    """The configured tenant (SERVICE_TITAN_TENANT_ID): rules and reprices made here belong to it."""
    from django.conf import settings

    value = settings.SERVICE_TITAN.get("TENANT_ID")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RepriceError("No tenant is configured: set SERVICE_TITAN_TENANT_ID.") from None


def item_types_for(targets) -> list[str]:
    if not targets:
        return list(REPRICE_TYPES)
    chosen: list[str] = []
    for target in targets:
        if target not in TARGETS:
            raise UnknownTarget(f"Unknown reprice target {target!r}; choose from: {', '.join(TARGETS)}.")
        chosen.extend(t for t in TARGETS[target] if t not in chosen)
    return chosen


# --- Rules, resolved once per reprice ------------------------------------------------------------------------------
class RuleBook:
    """The tenant's markup tiers and category tree in memory, and per item type which rule prices an item
    (`selectors.ApplicableRules`, the resolution health's checks use too: resolved in SQL on each page's query)."""

    def __init__(self, tenant_id: int):
        self.tenant_id = tenant_id
        self.tiers = sorted_tiers(MarkupTier.objects.filter(tenant_id=tenant_id, deleted=False))
        self.categories = {
            pk: (st_id, parent_id, depth)
            for pk, st_id, parent_id, depth in Category.objects.filter(tenant_id=tenant_id).values_list(
                "pk", "st_id", "parent_id", "depth"
            )
        }
        self.pk_of_st_id = {st_id: pk for pk, (st_id, _, _) in self.categories.items()}
        self._rules: dict[str, ApplicableRules] = {}

    def rules(self, item_type: str) -> ApplicableRules:
        if item_type not in self._rules:
            self._rules[item_type] = ApplicableRules.load(item_type, self.tenant_id)
        return self._rules[item_type]

    def with_rule_ids(self, qs, item_type: str):
        """The items with `pricing_rule_id`: the pk of the rule that prices each (None: no rule)."""
        return qs.annotate(pricing_rule_id=self.rules(item_type).rule_id(qs.model))

    def rule_for(self, item_type: str, item) -> PricingRule | None:
        return self.rules(item_type).rule_of(item.pricing_rule_id)

    def subtree(self, category_st_id: int) -> set[int]:
        """Category pks of this category and every subcategory."""
        root = self.pk_of_st_id.get(category_st_id)
        if root is None:
            raise RepriceError(f"There is no category with ServiceTitan id {category_st_id} in the mirror.")
        children = defaultdict(list)
        for pk, (_, parent_id, _) in self.categories.items():
            children[parent_id].append(pk)
        found, todo = set(), [root]
        while todo:
            pk = todo.pop()
            if pk not in found:
                found.add(pk)
                todo.extend(children.get(pk, ()))
        return found


# --- Preview --------------------------------------------------------------------------------------------------------
@dataclass
class RepricePreview:
    rows: list[RepriceRow] = field(default_factory=list)
    items: int = 0
    without_rule: int = 0
    price_before: Decimal = ZERO
    price_after: Decimal = ZERO
    cost_total: Decimal = ZERO

    @property
    def totals(self) -> dict:
        changes = [r.change_percent for r in self.rows if r.change_percent is not None]
        flag_counts: dict[str, int] = defaultdict(int)
        for row in self.rows:
            for flag in row.flags:
                flag_counts[flag["code"]] += 1
        return {
            "items": self.items,
            "changed": len(self.rows),
            "up": sum(1 for r in self.rows if r.new_price > r.current_price),
            "down": sum(1 for r in self.rows if r.new_price < r.current_price),
            "flagged": sum(1 for r in self.rows if r.flagged),
            "without_rule": self.without_rule,
            "average_change_percent": _text(sum(changes, ZERO) / len(changes)) if changes else None,
            "margin_before": _text(margin_percent(self.price_before, self.cost_total)),
            "margin_after": _text(margin_percent(self.price_after, self.cost_total)),
            "flags": dict(flag_counts),
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value).quantize(Decimal('0.01')):f}"


def _pages(qs, size: int):
    last = 0
    while True:
        page = list(qs.filter(pk__gt=last).order_by("pk")[:size])
        if not page:
            return
        yield page
        last = page[-1].pk


def service_parts(service_pks: list[int]) -> dict[int, list[tuple[Decimal, Decimal]]]:
    """Service pk -> [(unit effective cost, quantity)] of its linked materials and equipment: the service page's cost
    lines (`selectors.service_cost_lines`, four queries per page), so the page's total and the cost priced agree."""
    return {
        pk: [(line.effective_unit_cost, line.quantity) for line in lines]
        for pk, lines in service_cost_lines(service_pks).items()
    }


def _items(item_type: str, tenant_id: int, book: RuleBook, category_st_id, st_ids):
    kind = item_kind(item_type)
    model = kind.master
    qs = model.objects.filter(tenant_id=tenant_id, deleted=False, active=True)
    through = model.categories.through
    owner = f"{model._meta.model_name}_id"
    if category_st_id is not None:
        subtree = book.subtree(category_st_id)
        qs = qs.filter(pk__in=through.objects.filter(category_id__in=subtree).values(owner))
    if st_ids:
        qs = qs.filter(st_id__in=list(st_ids))
    return with_effective_values(book.with_rule_ids(qs, item_type), item_type)


def preview_reprice(*, tenant_id: int, targets=None, category_st_id=None, st_ids=None) -> RepricePreview:
    """What the rules would make of these items' prices; nothing is saved. Raises RepriceError on bad input."""
    item_types = item_types_for(targets)
    book = RuleBook(tenant_id)
    preview = RepricePreview()
    for item_type in item_types:
        qs = _items(item_type, tenant_id, book, category_st_id, st_ids)
        for page in _pages(qs, PAGE_SIZE):
            parts = service_parts([item.pk for item in page]) if item_type == "service" else {}
            for item in page:
                rule = book.rule_for(item_type, item)
                if rule is None:
                    preview.without_rule += 1
                    continue
                row = _row(item, item_type, rule, book, parts.get(item.pk, []))
                preview.items += 1
                preview.price_before += row.current_price
                preview.cost_total += row.cost
                preview.price_after += row.new_price
                if (row.new_price, row.new_member_price, row.new_add_on_price) != (
                    row.current_price,
                    row.current_member_price,
                    row.current_add_on_price,
                ):
                    preview.rows.append(row)
    return preview


def _row(item, item_type: str, rule: PricingRule, book: RuleBook, parts) -> RepriceRow:
    current_price = Decimal(item.effective_price or 0)
    current_member = Decimal(item.effective_member_price or 0)
    current_add_on = Decimal(item.effective_add_on_price or 0)
    if item_type == "service":
        prices = service_prices(
            hours=Decimal(item.hours or 0),
            labour_cost=Decimal(item.cost or 0),
            parts=parts,
            rule=rule,
            tiers=book.tiers,
        )
    else:
        prices = material_prices(Decimal(item.effective_cost or 0), rule, book.tiers)
    # A member price the rule leaves as it is still counts: a lower price can put it at or above the price.
    if prices.member_price is None and current_member:
        prices.member_price = current_member
    if prices.add_on_price is None:
        prices.add_on_price = current_add_on
    flags = flags_for(prices, current_price=current_price, rule=rule)
    return RepriceRow(
        tenant_id=item.tenant_id,
        item_type=item_type,
        st_pricebook_id=item.st_id,
        code=item.code[:255],
        name=(item.effective_name or "")[:512],
        rule=rule,
        rule_name=rule.name,
        cost=prices.cost,
        current_price=current_price,
        new_price=prices.price,
        current_member_price=current_member,
        new_member_price=current_member if prices.member_price is None else prices.member_price,
        current_add_on_price=current_add_on,
        new_add_on_price=prices.add_on_price,
        change_percent=change_percent(current_price, prices.price),
        margin_before=margin_percent(current_price, prices.cost),
        margin_after=margin_percent(prices.price, prices.cost),
        explanation=prices.explanation,
        flags=flags,
        flagged=bool(flags),
    )


def propose_reprice(*, tenant_id: int, targets=None, category_st_id=None, st_ids=None, user=None) -> RepriceBatch:
    """Compute the reprice of these items and save it as a proposed batch (its rows: the items whose prices change).

    `targets` as in st_sync (`pricebook`, `pricebook.materials`, …; none: all three item types), `category_st_id` a
    category subtree, `st_ids` chosen items. Reads each item's effective cost and prices, so cost overrides created
    just before (a vendor cost import) are priced in. Raises RepriceError (UnknownTarget for a bad target)."""
    preview = preview_reprice(tenant_id=tenant_id, targets=targets, category_st_id=category_st_id, st_ids=st_ids)
    with transaction.atomic():
        batch = RepriceBatch.objects.create(
            tenant_id=tenant_id,
            targets=list(targets or []),
            category_st_id=category_st_id,
            st_ids=list(st_ids or []),
            created_by=user if user is not None and user.is_authenticated else None,
            totals=preview.totals,
        )
        for row in preview.rows:
            row.batch = batch
        RepriceRow.objects.bulk_create(preview.rows, batch_size=PAGE_SIZE)
    return batch


# --- Approval -------------------------------------------------------------------------------------------------------
@dataclass
class ApprovalResult:
    batch: RepriceBatch
    approved: int
    not_approved: int
    override_ids: list[int]
    # Chosen rows left out because the item's prices changed since the preview.
    stale: int = 0


def can_approve(user) -> bool:
    return user is not None and user.is_active and user.has_perm(APPROVE_PERMISSION)


def _chosen_rows(batch: RepriceBatch, rows):
    qs = RepriceRow.objects.filter(batch=batch)
    if rows == "all":
        return qs
    if rows == "unflagged":
        return qs.filter(flagged=False)
    if isinstance(rows, list | tuple | set) and all(isinstance(r, int) and not isinstance(r, bool) for r in rows):
        wanted = set(rows)
        found = set(qs.filter(pk__in=wanted).values_list("pk", flat=True))
        if wanted - found:
            raise RepriceError(
                f"These rows are not in batch #{batch.pk}: {', '.join(map(str, sorted(wanted - found)))}."
            )
        return qs.filter(pk__in=wanted)
    raise RepriceError('Choose the rows to approve: "all", "unflagged" or a list of row ids.')


def approve_batch(batch: RepriceBatch, *, rows="all", user=None, operator: bool = False) -> ApprovalResult:
    """Approve these rows ("all", "unflagged" or row ids): they become pending overrides (bulk path, one push
    queued), the others are marked not approved. Only approvers may do it (or an `operator` on the command line)."""
    if not operator and not can_approve(user):
        raise ApprovalDenied("Only members of “Pricebook approvers” can approve a reprice.")
    with transaction.atomic():
        locked = RepriceBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != Batch.PROPOSED:
            raise RepriceError(
                f"Reprice #{locked.pk} is {locked.get_status_display()}; only a proposal can be approved."
            )
        approved = list(_chosen_rows(locked, rows).order_by("pk"))
        if not approved:
            raise RepriceError(f"No rows of reprice #{locked.pk} were chosen; nothing to approve.")
        stale = _changed_since_preview(locked.tenant_id, approved)
        approved = [row for row in approved if row.pk not in stale]
        if not approved:
            raise RepriceError(
                f"Every chosen price of reprice #{locked.pk} changed since its preview; reprice these items again."
            )
        chosen = RepriceRow.objects.filter(pk__in=[row.pk for row in approved])
        who = (user.get_username() if user is not None and user.is_authenticated else "") or "an operator"
        message = f"Approved in reprice #{locked.pk} by {who}."
        overrides = save_overrides_bulk(
            [(row.item_type, row.st_pricebook_id, _override_values(row)) for row in approved],
            tenant_id=locked.tenant_id,
            user=user,
            message=message,
            # Prices a person approved are LAZI's edit, whatever the override held before (a vendor file's cost
            # came as `import`): the price history then says "pushed from LAZI" with this batch.
            origin=PricebookOverride.Origin.EDIT,
        )
        chosen.update(status=Row.APPROVED)
        RepriceRow.objects.filter(batch=locked, status=Row.PROPOSED).update(status=Row.NOT_APPROVED)
        RepriceRow.objects.filter(batch=locked, status=Row.APPROVED).update(
            override_id=Subquery(
                PricebookOverride.objects.filter(
                    tenant_id=OuterRef("tenant_id"),
                    item_type=OuterRef("item_type"),
                    st_pricebook_id=OuterRef("st_pricebook_id"),
                ).values("pk")[:1]
            )
        )
        locked.status = Batch.APPROVED
        locked.approved_by = user if user is not None and user.is_authenticated else None
        locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at"])
        not_approved = RepriceRow.objects.filter(batch=locked, status=Row.NOT_APPROVED).count()
    batch.refresh_from_db()
    return ApprovalResult(batch, len(approved), not_approved, [o.pk for o in overrides], len(stale))


def _changed_since_preview(tenant_id: int, rows: list[RepriceRow]) -> set[int]:
    """Rows whose item no longer shows the prices the preview started from (edited or synced since): approving them
    would overwrite a newer change, so they are left out. A constant number of queries per 5,000 rows."""
    from pricebook.services.push import batched

    by_type: dict[str, dict[int, RepriceRow]] = defaultdict(dict)
    for row in rows:
        by_type[row.item_type][row.st_pricebook_id] = row
    stale = set()
    for item_type, wanted in by_type.items():
        for group in batched(list(wanted), 5000):
            shown = {
                item.st_id: tuple(
                    Decimal(v or 0)
                    for v in (item.effective_price, item.effective_member_price, item.effective_add_on_price)
                )
                for item in with_effective_values(
                    item_kind(item_type).master.objects.filter(tenant_id=tenant_id, st_id__in=group), item_type
                )
            }
            for st_id in group:
                row = wanted[st_id]
                if shown.get(st_id) != (row.current_price, row.current_member_price, row.current_add_on_price):
                    stale.add(row.pk)
    return stale


def _override_values(row: RepriceRow) -> dict:
    values = {}
    for name, current, new in (
        ("price", row.current_price, row.new_price),
        ("member_price", row.current_member_price, row.new_member_price),
        ("add_on_price", row.current_add_on_price, row.new_add_on_price),
    ):
        if new != current:
            values[name] = new
    return values


def discard_batch(batch: RepriceBatch, *, user=None) -> RepriceBatch:
    """Drop a proposal: nothing of it reaches ServiceTitan."""
    with transaction.atomic():
        locked = RepriceBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != Batch.PROPOSED:
            raise RepriceError(
                f"Reprice #{locked.pk} is {locked.get_status_display()}; only a proposal can be discarded."
            )
        locked.status = Batch.DISCARDED
        locked.save(update_fields=["status"])
    batch.refresh_from_db()
    return batch


def settle_batches(override_ids: Iterable[int] | None = None) -> list[int]:
    """Approved batches: rows whose override ServiceTitan took become pushed (failed when it refused them); a batch
    with none left waiting is pushed. Returns the ids of the batches pushed now. Called after every push, with the
    overrides it pushed (`override_ids`): only their rows and batches are looked at, so an approved batch waiting
    elsewhere costs the push nothing; without them, every approved batch is (the scheduled push, `st_push`)."""
    waiting = RepriceRow.objects.filter(status=Row.APPROVED, batch__status=Batch.APPROVED)
    if override_ids is not None:
        override_ids = list(override_ids)
        if not override_ids:
            return []
        waiting = waiting.filter(in_ids("override_id", override_ids))
        batch_ids = set(waiting.order_by().values_list("batch_id", flat=True).distinct())
    else:
        batch_ids = set(RepriceBatch.objects.filter(status=Batch.APPROVED).values_list("pk", flat=True))
    # A row whose override is gone (deleted by staff) can never be pushed: it fails rather than hold its batch open.
    RepriceRow.objects.filter(batch_id__in=batch_ids, status=Row.APPROVED, override__isnull=True).update(
        status=Row.FAILED
    )
    waiting.filter(override__status=PricebookOverride.Status.SYNCED).update(status=Row.PUSHED)
    waiting.filter(override__status__in=[PricebookOverride.Status.FAILED, PricebookOverride.Status.CONFLICT]).update(
        status=Row.FAILED
    )
    still_waiting = set(
        RepriceRow.objects.filter(batch_id__in=batch_ids, status=Row.APPROVED)
        .order_by()
        .values_list("batch_id", flat=True)
        .distinct()
    )
    return [
        pk
        for pk in sorted(batch_ids - still_waiting)
        if RepriceBatch.objects.filter(pk=pk, status=Batch.APPROVED).update(
            status=Batch.PUSHED, pushed_at=timezone.now()
        )
    ]


def approved_batches_waiting() -> list[str]:
    """One line per approved batch not pushed yet (for `st_push --dry-run`)."""
    return [
        f"reprice #{batch.pk} approved: {batch.waiting} row(s) waiting for the push"
        for batch in RepriceBatch.objects.filter(status=Batch.APPROVED)
        .annotate(waiting=Count("rows", filter=Q(rows__status=Row.APPROVED)))
        .order_by("pk")
    ]


def batch_summary(batch: RepriceBatch) -> str:
    """The totals in one line, for the command line and messages."""
    t = batch.totals if isinstance(batch, RepriceBatch) else batch
    return totals_text(t)


def totals_text(t: dict) -> str:
    average = t.get("average_change_percent")
    margin = f"{t.get('margin_before') or '—'}% → {t.get('margin_after') or '—'}%"
    return (
        f"items {t.get('items', 0)}, changed {t.get('changed', 0)}, up {t.get('up', 0)}, down {t.get('down', 0)}, "
        f"flagged {t.get('flagged', 0)}, average change {average + '%' if average is not None else '—'}, "
        f"margin {margin}"
    )
