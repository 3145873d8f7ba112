"""Creating pricebook items in ServiceTitan from LAZI, and deactivating them (never deleting).

- `create_item(item_type, body)`: POST `…/{materials|services|equipment}` with ServiceTitan's body (camelCase, as
  `pricebook.api.create` builds it from LAZI's names, already checked: the spec's required fields, no negative money,
  categories that exist); the answer is stored like a sync page (`servicetitan.writethrough.store_answers`: raw,
  master, category links), so the new row is what ServiceTitan answered, nothing guessed.
- `deactivate_item(item, user)`: an override `active: false`, saved and pushed through the one path every change of
  an item takes (`overrides.save_override` → `push.push_overrides`: GET, conflict check, PATCH, answer stored). The
  item stays, inactive; ServiceTitan's DELETE is never called.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pricebook.models import ITEM_TYPES, PricebookOverride
from pricebook.selectors import item_kind, item_type_of
from pricebook.services.guardrails import price_errors
from pricebook.services.overrides import save_override
from pricebook.services.push import push_overrides
from servicetitan.client import get_client
from servicetitan.writethrough import store_answers

# LAZI's money fields and their keys in ServiceTitan's create body (the guardrails speak LAZI's names).
MONEY_KEYS = {"cost": "cost", "price": "price", "member_price": "memberPrice", "add_on_price": "addOnPrice"}


class CreateRefused(ValueError):
    """LAZI refuses the new item before asking ServiceTitan; `errors` maps LAZI's field names to staff messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(" ".join(m for messages in errors.values() for m in messages))


def check_new_item(item_type: str, body: dict, tenant_id: int | None = None) -> None:
    """Raises CreateRefused for what ServiceTitan would refuse anyway or LAZI never allows: negative money (the
    guardrails), categories missing from the mirror. Required fields are the input serializer's (from the spec)."""
    if item_type not in ITEM_TYPES:
        raise ValueError(f"{item_type!r} cannot be created here; choose from {', '.join(ITEM_TYPES)}")
    errors = price_errors({name: body.get(key) for name, key in MONEY_KEYS.items()})
    wanted = [int(c) for c in body.get("categories") or []]
    if wanted:
        from pricebook.models import Category

        known = Category.objects.filter(st_id__in=wanted)
        if tenant_id is not None:
            known = known.filter(tenant_id=tenant_id)
        missing = sorted(set(wanted) - set(known.values_list("st_id", flat=True)))
        if missing:
            shown = ", ".join(map(str, missing))
            errors.setdefault("categories", []).append(f"No category with ServiceTitan id {shown} in the mirror.")
    if errors:
        raise CreateRefused(errors)


def create_item(item_type: str, body: dict, *, client=None, tenant_id: int | None = None):
    """Creates the item in ServiceTitan (of `tenant_id`, or the default tenant) and returns its mirrored row
    (ServiceTitan's answer, stored). Errors are the client's (`ApiError` with ServiceTitan's field messages when it
    refuses); nothing is stored then."""
    client = client or get_client(tenant_id)
    check_new_item(item_type, body, client.tenant_id)
    kind = item_kind(item_type)
    answer = client.create(kind.resource_key, body)
    return store_answers(kind.resource_key, [answer], client.tenant_id)[0]


@dataclass
class Deactivation:
    """How a deactivation went: `state` is `done` (ServiceTitan has the item inactive), `refused` (ServiceTitan said
    no: `message`), `waiting` (ServiceTitan unreachable: the override is pending, pushed later) or `conflict`."""

    item: object
    override: PricebookOverride | None
    state: str
    message: str = ""
    field_errors: dict = field(default_factory=dict)


def deactivate_item(item, *, user=None, client=None) -> Deactivation:
    """Sets the item inactive in ServiceTitan through its override (kept with its other pending values, if any) and
    pushes it now; the item's row is re-read from the mirror afterwards."""
    item_type = item_type_of(item)
    override = save_override(
        item_type=item_type,
        st_id=item.st_id,
        tenant_id=item.tenant_id,
        values={"active": False},
        user=user,
        # Pushed right here, so the caller can say how it went; a push left to retry is the scheduled push's.
        queue_push=False,
    )
    if override is None:
        # Already inactive in ServiceTitan and nothing else overridden: nothing to send.
        return Deactivation(item, None, "done", "Already inactive in ServiceTitan.")
    result = push_overrides([override.pk], client=client)
    override.refresh_from_db()
    item.refresh_from_db()
    Status = PricebookOverride.Status
    if override.status == Status.SYNCED:
        return Deactivation(item, override, "done", "Deactivated in ServiceTitan.")
    if override.status == Status.FAILED:
        return Deactivation(item, override, "refused", override.error_message, override.field_errors or {})
    if override.status == Status.CONFLICT:
        return Deactivation(item, override, "conflict", override.error_message)
    message = result.error or "Saved; it will be pushed to ServiceTitan shortly."
    return Deactivation(item, override, "waiting", message)
