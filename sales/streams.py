"""The sales streams: estimates, whose items fill `EstimateItem` in the relation step."""

from servicetitan.conversions import utc_datetime
from servicetitan.sync.relations import Lines
from servicetitan.sync.streams import Stream


def _status_name(estimate: dict) -> str:
    """The estimate's status name as text (at most 32 characters); "" when the record's status is not a named object."""
    status = estimate.get("status")
    name = status.get("name") if isinstance(status, dict) else None
    return name[:32] if isinstance(name, str) else ""


ESTIMATE_ITEMS = Lines(
    "sales.EstimateItem",
    "estimate_st_id",
    copied=lambda estimate: {
        "status": _status_name(estimate),
        "estimate_created_on": utc_datetime(estimate.get("createdOn")),
        "sold_on": utc_datetime(estimate.get("soldOn")),
    },
)


def flag_edited_conflicts(master, payloads: list[dict], tenant_id: int) -> None:
    """The after_page hook of the discounts-and-fees and rate-sheets streams: staff edit them through overrides, so a
    record ServiceTitan changed after it was edited here puts its override in conflict (as the items' streams do)."""
    from pricebook.services.conflicts import flag_conflicts_after_page  # the services import the mirror models

    flag_conflicts_after_page(master, payloads, tenant_id)


STREAMS = [
    Stream("sales.estimates", "sales.RawEstimate", "sales.Estimate", after_page=ESTIMATE_ITEMS.after_page),
    Stream("sales.discounts-and-fees", "sales.RawDiscountFee", "sales.DiscountFee", after_page=flag_edited_conflicts),
    Stream("sales.rate-sheets", "sales.RawRateSheet", "sales.RateSheet", after_page=flag_edited_conflicts),
]
