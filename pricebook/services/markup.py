"""ServiceTitan's material markup table: staff's edits, validated as a whole table, written back with POST (a new
tier) or PUT (a changed one).

An edit (`MarkupTierEdit`) is kept until ServiceTitan accepts it; ServiceTitan's answer is then stored in the mirror
through the sync's upsert and the edit removed. A refusal (4xx) keeps the edit as `failed` with ServiceTitan's
message; ServiceTitan unreachable (429/5xx/timeouts) keeps it `pending` for `st_push` and the scheduled push.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from pricebook.models import MarkupTier, MarkupTierEdit
from pricebook.selectors import markup_tiers
from servicetitan.client.errors import (
    ApiError,
    AuthenticationError,
    RateLimitedError,
    ServerError,
    ServiceTitanError,
)

logger = logging.getLogger(__name__)
RESOURCE = "pricebook.markup-tiers"
# ServiceTitan's request schema (MaterialsMarkupRequest): from/to 0..2147483647, percent 0..100.
MAX_COST = Decimal(2147483647)
MAX_PERCENT = Decimal(100)
Status = MarkupTierEdit.Status
# Not a refusal of the tier: ServiceTitan busy, down, or our credentials; the edit stays pending.
RETRY_LATER = (RateLimitedError, ServerError, AuthenticationError)


class MarkupTableError(ValueError):
    """The table an edit would make is not valid; `errors` are for staff, in plain words."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(" ".join(errors))


@dataclass(frozen=True)
class TierValues:
    st_id: int | None
    from_cost: Decimal
    to_cost: Decimal
    percent: Decimal

    def label(self) -> str:
        return f"{self.from_cost.normalize():f}-{self.to_cost.normalize():f}"


def _n(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def tier_errors(from_cost, to_cost, percent) -> list[str]:
    """One tier on its own: bounds of ServiceTitan's table, from < to."""
    errors = []
    for label, value, top in (("From", from_cost, MAX_COST), ("To", to_cost, MAX_COST)):
        if value is None or not Decimal(0) <= Decimal(value) <= top:
            errors.append(f"{label} must be between 0 and {top:,}.")
    if percent is None or not Decimal(0) <= Decimal(percent) <= MAX_PERCENT:
        errors.append("The markup % must be between 0 and 100 (ServiceTitan's table cannot store more).")
    if not errors and Decimal(from_cost) >= Decimal(to_cost):
        errors.append(f"From ({_n(from_cost)}) must be below To ({_n(to_cost)}).")
    return errors


def table_errors(tiers: Iterable[TierValues]) -> list[str]:
    """The whole table: every tier valid, sorted by cost, neither overlapping nor leaving a gap."""
    tiers = sorted(tiers, key=lambda t: (t.from_cost, t.to_cost))
    errors = []
    for tier in tiers:
        errors.extend(f"Tier {tier.label()}: {message}" for message in tier_errors(*_values(tier)))
    if errors:
        return errors
    for before, after in itertools.pairwise(tiers):
        if after.from_cost < before.to_cost:
            errors.append(f"Tiers {before.label()} and {after.label()} overlap.")
        elif after.from_cost > before.to_cost:
            errors.append(
                f"Tiers {before.label()} and {after.label()} leave a gap: costs from {_n(before.to_cost)} to "
                f"{_n(after.from_cost)} would have no markup."
            )
    return errors


def _values(tier: TierValues):
    return tier.from_cost, tier.to_cost, tier.percent


def effective_table(tenant_id: int, *, extra: TierValues | None = None, ignore_edit: int | None = None):
    """The table as it will be once every pending edit (and `extra`) is accepted."""
    by_tier = {t.st_id: TierValues(t.st_id, t.from_cost, t.to_cost, t.percent) for t in markup_tiers(tenant_id)}
    new = []
    for edit in MarkupTierEdit.objects.filter(tenant_id=tenant_id).exclude(pk=ignore_edit):
        values = TierValues(edit.tier_st_id, edit.from_cost, edit.to_cost, edit.percent)
        if edit.tier_st_id is None:
            new.append(values)
        else:
            by_tier[edit.tier_st_id] = values
    if extra is not None:
        if extra.st_id is None:
            new.append(extra)
        else:
            by_tier[extra.st_id] = extra
    return [*by_tier.values(), *new]


def save_tier_edit(
    *, tenant_id: int, tier_st_id: int | None, from_cost, to_cost, percent, user=None
) -> MarkupTierEdit | None:
    """Record staff's wanted values of a tier (None: a new tier), after checking the table they make.

    Returns the pending edit, or None when the values are ServiceTitan's already (an existing edit is dropped)."""
    values = TierValues(tier_st_id, Decimal(from_cost), Decimal(to_cost), Decimal(percent))
    with transaction.atomic():
        tier = None
        if tier_st_id is not None:
            tier = MarkupTier.objects.filter(tenant_id=tenant_id, st_id=tier_st_id, deleted=False).first()
            if tier is None:
                raise MarkupTableError([f"There is no markup tier {tier_st_id} in the mirror; sync the pricebook."])
        existing = (
            MarkupTierEdit.objects.select_for_update().filter(tenant_id=tenant_id, tier_st_id=tier_st_id).first()
            if tier_st_id is not None
            else None
        )
        errors = table_errors(effective_table(tenant_id, extra=values, ignore_edit=existing.pk if existing else None))
        if errors:
            raise MarkupTableError(errors)
        if tier is not None and (tier.from_cost, tier.to_cost, tier.percent) == _values(values):
            if existing is not None:
                existing.delete()
            return None
        edit = existing or MarkupTierEdit(tenant_id=tenant_id, tier_st_id=tier_st_id)
        edit.from_cost, edit.to_cost, edit.percent = _values(values)
        edit.status, edit.error_message = Status.PENDING, ""
        edit.changed_by = user if user is not None and getattr(user, "is_authenticated", False) else None
        edit.changed_at = timezone.now()
        edit.save()
        return edit


def discard_tier_edit(edit: MarkupTierEdit) -> None:
    edit.delete()


@dataclass
class MarkupPushResult:
    pushed: list[int] = field(default_factory=list)  # edit ids accepted (the edits are gone)
    failed: dict[int, str] = field(default_factory=dict)  # edit id -> ServiceTitan's message
    retry: list[int] = field(default_factory=list)  # still pending: ServiceTitan unreachable
    requests: int = 0
    tiers: dict[int, int] = field(default_factory=dict)  # edit id -> the tier's ServiceTitan id once accepted

    def summary(self) -> str:
        parts = [f"{len(self.pushed)} markup tier edit(s) pushed"]
        if self.failed:
            parts.append(f"{len(self.failed)} refused by ServiceTitan")
        if self.retry:
            parts.append(f"{len(self.retry)} waiting to retry")
        return ", ".join(parts)


def _body(edit: MarkupTierEdit) -> dict:
    from pricebook.services.payloads import to_json_number

    return {
        "id": edit.tier_st_id or 0,
        "from": to_json_number(edit.from_cost),
        "to": to_json_number(edit.to_cost),
        "percent": to_json_number(edit.percent),
    }


def _store(payloads: list[dict], tenant_id: int) -> None:
    from servicetitan.sync.streams import all_streams
    from servicetitan.sync.upsert import upsert_records

    upsert_records(all_streams()[RESOURCE], payloads, tenant_id)


def _refresh_table(client, tenant_id: int) -> list[dict]:
    """The whole table again (a few tiers, one request): for an answer that carries no tier."""
    payloads = [item for page in client.iter_pages(RESOURCE) for item in page.items]
    _store(payloads, tenant_id)
    return payloads


def _answered_tier(answer) -> dict | None:
    """The tier in a POST / PUT answer: the spec's `Result_Of_MaterialsMarkupResponse` is `{"data": tier}` (a bare
    tier is taken too); None when the answer carries none (an empty body)."""
    tier = answer.get("data") if isinstance(answer, dict) and "data" in answer else answer
    # An id of 0 is the request's own placeholder (a new tier is sent as id 0), never a tier's.
    return tier if isinstance(tier, dict) and tier.get("id") else None


def _same(payload: dict, edit: MarkupTierEdit) -> bool:
    try:
        return (
            Decimal(str(payload.get("from"))),
            Decimal(str(payload.get("to"))),
            Decimal(str(payload.get("percent"))),
        ) == (
            edit.from_cost,
            edit.to_cost,
            edit.percent,
        )
    except ArithmeticError:
        return False


def push_markup_edits(
    ids: Iterable[int] | None = None, *, client=None, include_failed: bool = False
) -> MarkupPushResult:
    """Push pending edits (these, or all), in cost order. `include_failed` retries refused ones too."""
    result = MarkupPushResult()
    edits = MarkupTierEdit.objects.all()
    if ids is not None:
        edits = edits.filter(pk__in=list(ids))
    statuses = [Status.PENDING, Status.FAILED] if include_failed else [Status.PENDING]
    edits = list(edits.filter(status__in=statuses).order_by("from_cost", "pk"))
    if not edits:
        return result
    if client is None:
        from servicetitan.client import get_client

        client = get_client()
    calls_before = client.stats.calls
    try:
        for edit in edits:
            if edit.tenant_id != client.tenant_id:
                _refuse(edit, result, f"This edit belongs to tenant {edit.tenant_id}, not {client.tenant_id}.")
                continue
            try:
                if edit.tier_st_id is None:
                    tier = _answered_tier(client.create(RESOURCE, _body(edit)))
                    if tier is not None:
                        _store([tier], edit.tenant_id)
                    else:
                        # No tier in the answer: find the new one in the table by its values.
                        table = _refresh_table(client, edit.tenant_id)
                        tier = next((p for p in table if _same(p, edit)), None)
                    result.tiers[edit.pk] = tier["id"] if tier else None
                else:
                    answer = client.call(RESOURCE, "update", st_id=edit.tier_st_id, json=_body(edit))
                    tier = _answered_tier(answer)
                    if tier is not None:
                        _store([tier], edit.tenant_id)
                    else:
                        _refresh_table(client, edit.tenant_id)
                    result.tiers[edit.pk] = edit.tier_st_id
            except ApiError as exc:
                if isinstance(exc, RETRY_LATER) or exc.status == 408:
                    result.retry.append(edit.pk)
                    _keep_pending(edit, f"Waiting to retry: {exc.staff_message}")
                    continue
                _refuse(edit, result, f"ServiceTitan refused this tier: {exc.staff_message}")
                continue
            except ServiceTitanError as exc:
                # Unreachable, rate limited after the client's retries, not configured: pending for the next push.
                result.retry.append(edit.pk)
                _keep_pending(edit, f"Waiting to retry: {exc}")
                continue
            result.pushed.append(edit.pk)
            edit.delete()
    finally:
        result.requests = client.stats.calls - calls_before
    return result


def _refuse(edit: MarkupTierEdit, result: MarkupPushResult, message: str) -> None:
    MarkupTierEdit.objects.filter(pk=edit.pk).update(status=Status.FAILED, error_message=message)
    edit.status, edit.error_message = Status.FAILED, message
    result.failed[edit.pk] = message
    logger.warning("markup tier edit %s refused: %s", edit.pk, message)


def _keep_pending(edit: MarkupTierEdit, message: str) -> None:
    MarkupTierEdit.objects.filter(pk=edit.pk).update(status=Status.PENDING, error_message=message)
    edit.status, edit.error_message = Status.PENDING, message


def tenant_for_new_tiers() -> int:
    """The tenant a new tier belongs to: the mirrored table's, else the configured one."""
    existing = MarkupTier.objects.values_list("tenant_id", flat=True).first()
    if existing is not None:
        return existing
    from servicetitan.client.config import ClientConfig

    return ClientConfig.from_settings().tenant_id
