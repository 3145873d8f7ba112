"""The sales streams: estimates, whose items fill `EstimateItem` in the relation step."""

from servicetitan.conversions import utc_datetime
from servicetitan.sync.relations import Lines
from servicetitan.sync.streams import Stream

ESTIMATE_ITEMS = Lines(
    "sales.EstimateItem",
    "estimate_st_id",
    copied=lambda estimate: {
        "status": ((estimate.get("status") or {}).get("name") or "")[:32],
        "estimate_created_on": utc_datetime(estimate.get("createdOn")),
        "sold_on": utc_datetime(estimate.get("soldOn")),
    },
)

STREAMS = [
    Stream("sales.estimates", "sales.RawEstimate", "sales.Estimate", after_page=ESTIMATE_ITEMS.after_page),
    Stream("sales.discounts-and-fees", "sales.RawDiscountFee", "sales.DiscountFee"),
    Stream("sales.rate-sheets", "sales.RawRateSheet", "sales.RateSheet"),
]
